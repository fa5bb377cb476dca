import CityModel
import Foundation
import Localization
import Messaging

/// What `cityline check` verifies beyond loading: every configured locale has every message key and every
/// catalog text, every message renders, and every template renders in every locale.
public struct ConfigurationCheck: Sendable {
    let city: City
    let catalog: MessageCatalog
    let composer: MessageComposer
    var renderer: MessageRenderer { composer.renderer }

    public init(city: City, catalog: MessageCatalog, composer: MessageComposer) {
        self.city = city
        self.catalog = catalog
        self.composer = composer
    }

    public func problems() -> [String] {
        var problems = renderer.problems.map(\.description) + pluralProblems()
        problems += composer.templates.problems.map(\.description) + templateProblems()
        for locale in city.locales {
            guard catalog.strings[locale] != nil || locale.parents.dropFirst().contains(where: { catalog.strings[$0] != nil }) else {
                problems.append("locale \(locale.code): no Locales/\(locale.code).yaml")
                continue
            }
            for key in catalog.missingKeys(in: locale) where catalog.strings[locale] != nil {
                problems.append("locale \(locale.code): message '\(key)' is missing")
            }
            problems += missingCatalogTexts(locale)
            if !city.emergencies.isEmpty, !city.emergencies.concepts.values.contains(where: { !($0.values[locale]?.isEmpty ?? true) }) {
                problems.append("locale \(locale.code): no emergency phrases (emergencies/\(locale.code).yaml): emergencies in \(locale.code) would not be recognised")
            }
        }
        for line in smsReport() where line.isLong {
            problems.append("locale \(line.locale.code): message '\(line.key)' takes \(line.cost.segments) SMS segments (\(line.cost)); the limit is \(line.limit) (sms.max_segments)")
        }
        for locale in catalog.locales where locale != .english {
            let extra = Set(catalog.strings[locale]?.keys.map { $0 } ?? []).subtracting(catalog.strings[.english]?.keys.map { $0 } ?? [])
            for key in extra.sorted() { problems.append("locale \(locale.code): message '\(key)' is not in English (unused?)") }
        }
        return problems
    }

    private func missingCatalogTexts(_ locale: LanguageTag) -> [String] {
        var problems: [String] = []
        func need(_ text: LocalizedText, _ what: String) {
            if text.values[locale] == nil { problems.append("locale \(locale.code): \(what) has no text") }
        }
        for group in city.groups { need(group.name, "group '\(group.code)' name") }
        for department in city.departments { need(department.name, "department '\(department.code)' name") }
        for service in city.services {
            need(service.name, "service '\(service.code)' name")
            if service.keywords.values[locale]?.isEmpty ?? true {
                problems.append("locale \(locale.code): service '\(service.code)' has no keywords")
            }
            for attribute in service.attributes {
                need(attribute.question, "service '\(service.code)' attribute '\(attribute.code)' question")
                for option in attribute.values {
                    need(option.name, "service '\(service.code)' attribute '\(attribute.code)' value '\(option.key)'")
                }
            }
        }
        for entry in city.information { need(entry.answer, "information '\(entry.code)' answer") }
        return problems
    }

    /// Plural sections that cannot work: a category the locale does not have (`{{#n.one}}` in Chinese), or
    /// sections that leave some of its categories with no text and no `{{^…}}` fallback (Arabic "few").
    func pluralProblems() -> [String] {
        var problems: [String] = []
        let pattern = /\{\{([#^])([A-Za-z_]+)\.(zero|one|two|few|many|other)\}\}/
        for locale in catalog.locales {
            let available = PluralRules.shared.categories(locale: locale)
            for (key, text) in (catalog.strings[locale] ?? [:]).sorted(by: { $0.key < $1.key }) {
                var positive: [String: Set<String>] = [:]
                var inverted: Set<String> = []
                for match in text.matches(of: pattern) {
                    let name = String(match.2), category = String(match.3)
                    if !available.contains(category) {
                        problems.append("locale \(locale.code): message '\(key)' uses plural category '\(category)', "
                            + "which \(locale.code) does not have (it has \(available.sorted().joined(separator: ", ")))")
                    }
                    if match.1 == "#" { positive[name, default: []].insert(category) } else { inverted.insert(name) }
                }
                for (name, used) in positive.sorted(by: { $0.key < $1.key }) where !inverted.contains(name) {
                    let missing = available.subtracting(used)
                    if !missing.isEmpty {
                        problems.append("locale \(locale.code): message '\(key)' has no text for {{\(name)}} in plural "
                            + "categor\(missing.count == 1 ? "y" : "ies") \(missing.sorted().joined(separator: ", "))")
                    }
                }
            }
        }
        return problems
    }

    /// Every template in every city locale, rendered for a sample message of each kind it serves: a string it shows
    /// that the locale lacks (rendered as `[key]`), or nothing at all, is a problem.
    func templateProblems() -> [String] {
        var problems: Set<String> = []
        let missing = /\[([a-z_]+(?:\.[a-z_]+)+)\]/
        let ticket = TrackingNumber(serial: 0)
        for locale in city.locales {
            let samples = MessageSamples.arguments(for: locale, city: city)
            let body = OutboundMessage("update.status", samples["update.status"] ?? [:])
            for kind in MessageKind.allCases {
                var message = body
                message.kind = kind
                // Every channel the product ships templates for, each part its profile names.
                for channel in TemplateSet.requiredParts.keys.sorted() {
                    let profile = composer.profiles[channel]
                    let address = ChannelAddress(channel: channel, address: profile.html ? "resident@example.org" : "+12175550100")
                    guard let composed = composer.compose([message], to: address, locale: locale, ticket: ticket).first else { continue }
                    let parts: [(String, String?)] = profile.templateParts.map { part in
                        switch part {
                        case "subject": (part, composed.subject)
                        case "html": (part, composed.html)
                        default: (part, composed.body)
                        }
                    }
                    for (part, output) in parts {
                        let file = composer.templates.template(channel, part, kind: kind).map { composer.templates.file(of: $0.name) }
                            ?? "\(channel.rawValue)/\(part).mustache"
                        guard let output, !output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                            problems.insert("\(file): renders nothing in \(locale.code)")
                            continue
                        }
                        for match in output.matches(of: missing) where !renderer.has(String(match.1), locale: locale) {
                            problems.insert("\(file): shows string '\(match.1)', which \(locale.code) does not have")
                        }
                    }
                }
            }
        }
        return problems.sorted()
    }

    /// One message as an SMS: its encoding and segments, rendered with sample arguments.
    public struct SMSLine: Sendable {
        public var locale: LanguageTag
        public var key: String
        public var cost: SMSCost
        /// The city's limit (`City.smsSegmentLimit`).
        public var limit: Int
        /// Longer than the city allows.
        public var isLong: Bool { cost.segments > limit }
    }

    /// Every whole message (not the fragments shown inside others) in every city locale, as SMS through the SMS
    /// template.
    public func smsReport() -> [SMSLine] {
        var lines: [SMSLine] = []
        for locale in city.locales {
            let samples = MessageSamples.arguments(for: locale, city: city)
            for key in samples.keys.sorted() where !MessageSamples.fragments.contains(key) {
                let body = composer.compose([OutboundMessage(key, samples[key] ?? [:])], to: Self.sampleSMS, locale: locale, ticket: nil)
                    .first?.body ?? ""
                lines.append(SMSLine(locale: locale, key: key, cost: SMSText.cost(of: body), limit: city.smsSegmentLimit))
            }
        }
        return lines
    }

    static let sampleSMS = ChannelAddress(channel: .sms, address: "+12175550100")
}
