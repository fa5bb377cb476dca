import ArgumentParser
import CityLineApp
import Conversation
import Foundation
import Localization

/// `cityline classify`: one message per stdin line → one JSON object per line.
struct Classify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify resident messages, one per line on stdin; prints one JSON object per line."
    )

    @OptionGroup var city: CityOptions

    @Flag(help: "Also print every scored candidate (to tune a catalog's keywords).")
    var explain = false

    /// One output line; keys in the contract's order, absent values as `null`.
    struct Line {
        var text: String
        var language: String
        /// Whether the language was clear enough to act on (the engine asks otherwise).
        var language_sure: Bool
        var service_code: String?
        var service_name: String?
        var confidence: Double
        var emergency: Bool
        /// Signs of danger short of an emergency: the answer starts with "if anyone is in danger now, call 911".
        var caution: Bool
        var opt_out: Bool
        /// What the engine would do: "direct", "confirm", "choose", "menu" or "information".
        var decision: String
        /// With --explain: "code:score" of every candidate, best first.
        var candidates: [String]?
        /// With --explain: the language evidence ("es 4.2, runner-up pt, lead 1.8").
        var language_evidence: String?
        /// With --explain: the emergency trigger (or "none") and the triage concepts of each sentence
        /// ("medical | person collapse | ongoing").
        var triage: String?
        /// With --explain, when triage found something: the language a resident not yet known would be answered in
        /// (the language of the phrases that raised it, else the message's).
        var triage_language: String?
        /// With --explain: where the message says the problem is, as the engine reads it from a first message
        /// ("address: 1423 Oak St → 1423 Oak St, 39.7817,-89.6501"), or null.
        var location: String?

        func json() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            func value<T: Encodable>(_ v: T?) throws -> String {
                guard let v else { return "null" }
                return String(decoding: try encoder.encode(v), as: UTF8.self)
            }
            let fields: [(String, String)] = [
                ("text", try value(text)), ("language", try value(language)), ("language_sure", try value(language_sure)),
                ("service_code", try value(service_code)),
                ("service_name", try value(service_name)), ("confidence", try value(confidence)),
                ("emergency", try value(emergency)), ("caution", try value(caution)), ("opt_out", try value(opt_out)), ("decision", try value(decision)),
            ] + (candidates == nil ? [] : [("candidates", try value(candidates))])
                + (language_evidence == nil ? [] : [("language_evidence", try value(language_evidence))])
                + (triage == nil ? [] : [("triage", try value(triage))])
                + (triage_language == nil ? [] : [("triage_language", try value(triage_language))])
                + (candidates == nil ? [] : [("location", try value(location))])
            return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }
    }

    func run() async throws {
        var flags = AppConfiguration.Flags()
        city.apply(to: &flags)
        let loaded = try LoadedCity.load(try AppConfiguration.commandLine(flags).city)
        let classifier = Classifier(city: loaded.city)
        let triage = loaded.engine.triage
        let locations = LocationExtractor()
        let detector = LanguageDetector(catalogWords: loaded.city.wordsByLanguage, preferred: loaded.city.locales.map(\.language))
        while let text = readLine(strippingNewline: true) {
            let detection = detector.detect(text)
            let words = FoldedText(text)
            let placed = detection.language.flatMap { LanguageDetector.locale(for: $0, among: loaded.city.locales) }
            let finding = triage.assess(words, text: text, placed: { placed != nil })
            let locale = placed ?? loaded.city.defaultLocale
            let result = classifier.classify(text)
            let services = result.candidates.filter { $0.kind == .service }
            let decision = classifier.decide(services)
            var line = Line(
                text: text, language: detection.language ?? loaded.city.defaultLocale.language,
                language_sure: detection.isConfident, service_code: nil, service_name: nil, confidence: 0,
                emergency: finding.map { $0.answer != .caution } ?? false,
                caution: finding?.answer == .caution,
                opt_out: loaded.lexicon.command(exactly: TextFolding.fold(text), marked: TextFolding.marked(text), locale: locale) == .stop,
                decision: "menu"
            )
            if let top = result.top, top.kind == .information, case .confident = classifier.decide(result.candidates) {
                line.decision = "information"
            } else if let top = services.first, decision != .none {
                line.service_code = top.code
                line.service_name = loaded.city.service(top.code)?.name.resolve(locale, fallbacks: loaded.city.fallbackLocales)
                line.confidence = classifier.confidence(services)
                switch decision {
                case .confident: line.decision = "direct"
                case .unsure: line.decision = "confirm"
                case .ambiguous: line.decision = "choose"
                case .none: line.decision = "menu"
                }
            }
            if explain {
                line.candidates = result.candidates.map { "\($0.code):\(($0.score * 100).rounded() / 100)" }
                line.language_evidence = "\(detection.language ?? "none") \((detection.score * 100).rounded() / 100), runner-up "
                    + "\(detection.runnerUp ?? "none"), lead \((detection.lead * 100).rounded() / 100)"
                let score = triage.dangerScore(text).map { "model \(($0 * 100).rounded() / 100)" } ?? "model -"
                line.triage = ([finding?.code ?? "none", score] + triage.explain(words)).joined(separator: " | ")
                if let finding {
                    line.triage_language = (finding.answerLocale(among: loaded.city.locales) ?? locale).code
                }
                line.location = locations.extract(from: text).map { found in
                    let placed = loaded.geocoder.placing(found)
                    let point = placed.coordinate.map { String(format: ", %.4f,%.4f", $0.latitude, $0.longitude) } ?? ""
                    return "\(found.kind.rawValue): \(found.text)" + (placed.matched.map { " → \($0)\(point)" } ?? "")
                }
            }
            print(try line.json())
        }
    }
}
