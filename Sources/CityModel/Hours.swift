import Foundation

/// A local time of day in minutes after midnight, written `HH:MM`.
public struct TimeOfDay: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var minutes: Int
    public init(minutes: Int) { self.minutes = minutes }
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m),
              h * 60 + m <= 24 * 60 else { return nil }
        minutes = h * 60 + m
    }
    public var description: String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { a.minutes < b.minutes }
}

/// Hours during which operators answer, per weekday (1 = Sunday … 7 = Saturday, as `Calendar`).
public struct BusinessHours: Sendable, Equatable {
    public var days: [Int: ClosedRange<TimeOfDay>]
    public init(days: [Int: ClosedRange<TimeOfDay>]) { self.days = days }

    /// Whether `date` falls inside business hours in `timeZone`.
    public func isOpen(at date: Date, in timeZone: TimeZone) -> Bool {
        let (weekday, minute) = Self.local(date, timeZone)
        guard let range = days[weekday] else { return false }
        return range.lowerBound.minutes <= minute && minute < range.upperBound.minutes
    }

    /// The next opening after `date` (weekday and time), or nil when never open.
    public func nextOpening(after date: Date, in timeZone: TimeZone) -> (weekday: Int, time: TimeOfDay)? {
        let (weekday, minute) = Self.local(date, timeZone)
        for offset in 0...7 {
            let day = (weekday - 1 + offset) % 7 + 1
            guard let range = days[day] else { continue }
            if offset == 0, minute >= range.lowerBound.minutes { continue }
            return (day, range.lowerBound)
        }
        return nil
    }

    static func local(_ date: Date, _ timeZone: TimeZone) -> (weekday: Int, minute: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        return (parts.weekday ?? 1, (parts.hour ?? 0) * 60 + (parts.minute ?? 0))
    }
}

/// Local hours in which no non-urgent message goes out; `start == end` means none.
public struct QuietHours: Sendable, Equatable {
    public var start: TimeOfDay
    public var end: TimeOfDay
    public init(start: TimeOfDay, end: TimeOfDay) {
        self.start = start
        self.end = end
    }

    public func contains(_ date: Date, in timeZone: TimeZone) -> Bool {
        guard start != end else { return false }
        let minute = BusinessHours.local(date, timeZone).minute
        return start < end ? (start.minutes <= minute && minute < end.minutes)
            : (minute >= start.minutes || minute < end.minutes)
    }
}

extension BusinessHours {
    /// The moment operators next start answering after `date`, or nil when there are no hours at all.
    public func nextOpeningDate(after date: Date, in timeZone: TimeZone) -> Date? {
        guard let (weekday, time) = nextOpening(after: date, in: timeZone) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.startOfDay(for: date)
        for offset in 0...7 {
            guard let day = calendar.date(byAdding: .day, value: offset, to: start),
                  calendar.component(.weekday, from: day) == weekday else { continue }
            let candidate = calendar.date(bySettingHour: time.minutes / 60, minute: time.minutes % 60, second: 0, of: day)
            if let candidate, candidate > date { return candidate }
        }
        return nil
    }
}
