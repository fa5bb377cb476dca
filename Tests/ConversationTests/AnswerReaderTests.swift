import CityModel
import Foundation
import Localization
import Testing

@testable import Conversation

/// Fixtures: an English lexicon with skip words, the Chicago time zone and attribute builders.
private enum Fixture {
    static let reader = AnswerReader(lexicon: Lexicon(words: [
        .english: [.skip: ["skip", "don't know", "dont know", "idk", "not sure", "unknown", "n/a", "none", "pass"]],
    ]))
    static let chicago = TimeZone(identifier: "America/Chicago")!
    static let spanish = LanguageTag("es")

    /// Wednesday 2026-06-17 10:00 in Chicago (CDT).
    static let now = local("2026-06-17 10:00")

    static func attribute(
        _ datatype: AttributeDatatype, required: Bool = false, _ options: [AttributeOption] = []
    ) -> ServiceAttribute {
        ServiceAttribute(
            code: "q", datatype: datatype, required: required, question: LocalizedText(en: "?"), values: options
        )
    }

    static let bins = [
        AttributeOption(key: "trash", name: LocalizedText(en: "Trash")),
        AttributeOption(key: "recycling", name: LocalizedText([.english: "Recycling", LanguageTag("es"): "Reciclaje"])),
        AttributeOption(key: "yard_waste", name: LocalizedText(en: "Yard waste")),
        AttributeOption(key: "bulk", name: LocalizedText(en: "Bulk items")),
    ]
    static let items = [
        AttributeOption(key: "tires", name: LocalizedText(en: "Tires")),
        AttributeOption(key: "couch", name: LocalizedText(en: "Couch")),
        AttributeOption(key: "mattress", name: LocalizedText(en: "Mattress")),
        AttributeOption(key: "appliance", name: LocalizedText(en: "Appliance")),
    ]

    /// "yyyy-MM-dd HH:mm" on Chicago's wall clock (only for times that exist once).
    static func local(_ text: String) -> Date {
        date(text, in: chicago)
    }

    /// "yyyy-MM-dd HH:mm" in UTC, for instants around clock changes.
    static func utc(_ text: String) -> Date {
        date(text, in: TimeZone(identifier: "UTC")!)
    }

    private static func date(_ text: String, in zone: TimeZone) -> Date {
        let n = text.split(whereSeparator: { " -:".contains($0) }).map { Int($0)! }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: n[0], month: n[1], day: n[2], hour: n[3], minute: n[4]))!
    }

    static func read(
        _ text: String, _ attribute: ServiceAttribute, locale: LanguageTag = .english, now: Date = now
    ) -> AnswerReader.Outcome {
        reader.read(text, for: attribute, locale: locale, now: now, timeZone: chicago)
    }
}

@Suite("AnswerReader")
struct AnswerReaderTests {
    // MARK: Skip words and empty answers

    @Test("skip words skip optional attributes and are invalid for required ones", arguments: [
        "skip", "SKIP", "Don't know", "dont know", "idk", "Not sure.", "unknown", "N/A", "none", "pass",
    ])
    func skipWords(text: String) {
        for datatype in AttributeDatatype.allCases {
            #expect(Fixture.read(text, Fixture.attribute(datatype, Fixture.bins)) == .skipped)
            #expect(Fixture.read(text, Fixture.attribute(datatype, required: true, Fixture.bins)) == .invalid)
        }
    }

    @Test("empty or blank answers are invalid for every datatype", arguments: ["", "   ", " \n\t "])
    func emptyAnswers(text: String) {
        for datatype in AttributeDatatype.allCases {
            #expect(Fixture.read(text, Fixture.attribute(datatype, Fixture.bins)) == .invalid)
        }
    }

    // MARK: string and text

    @Test("string answers: trimmed text of at most 200 characters", arguments: [
        ("Blue Honda Civic", "Blue Honda Civic"),
        ("  by the mailbox \n", "by the mailbox"),
        ("skipped the line", "skipped the line"),
        (String(repeating: "x", count: 200), String(repeating: "x", count: 200)),
    ])
    func strings(text: String, expected: String) {
        #expect(Fixture.read(text, Fixture.attribute(.string)) == .value(.text(expected)))
    }

    @Test("text answers: at most 2000 characters")
    func texts() {
        let long = String(repeating: "y", count: 2000)
        #expect(Fixture.read(long, Fixture.attribute(.text)) == .value(.text(long)))
        #expect(Fixture.read(long + "y", Fixture.attribute(.text)) == .invalid)
        #expect(Fixture.read(String(repeating: "x", count: 201), Fixture.attribute(.string)) == .invalid)
    }

    // MARK: number

    @Test("numbers in digits and words; the first one counts", arguments: [
        ("3", 3.0), ("3.5", 3.5), (".5", 0.5), ("about 4", 4), ("~5", 5), ("5 items", 5), ("two", 2),
        ("Twelve", 12), ("twenty", 20), ("twenty-one", 21), ("a dozen", 12), ("two dozen", 24),
        ("half a dozen", 6), ("a couple", 2), ("2 or 3", 2), ("maybe three or 4", 3), ("1,200", 1200),
        ("0", 0), ("5-6 bags", 5), ("3,5", 3),
    ])
    func numbers(text: String, expected: Double) {
        #expect(Fixture.read(text, Fixture.attribute(.number)) == .value(.number(expected)))
    }

    @Test("a decimal comma outside English")
    func decimalComma() {
        #expect(Fixture.read("3,5", Fixture.attribute(.number), locale: Fixture.spanish) == .value(.number(3.5)))
    }

    @Test("negative or missing numbers are invalid", arguments: [
        "-3", "about -2", "minus 2", "lots", "a few", "many bags", String(repeating: "9", count: 400),
    ])
    func invalidNumbers(text: String) {
        #expect(Fixture.read(text, Fixture.attribute(.number)) == .invalid)
    }

    // MARK: datetime (now: Wednesday 2026-06-17 10:00 CDT)

    @Test("dates and times relative to now, in the city's time zone", arguments: [
        ("now", "2026-06-17 10:00"), ("just now", "2026-06-17 10:00"), ("today", "2026-06-17 12:00"),
        ("this morning", "2026-06-17 09:00"), ("this afternoon", "2026-06-17 15:00"),
        ("tonight", "2026-06-17 20:00"), ("this evening", "2026-06-17 20:00"), ("last night", "2026-06-16 22:00"),
        ("yesterday", "2026-06-16 12:00"), ("yesterday 3pm", "2026-06-16 15:00"),
        ("Yesterday at 3:30 p.m.", "2026-06-16 15:30"), ("yesterday afternoon", "2026-06-16 15:00"),
        ("2 days ago", "2026-06-15 12:00"), ("the day before yesterday", "2026-06-15 12:00"),
        ("a couple of days ago", "2026-06-15 12:00"), ("a week ago", "2026-06-10 12:00"),
        ("an hour ago", "2026-06-17 09:00"), ("3 hours ago", "2026-06-17 07:00"),
        ("about half an hour ago", "2026-06-17 09:30"), ("20 mins ago", "2026-06-17 09:40"),
        ("monday", "2026-06-15 12:00"), ("Mon", "2026-06-15 12:00"), ("wednesday", "2026-06-17 12:00"),
        ("last wednesday", "2026-06-10 12:00"), ("last tuesday", "2026-06-16 12:00"),
        ("monday night", "2026-06-15 22:00"), ("sat morning", "2026-06-13 09:00"),
        ("9am", "2026-06-17 09:00"), ("10:30", "2026-06-17 10:30"), ("3pm", "2026-06-16 15:00"),
        ("3:30 pm", "2026-06-16 15:30"), ("15:30", "2026-06-16 15:30"), ("noon", "2026-06-16 12:00"),
        ("midnight", "2026-06-17 00:00"), ("it was around 8 this morning", "2026-06-17 08:00"),
        ("tonight at 8:30", "2026-06-17 20:30"), ("tomorrow 9am", "2026-06-18 09:00"),
        ("11/20", "2025-11-20 12:00"), ("6/1", "2026-06-01 12:00"), ("11/20/2025", "2025-11-20 12:00"),
        ("6/1/26", "2026-06-01 12:00"), ("Nov 20", "2025-11-20 12:00"),
        ("November 20 at 9am", "2025-11-20 09:00"), ("June 3rd", "2026-06-03 12:00"),
        ("3rd of June 2026", "2026-06-03 12:00"), ("on the 10th", "2026-06-10 12:00"),
        ("the 20th", "2026-05-20 12:00"), ("2026-06-01", "2026-06-01 12:00"),
        ("2026-06-01T14:00", "2026-06-01 14:00"),
        ("ayer a las 3pm", "2026-06-16 15:00"), ("anoche", "2026-06-16 22:00"), ("hoy", "2026-06-17 12:00"),
        ("el lunes", "2026-06-15 12:00"), ("hôm qua 3pm", "2026-06-16 15:00"), ("tối qua", "2026-06-16 22:00"),
        ("昨天下午3点", "2026-06-16 15:00"), ("今天早上", "2026-06-17 09:00"), ("昨晚", "2026-06-16 22:00"),
        ("أمس ٣ مساء", "2026-06-16 15:00"), ("اليوم", "2026-06-17 12:00"),
    ])
    func dates(text: String, expected: String) {
        #expect(Fixture.read(text, Fixture.attribute(.datetime)) == .value(.datetime(Fixture.local(expected))))
    }

    @Test("unreadable, contradictory or out-of-range dates are invalid", arguments: [
        "3", "at 8", "monday 3", "banana", "next week", "tomorrow", "yesterday or monday", "2/30", "13/45",
        "6/1/2024", "2026-06-19", "25:00", "13pm", "3 hours from now", "2026-06-01T14:00Z", "#3",
        "9000000000000000000 weeks ago",
    ])
    func invalidDates(text: String) {
        #expect(Fixture.read(text, Fixture.attribute(.datetime)) == .invalid)
    }

    /// Fall back: Chicago left CDT (UTC−5) for CST (UTC−6) at 02:00 on Sunday 2026-11-01.
    @Test("days after the fall-back change are calendar days", arguments: [
        ("yesterday 3pm", "2026-11-01 21:00"), // 15:00 CST
        ("yesterday", "2026-11-01 18:00"), // 12:00 CST
        ("2 days ago", "2026-10-31 17:00"), // 12:00 CDT, not 11:00 as 2 × 86400 s back would give
        ("yesterday 1:30am", "2026-11-01 06:30"), // 01:30 happened twice: the first (CDT) is taken
    ])
    func fallBack(text: String, expectedUTC: String) {
        let now = Fixture.local("2026-11-02 10:00")
        let expected = AnswerReader.Outcome.value(.datetime(Fixture.utc(expectedUTC)))
        #expect(Fixture.read(text, Fixture.attribute(.datetime), now: now) == expected)
    }

    /// Spring forward: at 02:00 CST on Sunday 2026-03-08 clocks jumped to 03:00 CDT, so 02:30 never happened.
    @Test("days after the spring-forward change; a skipped time becomes the end of the gap", arguments: [
        ("yesterday 2:30am", "2026-03-08 08:00"), // 03:00 CDT: the first instant after the gap (.nextTime)
        ("yesterday 3:30am", "2026-03-08 08:30"), // 03:30 CDT
        ("yesterday 1:30am", "2026-03-08 07:30"), // 01:30 CST
        ("yesterday", "2026-03-08 17:00"), // 12:00 CDT
        ("2 days ago", "2026-03-07 18:00"), // 12:00 CST
    ])
    func springForward(text: String, expectedUTC: String) {
        let now = Fixture.local("2026-03-09 10:00")
        let expected = AnswerReader.Outcome.value(.datetime(Fixture.utc(expectedUTC)))
        #expect(Fixture.read(text, Fixture.attribute(.datetime), now: now) == expected)
    }

    // MARK: singlevaluelist

    @Test("one option by number, name or key", arguments: [
        ("2", "recycling"), ("#2", "recycling"), ("option 2", "recycling"), ("two", "recycling"),
        ("recycling", "recycling"), ("RECYCLING!", "recycling"), ("the recycling bin", "recycling"),
        ("recyling", "recycling"), ("yard_waste", "yard_waste"), ("yard waste", "yard_waste"),
        ("waste", "yard_waste"), ("bulk item", "bulk"), ("4.", "bulk"),
    ])
    func singleOption(text: String, key: String) {
        #expect(Fixture.read(text, Fixture.attribute(.singlevaluelist, Fixture.bins)) == .value(.options([key])))
    }

    @Test("option names in the resident's locale")
    func localizedOption() {
        let attribute = Fixture.attribute(.singlevaluelist, Fixture.bins)
        #expect(Fixture.read("Reciclaje", attribute, locale: Fixture.spanish) == .value(.options(["recycling"])))
        #expect(Fixture.read("trash", attribute, locale: Fixture.spanish) == .value(.options(["trash"])))
    }

    @Test("unknown, out-of-range or ambiguous options are invalid", arguments: [
        "5", "0", "compost", "trash or recycling", "the", "tr", "1 2",
    ])
    func invalidSingleOption(text: String) {
        #expect(Fixture.read(text, Fixture.attribute(.singlevaluelist, Fixture.bins)) == .invalid)
    }

    @Test("a singlevaluelist without options reads nothing")
    func noOptions() {
        #expect(Fixture.read("1", Fixture.attribute(.singlevaluelist)) == .invalid)
    }

    // MARK: multivaluelist

    @Test("several options, deduplicated, in catalog order", arguments: [
        ("1 3", ["tires", "mattress"]), ("1,3", ["tires", "mattress"]), ("1 and 3", ["tires", "mattress"]),
        ("1, 3 & 4", ["tires", "mattress", "appliance"]), ("3, 1, 1", ["tires", "mattress"]),
        ("tires and a couch", ["tires", "couch"]), ("the couch + tyres", ["tires", "couch"]),
        ("mattress, 1", ["tires", "mattress"]), ("couch", ["couch"]), ("2", ["couch"]),
        ("all", ["tires", "couch", "mattress", "appliance"]),
        ("All of them", ["tires", "couch", "mattress", "appliance"]),
        ("two and four", ["couch", "appliance"]),
    ])
    func multipleOptions(text: String, keys: [String]) {
        #expect(Fixture.read(text, Fixture.attribute(.multivaluelist, Fixture.items)) == .value(.options(keys)))
    }

    @Test("any unreadable part makes a multivaluelist answer invalid", arguments: [
        "1 and 7", "tires and a boat", "0", "both", "tires, 2.5",
    ])
    func invalidMultipleOptions(text: String) {
        #expect(Fixture.read(text, Fixture.attribute(.multivaluelist, Fixture.items)) == .invalid)
    }

    @Test("both chooses the two options of a two-option list")
    func both() {
        let two = Array(Fixture.items.prefix(2))
        #expect(Fixture.read("both", Fixture.attribute(.multivaluelist, two)) == .value(.options(["tires", "couch"])))
    }

    // MARK: choice

    @Test("menu choices", arguments: [
        ("2", 2), ("2.", 2), ("#2", 2), (" 2 ", 2), ("two", 2), ("option 2", 2), ("Option Two", 2), ("1)", 1),
        ("number 3", 3), ("first", 1), ("ten", 10), ("10", 10),
        ("dos", 2), ("opción 3", 3), ("Número 2", 2), ("hai", 2), ("số 2", 2), ("二", 2), ("第二", 2), ("3号", 3),
        ("٢", 2), ("رقم ٣", 3), ("اثنين", 2), ("２", 2),
    ])
    func choices(text: String, expected: Int) {
        #expect(Fixture.reader.choice(text, count: 10, locale: .english) == expected)
    }

    @Test("not menu choices", arguments: ["0", "11", "-1", "eleven", "2 please", "1.5", "", "two three", "option"])
    func notChoices(text: String) {
        #expect(Fixture.reader.choice(text, count: 10, locale: .english) == nil)
    }

    @Test("choices beyond the menu's length are refused")
    func choiceBeyondCount() {
        #expect(Fixture.reader.choice("4", count: 3, locale: .english) == nil)
        #expect(Fixture.reader.choice("3", count: 3, locale: .english) == 3)
    }
}
