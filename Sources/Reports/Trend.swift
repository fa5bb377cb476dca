import Foundation

/// Tickets week by week in the city's time zone (weeks start on Monday): how many came in (by first contact),
/// how many were closed, and the median time to close of those closed that week.
public struct TrendAccumulator: Sendable {
    public struct Week: Hashable, Sendable {
        /// The Monday the week starts on, `YYYY-MM-DD` in the city's time zone.
        public var start: String
        public var opened: Int
        public var closed: Int
        public var medianHoursToClose: Double?
    }

    private let timeZone: TimeZone
    private var opened: [Int: Int] = [:]
    private var closedHours: [Int: [Double]] = [:]

    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    public mutating func add(_ fact: TicketFact) {
        opened[week(fact.firstContact), default: 0] += 1
        if let hours = fact.hoursToClose, let closedAt = fact.closedAt { closedHours[week(closedAt), default: []].append(hours) }
    }

    /// The offset from UTC of the last time looked up, and the span it holds for (until the next transition).
    private var offset: (from: Double, until: Double, seconds: Double) = (0, -1, 0)

    /// Weeks since 1970-01-05 (a Monday), local time.
    private mutating func week(_ seconds: Double) -> Int {
        if seconds < offset.from || seconds > offset.until {
            let date = Date(timeIntervalSince1970: seconds)
            let next = timeZone.nextDaylightSavingTimeTransition(after: date)?.timeIntervalSince1970 ?? .infinity
            // Valid from a day back at most (an earlier transition may lie just before), to the next transition.
            let previous = timeZone.nextDaylightSavingTimeTransition(after: date.addingTimeInterval(-86_400))?.timeIntervalSince1970
            let from = previous.map { $0 <= seconds ? $0 : seconds } ?? seconds - 86_400
            offset = (from, next - 1, Double(timeZone.secondsFromGMT(for: date)))
        }
        let local = seconds + offset.seconds
        let days = Int((local / 86_400).rounded(.down))
        return Int((Double(days - 4) / 7).rounded(.down))
    }

    /// Every week from the first to the last with a ticket, empty weeks included, oldest first.
    public func weeks() -> [Week] {
        let keys = Set(opened.keys).union(closedHours.keys)
        guard let first = keys.min(), let last = keys.max() else { return [] }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return (first...last).map { index in
            let monday = Date(timeIntervalSince1970: Double(index * 7 + 4) * 86_400)
            let hours = (closedHours[index] ?? []).sorted()
            return Week(start: formatter.string(from: monday), opened: opened[index] ?? 0, closed: hours.count,
                        medianHoursToClose: Percentile.median(hours))
        }
    }
}
