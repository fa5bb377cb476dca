import Foundation
import Localization

/// Reading `datetime` answers.
///
/// English phrases, read relative to `now` in the city's time zone with a Gregorian `Calendar`, so days are
/// calendar days (DST-correct: dates are built from components, never by adding seconds):
///
/// - instants: "now", "just now", "an hour ago", "3 hours ago", "half an hour ago", "20 minutes ago";
/// - days: "today", "yesterday", "the day before yesterday", "tomorrow", "2 days ago", "a week ago",
///   "monday"/"mon" (the latest Monday, today if today is Monday), "last tuesday" (a week back if today is
///   Tuesday), "11/20", "11/20/2026", "11/20/26", "Nov 20", "20 November 2026", "the 20th", "2026-11-20";
/// - times: "3pm", "3:30 pm", "15:30", "noon", "midnight", "2026-11-20T14:00"; a colon time without am/pm is
///   a 24-hour time unless a part of the day makes it pm ("tonight at 8:30" → 20:30). A bare hour ("at 8") is
///   read only with a part of the day ("this morning at 8", "tonight at 9"), since "8" alone is ambiguous;
/// - parts of the day: "this morning" (09:00 today), "this afternoon" (15:00), "this evening"/"tonight"
///   (20:00), "last night" (22:00 yesterday); with another day: "monday morning", "yesterday evening".
///
/// Composition: a day without a time is 12:00 that day; a time without a day is today, or yesterday when
/// today's would be more than an hour ahead of `now`. A day written without a year (or month) is the latest
/// such day not after today. Words that are not understood are ignored ("it was around 3pm I think"), but an
/// unread number, two different days or times, or no day or time at all make the answer invalid. The result
/// must lie within one year before `now` and one day after it.
///
/// Clock changes: a time that does not exist (02:30 on a spring-forward day) becomes the first instant after
/// the gap (03:00 daylight time, `Calendar.MatchingPolicy.nextTime`); a time that occurs twice (01:30 on a
/// fall-back day) is the first occurrence (daylight time).
extension AnswerReader {
    /// A calendar day in the city's time zone.
    struct CivilDay: Hashable, Comparable {
        var year: Int, month: Int, day: Int
        static func < (a: CivilDay, b: CivilDay) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
    }

    /// A part of the day: its default hour, and whether it makes an ambiguous clock time pm.
    enum DayPart: Hashable {
        case morning, afternoon, evening, night
        init?(_ word: String) {
            switch word {
            case "morning": self = .morning
            case "afternoon": self = .afternoon
            case "evening": self = .evening
            case "night": self = .night
            default: return nil
            }
        }
        var defaultHour: Int {
            switch self {
            case .morning: 9
            case .afternoon: 15
            case .evening: 20
            case .night: 22
            }
        }
        var isPM: Bool { self != .morning }
    }

    /// A clock time as written, before am/pm and the part of the day settle it.
    struct ClockTime: Hashable {
        var hour: Int, minute: Int
        /// "am"/"pm", or nil.
        var meridiem: String?
        /// Written as a lone hour ("at 8"), without a colon or am/pm.
        var bare = false

        /// Hour and minute on a 24-hour clock, or nil when out of range or too ambiguous.
        func resolved(part: DayPart?) -> (hour: Int, minute: Int)? {
            guard (0...59).contains(minute) else { return nil }
            if let meridiem {
                guard (1...12).contains(hour) else { return nil }
                return (hour % 12 + (meridiem == "pm" ? 12 : 0), minute)
            }
            if bare && part == nil { return nil }
            guard (0...23).contains(hour) else { return nil }
            return (part?.isPM == true && (1...11).contains(hour) ? hour + 12 : hour, minute)
        }
    }

    /// What the phrases of an answer said; any contradiction or unread number sets `failed`.
    struct DateReading {
        var instant: Date?
        var day: CivilDay?
        var time: ClockTime?
        var part: DayPart?
        var failed = false

        mutating func set<T: Equatable>(_ path: WritableKeyPath<DateReading, T?>, _ value: T?) {
            if let value, self[keyPath: path] == nil || self[keyPath: path] == value {
                self[keyPath: path] = value
            } else {
                failed = true
            }
        }
    }

    private static let weekdays: [String: Int] = [
        "sunday": 1, "sun": 1, "monday": 2, "mon": 2, "tuesday": 3, "tue": 3, "tues": 3, "wednesday": 4, "wed": 4,
        "weds": 4, "thursday": 5, "thu": 5, "thur": 5, "thurs": 5, "friday": 6, "fri": 6, "saturday": 7, "sat": 7,
    ]
    private static let months: [String: Int] = [
        "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
        "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
        "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    ]
    private static let agoUnits: [String: Calendar.Component] = [
        "minute": .minute, "minutes": .minute, "min": .minute, "mins": .minute, "hour": .hour, "hours": .hour,
        "hr": .hour, "hrs": .hour, "day": .day, "days": .day, "week": .weekOfYear, "weeks": .weekOfYear,
    ]

    /// The instant `text` names, or nil when it cannot be read or lies outside [now − 1 year, now + 1 day].
    static func date(in text: String, now: Date, timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let clock = DateClock(calendar: calendar, now: now)
        let reading = read(dateTokens(text), clock)
        guard !reading.failed, let result = resolve(reading, clock),
              let earliest = calendar.date(byAdding: .year, value: -1, to: now),
              let latest = calendar.date(byAdding: .day, value: 1, to: now),
              result >= earliest, result <= latest else { return nil }
        return result
    }

    /// Lower-cased words: punctuation dropped, "p.m."/"3pm" split to "3 pm", ISO "…T14:00" split off.
    private static func dateTokens(_ text: String) -> [String] {
        var s = translated(text.lowercased())
        if s.utf8.contains(UInt8(ascii: ".")) {
            s = s.replacingOccurrences(of: "a.m.", with: " am ").replacingOccurrences(of: "p.m.", with: " pm ")
        }
        // The patterns only run on text that could hold what they look for (most answers hold neither).
        if s.utf8.contains(UInt8(ascii: "-")) { s = s.replacing(/(\d{4}-\d{1,2}-\d{1,2})t(?=\d)/) { "\($0.1) " } }
        if Self.contains(Array(s.utf8), Array("m".utf8)) { s = s.replacing(/(\d)(am|pm)\b/) { "\($0.1) \($0.2)" } }
        return s.split(whereSeparator: { $0.fastIsWhitespace || ",;!?()~\"".contains($0) })
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ".'")) }
            .filter { !$0.isEmpty }
    }

    /// The day and time words of the other launch languages, rewritten as the English phrases this reader
    /// knows ("ayer a las 3pm" → "yesterday a las 3pm", "昨天下午3点" → "yesterday 3 pm"). Arabic-Indic digits
    /// become 0-9. Longer phrases first, so "esta noche" is "tonight" before "noche" could be anything else.
    static func translated(_ text: String) -> String {
        var s = text
        if text.unicodeScalars.contains(where: { TextFolding.asciiDigit($0) != nil }) {
            s = String(String.UnicodeScalarView(text.unicodeScalars.map { TextFolding.asciiDigit($0) ?? $0 }))
        }
        if s.unicodeScalars.contains(where: { "点點时時".unicodeScalars.contains($0) }) {
            s = s.replacing(/(?:下午|晚上|傍晚)\s*(\d{1,2})\s*[点點时時](?:\s*(\d{1,2})\s*分?)?/) { " \($0.1):\($0.2 ?? "00") pm " }
            s = s.replacing(/(?:上午|早上|凌晨)\s*(\d{1,2})\s*[点點时時](?:\s*(\d{1,2})\s*分?)?/) { " \($0.1):\($0.2 ?? "00") am " }
            s = s.replacing(/(\d{1,2})\s*[点點时時](?:\s*(\d{1,2})\s*分?)?/) { " \($0.1):\($0.2 ?? "00") " }
        }
        // Only the phrases the text holds are replaced (a byte search first: most texts hold none of them).
        var bytes = Array(s.utf8)
        for (phrase, english) in dayWordBytes where contains(bytes, phrase.bytes) {
            s = s.replacingOccurrences(of: phrase.text, with: " \(english) ")
            bytes = Array(s.utf8)
        }
        return s
    }

    private static let dayWordBytes: [((text: String, bytes: [UInt8]), String)] = dayWords.map { (($0.0, Array($0.0.utf8)), $0.1) }

    /// Whether `needle` occurs in `haystack`, byte for byte.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        let first = needle[0]
        var start = 0
        while start <= haystack.count - needle.count {
            if haystack[start] == first, haystack[start..<start + needle.count].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }

    private static let dayWords: [(String, String)] = [
        // Spanish
        ("antier", "day before yesterday"), ("anteayer", "day before yesterday"), ("antes de ayer", "day before yesterday"),
        ("ayer en la noche", "last night"), ("ayer por la noche", "last night"), ("anoche", "last night"),
        ("esta mañana", "this morning"), ("esta manana", "this morning"), ("esta tarde", "this afternoon"),
        ("esta noche", "tonight"), ("ayer", "yesterday"), ("hoy", "today"), ("ahora", "now"),
        ("lunes", "monday"), ("martes", "tuesday"), ("miércoles", "wednesday"), ("miercoles", "wednesday"),
        ("jueves", "thursday"), ("viernes", "friday"), ("sábado", "saturday"), ("sabado", "saturday"), ("domingo", "sunday"),
        // Vietnamese
        ("tối qua", "last night"), ("đêm qua", "last night"), ("hôm kia", "day before yesterday"), ("hôm qua", "yesterday"),
        ("hôm nay", "today"), ("sáng nay", "this morning"), ("chiều nay", "this afternoon"), ("tối nay", "tonight"),
        ("bây giờ", "now"), ("giờ chiều", "pm"), ("giờ tối", "pm"), ("giờ sáng", "am"),
        // Chinese
        ("前天", "day before yesterday"), ("昨晚", "last night"), ("昨天晚上", "last night"), ("昨天", "yesterday"),
        ("今天早上", "this morning"), ("今早", "this morning"), ("今天下午", "this afternoon"), ("今晚", "tonight"),
        ("今天", "today"), ("现在", "now"), ("現在", "now"),
        // Arabic
        ("أول أمس", "day before yesterday"), ("امس", "yesterday"), ("أمس", "yesterday"), ("البارحة", "yesterday"),
        ("اليوم", "today"), ("الآن", "now"), ("الان", "now"), ("مساءً", "pm"), ("مساء", "pm"), ("صباحاً", "am"), ("صباحا", "am"),
    ]

    /// Reads the phrases of `tokens` into a `DateReading`.
    private static func read(_ tokens: [String], _ clock: DateClock) -> DateReading {
        var reading = DateReading()
        var i = 0
        func token(_ k: Int) -> String { k < tokens.count ? tokens[k] : "" }
        while i < tokens.count, !reading.failed {
            let word = tokens[i]
            var used = 1
            if word == "now" {
                reading.set(\.instant, clock.now)
            } else if ["today", "tonight", "tomorrow", "yesterday"].contains(word) {
                reading.set(\.day, clock.day(offset: ["tomorrow": 1, "yesterday": -1][word] ?? 0))
                if word == "tonight" { reading.set(\.part, .evening) }
            } else if word == "day", token(i + 1) == "before", token(i + 2) == "yesterday" {
                reading.set(\.day, clock.day(offset: -2))
                used = 3
            } else if word == "last", token(i + 1) == "night" {
                reading.set(\.day, clock.day(offset: -1))
                reading.set(\.part, .night)
                used = 2
            } else if word == "last", let weekday = weekdays[token(i + 1)] {
                reading.set(\.day, clock.latest(weekday: weekday, excludingToday: true))
                used = 2
            } else if word == "this", let part = DayPart(token(i + 1)) {
                reading.set(\.day, clock.day(offset: 0))
                reading.set(\.part, part)
                used = 2
            } else if let part = DayPart(word) {
                reading.set(\.part, part)
            } else if word == "noon" || word == "midday" || word == "midnight" {
                reading.set(\.time, ClockTime(hour: word == "midnight" ? 0 : 12, minute: 0))
            } else if let weekday = weekdays[word] {
                reading.set(\.day, clock.latest(weekday: weekday, excludingToday: false))
            } else if let (amount, unit, length) = agoPhrase(tokens, i) {
                if unit == .minute || unit == .hour {
                    reading.set(\.instant, clock.calendar.date(byAdding: unit, value: -amount, to: clock.now))
                } else {
                    reading.set(\.day, clock.day(offset: -amount * (unit == .day ? 1 : 7)))
                }
                used = length
            } else if let month = months[word], let day = dayOfMonth(token(i + 1)) {
                used = 2
                let year = Int(token(i + 2)).flatMap { token(i + 2).count == 4 ? $0 : nil }
                if year != nil { used = 3 }
                reading.set(\.day, clock.day(year: year, month: month, day: day))
            } else if let day = dayOfMonth(word), let (month, length) = monthAfter(tokens, i + 1) {
                used = 1 + length
                let year = Int(token(i + used)).flatMap { token(i + used).count == 4 ? $0 : nil }
                if year != nil { used += 1 }
                reading.set(\.day, clock.day(year: year, month: month, day: day))
            } else if word.contains(where: \.fastIsNumber) {
                used = readNumeric(word, next: token(i + 1), into: &reading, clock)
            }
            i += used
        }
        return reading
    }

    /// Reads a token holding a digit (a date, a clock time, a day of the month) and `next` if it is am/pm;
    /// returns how many tokens it used. An unreadable number fails the reading.
    private static func readNumeric(
        _ word: String, next: String, into reading: inout DateReading, _ clock: DateClock
    ) -> Int {
        let meridiem = next == "am" || next == "pm" ? next : nil
        let used = meridiem == nil ? 1 : 2
        if let parts = numbers(word, separator: "/"), parts.count == 2 || parts.count == 3 {
            let year = parts.count == 3 ? (parts[2] < 100 ? 2000 + parts[2] : parts[2]) : nil
            reading.set(\.day, clock.day(year: year, month: parts[0], day: parts[1]))
            return 1
        }
        if let parts = numbers(word, separator: "-"), parts.count == 3, word.count >= 8, parts[0] >= 1000 {
            reading.set(\.day, clock.day(year: parts[0], month: parts[1], day: parts[2]))
            return 1
        }
        if let parts = numbers(word, separator: ":"), parts.count == 2 || parts.count == 3, word.count >= 4 {
            reading.set(\.time, ClockTime(hour: parts[0], minute: parts[1], meridiem: meridiem))
            return used
        }
        if let hour = Int(word), word.count <= 2 {
            reading.set(\.time, ClockTime(hour: hour, minute: 0, meridiem: meridiem, bare: meridiem == nil))
            return used
        }
        if let day = dayOfMonth(word), !word.allSatisfy(\.fastIsNumber) {
            reading.set(\.day, clock.day(year: nil, month: nil, day: day))
            return 1
        }
        reading.failed = true
        return 1
    }

    /// The whole numbers of `word` split at `separator`, or nil if any part is not all digits.
    private static func numbers(_ word: String, separator: Character) -> [Int]? {
        let parts = word.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count > 1, parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.fastIsNumber) }) else {
            return nil
        }
        let values = parts.compactMap { Int($0) }
        return values.count == parts.count ? values : nil
    }

    /// "20" or "20th" (1…31), for dates.
    private static func dayOfMonth(_ word: String) -> Int? {
        let digits = word.prefix(while: \.fastIsNumber)
        let suffix = word.dropFirst(digits.count)
        guard (1...2).contains(digits.count), ["", "st", "nd", "rd", "th"].contains(suffix),
              let day = Int(digits), (1...31).contains(day) else { return nil }
        return day
    }

    /// A month name at `i`, optionally after "of" ("20th of November"): the month and the tokens used.
    private static func monthAfter(_ tokens: [String], _ i: Int) -> (Int, Int)? {
        let skip = i < tokens.count && tokens[i] == "of" ? 1 : 0
        guard i + skip < tokens.count, let month = months[tokens[i + skip]] else { return nil }
        return (month, 1 + skip)
    }

    /// "3 hours ago", "an hour ago", "a couple of days ago", "half an hour ago": the amount, unit and tokens used.
    private static func agoPhrase(_ tokens: [String], _ i: Int) -> (Int, Calendar.Component, Int)? {
        func token(_ k: Int) -> String { k < tokens.count ? tokens[k] : "" }
        if tokens[i] == "half", ["a", "an"].contains(token(i + 1)), token(i + 2) == "hour", token(i + 3) == "ago" {
            return (30, .minute, 4)
        }
        let word = tokens[i]
        guard let amount = word == "a" || word == "an" ? 1 : numberWords[word] ?? Int(word) else { return nil }
        var k = i + 1
        if token(k) == "of" { k += 1 }
        guard amount <= 1000, let unit = agoUnits[token(k)], token(k + 1) == "ago" else { return nil }
        return (amount, unit, k + 2 - i)
    }

    /// Combines what was read into one instant.
    private static func resolve(_ reading: DateReading, _ clock: DateClock) -> Date? {
        if let instant = reading.instant {
            return reading.day == nil && reading.time == nil && reading.part == nil ? instant : nil
        }
        var hourMinute = reading.part.map { (hour: $0.defaultHour, minute: 0) }
        if let time = reading.time {
            guard let resolved = time.resolved(part: reading.part) else { return nil }
            hourMinute = resolved
        }
        if let day = reading.day {
            return clock.date(day, hour: hourMinute?.hour ?? 12, minute: hourMinute?.minute ?? 0)
        }
        guard let (hour, minute) = hourMinute, let today = clock.day(offset: 0), let yesterday = clock.day(offset: -1),
              let todays = clock.date(today, hour: hour, minute: minute) else { return nil }
        guard let limit = clock.calendar.date(byAdding: .hour, value: 1, to: clock.now), todays > limit else {
            return todays
        }
        return clock.date(yesterday, hour: hour, minute: minute)
    }
}

extension AnswerReader {
    /// `now` and the calendar of the city's time zone, for building days and instants.
    struct DateClock {
        let calendar: Calendar
        let now: Date

        /// Today's day moved by `offset` calendar days.
        func day(offset: Int) -> CivilDay? {
            let noon = calendar.date(bySettingHour: 12, minute: 0, second: 0, of: now) ?? now
            return calendar.date(byAdding: .day, value: offset, to: noon).map(civilDay)
        }

        /// The latest `weekday` (1 = Sunday) up to today, or before today when `excludingToday`.
        func latest(weekday: Int, excludingToday: Bool) -> CivilDay? {
            var back = (calendar.component(.weekday, from: now) - weekday + 7) % 7
            if back == 0, excludingToday { back = 7 }
            return day(offset: -back)
        }

        /// A written day; a missing year (or year and month) is the latest such day not after today.
        /// Nil for days that do not exist (February 30).
        func day(year: Int?, month: Int?, day: Int) -> CivilDay? {
            guard let today = self.day(offset: 0) else { return nil }
            if let year, let month { return valid(CivilDay(year: year, month: month, day: day)) }
            if let month {
                let candidate = CivilDay(year: today.year, month: month, day: day)
                return valid(candidate > today ? CivilDay(year: today.year - 1, month: month, day: day) : candidate)
            }
            let candidate = CivilDay(year: today.year, month: today.month, day: day)
            guard candidate > today else { return valid(candidate) }
            let previous = today.month == 1 ? (today.year - 1, 12) : (today.year, today.month - 1)
            return valid(CivilDay(year: previous.0, month: previous.1, day: day))
        }

        /// `hour`:`minute` on `day` in the city's time zone. A time skipped by a clock change becomes the first
        /// instant after the gap; a repeated time, its first occurrence.
        func date(_ day: CivilDay, hour: Int, minute: Int) -> Date? {
            let noon = DateComponents(year: day.year, month: day.month, day: day.day, hour: 12)
            guard let midday = calendar.date(from: noon), civilDay(midday) == day else { return nil }
            return calendar.date(
                bySettingHour: hour, minute: minute, second: 0, of: midday,
                matchingPolicy: .nextTime, repeatedTimePolicy: .first, direction: .forward
            )
        }

        private func valid(_ day: CivilDay) -> CivilDay? {
            date(day, hour: 12, minute: 0) == nil ? nil : day
        }

        private func civilDay(_ date: Date) -> CivilDay {
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return CivilDay(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0)
        }
    }
}
