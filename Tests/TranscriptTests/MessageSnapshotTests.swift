import CityModel
import Foundation
import Localization
import Rendering
import Testing

/// Every resident-facing message, rendered with sample arguments, compared with a reviewed text snapshot per
/// locale (`__Snapshots__/messages.<locale>.txt`), so wording changes show up in review, not on phones.
/// `CITYLINE_RECORD=1 swift test --filter MessageSnapshotTests` rewrites the snapshots.
@Suite struct MessageSnapshotTests {
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
    static let monday = ISO8601DateFormatter().date(from: "2026-11-23T14:00:00-06:00")!

    static let choices: MessageArgument = .list([
        ["n": .number(1), "name": .text("Pothole")], ["n": .number(2), "name": .text("Damaged sidewalk")],
        ["n": .number(3), "name": .key("choice.something_else")],
    ])

    /// Arguments for each message key, as the engine sends them.
    static let samples: [String: [String: MessageArgument]] = [
        "welcome": ["program": .text("Springfield 311")],
        "help": ["program": .text("Springfield 311"), "phone": .text("311")],
        "emergency": ["program": .text("Springfield 311")],
        "optout.confirmed": ["program": .text("Springfield 311")],
        "optin.confirmed": ["program": .text("Springfield 311")],
        "optin.already": ["program": .text("Springfield 311")],
        "cancel.done": [:], "cancel.nothing": [:], "restart.done": [:],
        "agent.open": [:],
        "agent.closed": ["opening": .date(monday), "phone": .text("311")],
        "agent.unstaffed": ["phone": .text("311")],
        "language.changed": [:],
        "language.choose": ["languages": .text("en")],
        "session.expired": [:],
        "info.answer": ["answer": .text("Trash is picked up once a week.")],
        "status.none": [:],
        "status.list": ["tickets": .list([
            ["number": .text("1000002"), "service": .text("Pothole"), "status": .key("status.name.open")],
            ["number": .text("1000015"), "service": .text("Street light out"), "status": .key("status.name.in_progress")],
        ])],
        "status.one": [
            "number": .text("1000002"), "service": .text("Pothole"), "status": .key("status.name.in_progress"),
            "location": .text("1423 Oak St"), "updated": .date(monday), "note": .text("A crew is scheduled."),
            "expected": .day(monday.addingTimeInterval(5 * 86_400)),
        ],
        "status.unknown": ["number": .text("1000015")],
        "status.invalid": [:],
        "status.name.open": [:], "status.name.acknowledged": [:], "status.name.in_progress": [:], "status.name.closed": [:],
        "report.ask_problem": [:],
        "report.confirm_service": ["service": .text("Pothole")],
        "report.choose_service": ["choices": choices],
        "report.choose_group": ["choices": choices, "unclear": .flag(true)],
        "report.choose_in_group": ["choices": choices],
        "report.ask_location": ["service": .text("Pothole")],
        "report.reask_location": [:],
        "report.ask_attribute": [
            "service": .text("Pothole"), "question": .text("About how big is it?"), "choices": choices,
            "multiple": .flag(true), "optional": .flag(true),
        ],
        "report.reask_attribute": [
            "question": .text("How many items?"), "hint": .key("hint.number"), "optional": .flag(false),
        ],
        "report.attribute_giveup": [:], "report.location_giveup": [:],
        "report.ask_photo": ["service": .text("Graffiti")],
        "report.summary": [
            "service": .text("Pothole"), "location": .text("1423 Oak St"), "photos": .number(1),
            "details": .list([["value": .text("Bigger than a car tire")], ["value": .text("In a traffic lane")]]),
        ],
        "report.choose_correction": ["details": .flag(true)],
        "report.created": [
            "number": .text("1000002"), "service": .text("Pothole"), "department": .text("Public Works – Streets"),
            "expected": .day(monday.addingTimeInterval(5 * 86_400)),
        ],
        "answer.yes_no": [:],
        "choice.invalid": [:], "choice.something_else": [:], "choice.back": [:],
        "hint.string": [:], "hint.text": [:], "hint.number": [:], "hint.datetime": [:],
        "hint.singlevaluelist": [:], "hint.multivaluelist": [:],
    ]

    @Test func everyKeyHasASampleAndEverySampleAKey() throws {
        let city = try DemoCity.shared
        let keys = Set(city.renderer.catalog.strings[.english]?.keys.map { $0 } ?? [])
        #expect(keys.subtracting(Self.samples.keys).sorted() == [], "keys in Locales/en.yaml without a sample")
        #expect(Set(Self.samples.keys).subtracting(keys).sorted() == [], "samples for keys missing in Locales/en.yaml")
    }

    @Test(arguments: ["en"])
    func snapshot(locale code: String) throws {
        let renderer = try DemoCity.shared.renderer
        let locale = LanguageTag(code)
        var text = "# Every resident-facing message in \(code), rendered with sample arguments.\n"
        for key in Self.samples.keys.sorted() {
            text += "\n## \(key)\n\(renderer.render(key, Self.samples[key]!, locale: locale))\n"
        }
        let file = Self.snapshots.appendingPathComponent("messages.\(code).txt")
        if ProcessInfo.processInfo.environment["CITYLINE_RECORD"] == "1" {
            try FileManager.default.createDirectory(at: Self.snapshots, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        } else {
            let expected = try String(contentsOf: file, encoding: .utf8)
            #expect(text == expected, "messages.\(code).txt differs; review and re-record with CITYLINE_RECORD=1")
        }
    }
}
