import Foundation

/// The figures of one group of tickets (or of the whole city).
///
/// Definitions (README "KPIs"): time to close runs from the resident's first message about the report (not the
/// ticket's creation) to its closing, for closed tickets; the median is the middle value (the mean of the two
/// middle ones for an even count), p90 the nearest rank. The SLA is met when a ticket closed by the time its service
/// promised. CSAT is the mean of the survey's 1–5 ratings. "Not fixed" is the share of "is it fixed?" answers that
/// were "no". Reopened counts tickets reopened at least once; its ratio is over the tickets ever closed.
/// Emergencies, handoffs and abandoned reports belong to contacts, not tickets: they are given for the whole city
/// and by language and channel, and are nil in other groupings.
public struct KPIRow: Hashable, Sendable {
    public var group: String
    public var count = 0
    public var open = 0
    public var closed = 0
    public var medianHoursToClose: Double?
    public var p90HoursToClose: Double?
    public var slaMetRatio: Double?
    public var csatMean: Double?
    public var csatResponses = 0
    public var fixedAnswers = 0
    public var notFixedRatio: Double?
    public var reopened = 0
    public var reopenRatio: Double?
    public var emergencies: Int?
    public var handoffs: Int?
    public var medianMinutesToFirstReply: Double?
    public var abandoned: Int?

    public init(group: String) { self.group = group }
}

/// A whole report: the city-wide row and one row per group, largest first.
public struct KPIReport: Hashable, Sendable {
    public var grouping: ReportGrouping?
    public var total: KPIRow
    public var rows: [KPIRow]
    public init(grouping: ReportGrouping?, total: KPIRow, rows: [KPIRow]) {
        self.grouping = grouping
        self.total = total
        self.rows = rows
    }
}

/// Adds up ticket facts one at a time (a store streams them in, so a million tickets never sit in memory as
/// tickets), then computes the rows.
public struct KPIAccumulator: Sendable {
    public let grouping: ReportGrouping?
    private var total = Tally()
    private var groups: [String: Tally] = [:]

    public init(grouping: ReportGrouping?) { self.grouping = grouping }

    public mutating func add(_ fact: TicketFact) {
        add(KPIFact(fact), key: grouping.map(fact.key) ?? "")
    }

    /// A ticket's figures under `key`, the value of this accumulator's grouping (ignored without one): a store that
    /// reads only the grouping's column and the times adds tickets this way.
    public mutating func add(_ fact: KPIFact, key: String) {
        total.add(fact)
        if grouping != nil { groups[key, default: Tally()].add(fact) }
    }

    /// The contacts that are not tickets: counted where the grouping is one they have.
    public mutating func add(_ fact: EmergencyFact) {
        total.emergencies += 1
        if let key = contactKey(channel: fact.channel, locale: fact.locale) { groups[key, default: Tally()].emergencies += 1 }
    }

    public mutating func add(_ fact: HandoffFact) {
        total.add(fact)
        if let key = contactKey(channel: fact.channel, locale: fact.locale) { groups[key, default: Tally()].add(fact) }
    }

    public mutating func add(_ fact: AbandonedFact) {
        total.abandoned += 1
        if grouping == .channel { groups[fact.channel, default: Tally()].abandoned += 1 }
    }

    private func contactKey(channel: String, locale: String?) -> String? {
        switch grouping {
        case .channel: channel
        case .language: locale ?? ReportKey.unknown
        default: nil
        }
    }

    public func report() -> KPIReport {
        let contacts = grouping == nil || grouping == .channel || grouping == .language
        var rows = groups.map { $0.value.row($0.key, contacts: contacts) }
        rows.sort { ($0.count, $0.emergencies ?? 0, $1.group) > ($1.count, $1.emergencies ?? 0, $0.group) }
        return KPIReport(grouping: grouping, total: total.row("all", contacts: true), rows: rows)
    }
}

/// What the KPIs need of one ticket, apart from where it belongs.
public struct KPIFact: Hashable, Sendable {
    public var closed: Bool
    public var hoursToClose: Double?
    public var metSLA: Bool?
    public var rating: Int?
    public var fixed: String?
    public var reopened: Int

    public init(closed: Bool, firstContact: Double, closedAt: Double?, expectedAt: Double?, rating: Int?, fixed: String?, reopened: Int) {
        self.closed = closed
        if closed, let closedAt {
            hoursToClose = max(0, closedAt - firstContact) / 3600
            metSLA = expectedAt.map { closedAt <= $0 }
        }
        self.rating = rating
        self.fixed = fixed
        self.reopened = reopened
    }

    public init(_ fact: TicketFact) {
        self.init(closed: fact.status == .closed, firstContact: fact.firstContact, closedAt: fact.closedAt, expectedAt: fact.expectedAt,
                  rating: fact.rating, fixed: fact.fixed, reopened: fact.reopened)
    }
}

/// The running sums of one group.
private struct Tally: Sendable {
    var count = 0
    var closed = 0
    var hours: [Double] = []
    var withSLA = 0
    var metSLA = 0
    var ratingSum = 0
    var ratings = 0
    var fixedAnswers = 0
    var notFixed = 0
    var reopened = 0
    var everClosed = 0
    var emergencies = 0
    var handoffs = 0
    var replyMinutes: [Double] = []
    var abandoned = 0

    mutating func add(_ fact: KPIFact) {
        count += 1
        if fact.closed { closed += 1 }
        if let hours = fact.hoursToClose { self.hours.append(hours) }
        if let met = fact.metSLA {
            withSLA += 1
            if met { metSLA += 1 }
        }
        if let rating = fact.rating, (1...5).contains(rating) {
            ratingSum += rating
            ratings += 1
        }
        if let fixed = fact.fixed {
            fixedAnswers += 1
            if fixed == "no" { notFixed += 1 }
        }
        if fact.reopened > 0 { reopened += 1 }
        if fact.closed || fact.reopened > 0 { everClosed += 1 }
    }

    mutating func add(_ fact: HandoffFact) {
        handoffs += 1
        if let reply = fact.firstReplyAt { replyMinutes.append(max(0, reply - fact.openedAt) / 60) }
    }

    func row(_ group: String, contacts: Bool) -> KPIRow {
        var row = KPIRow(group: group)
        row.count = count
        row.open = count - closed
        row.closed = closed
        let sorted = hours.sorted()
        row.medianHoursToClose = Percentile.median(sorted)
        row.p90HoursToClose = Percentile.nearestRank(0.9, sorted)
        row.slaMetRatio = withSLA == 0 ? nil : Double(metSLA) / Double(withSLA)
        row.csatMean = ratings == 0 ? nil : Double(ratingSum) / Double(ratings)
        row.csatResponses = ratings
        row.fixedAnswers = fixedAnswers
        row.notFixedRatio = fixedAnswers == 0 ? nil : Double(notFixed) / Double(fixedAnswers)
        row.reopened = reopened
        row.reopenRatio = everClosed == 0 ? nil : Double(reopened) / Double(everClosed)
        if contacts {
            row.emergencies = emergencies
            row.handoffs = handoffs
            row.medianMinutesToFirstReply = Percentile.median(replyMinutes.sorted())
            row.abandoned = abandoned
        }
        return row
    }
}

public enum Percentile {
    /// The middle of sorted values (the mean of the two middle ones for an even count); nil when empty.
    public static func median(_ sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The smallest value with at least `p` of the values at or below it; nil when empty.
    public static func nearestRank(_ p: Double, _ sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
