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
    static let locales = ["en", "es", "zh-Hans", "vi", "ar"]

    static func samples(_ locale: LanguageTag) throws -> [String: [String: MessageArgument]] {
        MessageSamples.arguments(for: locale, city: try DemoCity.shared.city)
    }

    @Test func everyKeyHasASampleAndEverySampleAKey() throws {
        let city = try DemoCity.shared
        let keys = Set(city.renderer.catalog.strings[.english]?.keys.map { $0 } ?? [])
        let samples = try Self.samples(.english)
        #expect(keys.subtracting(samples.keys).sorted() == [], "keys in Locales/en.yaml without a sample")
        #expect(Set(samples.keys).subtracting(keys).sorted() == [], "samples for keys missing in Locales/en.yaml")
    }

    /// Every message of one locale as each channel sends it: the SMS body with its encoding and segments, and
    /// the email and chat text where it differs (chat and email keep typographic punctuation).
    @Test(arguments: locales)
    func snapshot(locale code: String) throws {
        let renderer = try DemoCity.shared.renderer
        let locale = LanguageTag(code)
        let samples = try Self.samples(locale)
        var text = "# Every resident-facing message in \(code), rendered with sample arguments from the demo city.\n"
        text += "# Each heading gives the SMS encoding and segment count; email and chat follow when they differ.\n"
        for key in samples.keys.sorted() {
            let sms = renderer.render(key, samples[key]!, locale: locale, channel: .sms)
            let other = renderer.render(key, samples[key]!, locale: locale, channel: .chat)
            text += "\n## \(key) [sms: \(SMSText.cost(of: sms))]\n\(sms)\n"
            if other != sms { text += "### email, chat\n\(other)\n" }
            #expect(!sms.hasPrefix("["), "\(code): \(key) has no text")
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
