import Foundation

/// One group (a language, an area) against the whole city: is it served as fast and as well?
public struct EquityRow: Hashable, Sendable {
    public var group: String
    public var tickets: Int
    public var closed: Int
    public var medianHoursToClose: Double?
    /// The group's median time to close minus the city's, in hours (positive: slower than the city).
    public var hoursToCloseGap: Double?
    /// The group's median over the city's (1.5: half as long again).
    public var hoursToCloseRatio: Double?
    public var csatMean: Double?
    public var csatResponses: Int
    /// The group's mean rating minus the city's (negative: less satisfied).
    public var csatGap: Double?
    public var slaMetRatio: Double?
    public var slaGap: Double?
    /// Too few tickets or answers behind the figures to read much into them: a plain sentence saying so.
    public var warning: String?
}

public struct EquityView: Hashable, Sendable {
    public var grouping: ReportGrouping
    public var city: KPIRow
    public var rows: [EquityRow]
}

public enum Equity {
    /// Fewer closed tickets than this, and the time-to-close gap is flagged as too small to mean much.
    public static let minimumClosed = 30
    /// Fewer survey answers than this, and the satisfaction gap is flagged.
    public static let minimumResponses = 10

    public static func view(_ report: KPIReport) -> EquityView {
        let city = report.total
        let rows = report.rows.map { row -> EquityRow in
            let hoursGap = zip(row.medianHoursToClose, city.medianHoursToClose).map { $0 - $1 }
            let ratio = zip(row.medianHoursToClose, city.medianHoursToClose).flatMap { $1 > 0 ? $0 / $1 : nil }
            var problems: [String] = []
            if row.closed < minimumClosed {
                problems.append("only \(row.closed) closed \(row.closed == 1 ? "ticket" : "tickets") behind the time to close")
            }
            if row.csatResponses < minimumResponses {
                problems.append("only \(row.csatResponses) survey \(row.csatResponses == 1 ? "answer" : "answers") behind satisfaction")
            }
            let warning = problems.isEmpty ? nil
                : "Too few to compare with confidence: " + problems.joined(separator: "; ") + "."
            return EquityRow(
                group: row.group, tickets: row.count, closed: row.closed, medianHoursToClose: row.medianHoursToClose,
                hoursToCloseGap: hoursGap, hoursToCloseRatio: ratio, csatMean: row.csatMean, csatResponses: row.csatResponses,
                csatGap: zip(row.csatMean, city.csatMean).map { $0 - $1 }, slaMetRatio: row.slaMetRatio,
                slaGap: zip(row.slaMetRatio, city.slaMetRatio).map { $0 - $1 }, warning: warning
            )
        }
        return EquityView(grouping: report.grouping ?? .language, city: city, rows: rows)
    }

    private static func zip(_ a: Double?, _ b: Double?) -> (Double, Double)? {
        guard let a, let b else { return nil }
        return (a, b)
    }
}
