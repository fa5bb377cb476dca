import CityModel
import Foundation
import Localization
import Rendering
import Testing

/// Every resident-facing message, rendered with sample arguments, compared with a reviewed text snapshot per
/// locale (`__Snapshots__/messages.<locale>.txt`), so wording changes show up in review, not on phones.
/// `CITYLINE_RECORD=1 swift test --filter MessageSnapshotTests` rewrites the snapshots.
@Suite struct MessageSnapshotTests {
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

    /// Every message of one locale as the SMS and chat templates send it: the SMS body with its encoding and
    /// segments, and the chat text where it differs (chat keeps typographic punctuation). Emails are in
    /// `email.<locale>.txt` (`TemplateTests`).
    @Test(arguments: locales)
    func snapshot(locale code: String) throws {
        let composer = try DemoCity.shared.composer
        let locale = LanguageTag(code)
        let samples = try Self.samples(locale)
        var text = "# Every resident-facing message in \(code), rendered with sample arguments from the demo city.\n"
        text += "# Each heading gives the SMS encoding and segment count; chat follows when it differs.\n"
        for key in samples.keys.sorted() where !key.hasPrefix("email.") {
            func send(_ channel: Channel) -> String {
                composer.compose([OutboundMessage(key, samples[key]!)], to: ChannelAddress(channel: channel, address: "+12175550100"),
                                 locale: locale, ticket: nil).first?.body ?? ""
            }
            let sms = send(.sms), chat = send(.chat)
            text += "\n## \(key) [sms: \(SMSText.cost(of: sms))]\n\(sms)\n"
            if chat != sms { text += "### chat\n\(chat)\n" }
            #expect(!sms.hasPrefix("["), "\(code): \(key) has no text")
        }
        try Snapshot.check(text, named: "messages.\(code).txt")
    }
}
