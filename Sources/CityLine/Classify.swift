import ArgumentParser
import Conversation
import Foundation
import Localization

/// `cityline classify`: one message per stdin line → one JSON object per line.
struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify resident messages, one per line on stdin; prints one JSON object per line."
    )

    @OptionGroup var city: CityOptions

    struct Line: Encodable {
        var text: String
        var language: String
        var service_code: String?
        var service_name: String?
        var confidence: Double
        var emergency: Bool
        var opt_out: Bool
        /// What the engine would do: "direct", "confirm", "choose", "menu" or "information".
        var decision: String
    }

    func run() async throws {
        let loaded = try LoadedCity.load(city)
        let classifier = Classifier(city: loaded.city)
        let triage = Triage(city: loaded.city)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let locale = loaded.city.defaultLocale
        while let text = readLine(strippingNewline: true) {
            let result = classifier.classify(text)
            let services = result.candidates.filter { $0.kind == .service }
            let decision = classifier.decide(services)
            var line = Line(
                text: text, language: locale.code, service_code: nil, service_name: nil, confidence: 0,
                emergency: triage.emergency(in: text) != nil,
                opt_out: loaded.lexicon.command(exactly: TextFolding.fold(text), locale: locale) == .stop,
                decision: "menu"
            )
            if let top = result.top, top.kind == .information, case .confident = classifier.decide(result.candidates) {
                line.decision = "information"
            } else if let top = services.first, decision != .none {
                line.service_code = top.code
                line.service_name = loaded.city.service(top.code)?.name.resolve(locale)
                line.confidence = classifier.confidence(services)
                switch decision {
                case .confident: line.decision = "direct"
                case .unsure: line.decision = "confirm"
                case .ambiguous: line.decision = "choose"
                case .none: line.decision = "menu"
                }
            }
            print(String(decoding: try encoder.encode(line), as: UTF8.self))
        }
    }
}
