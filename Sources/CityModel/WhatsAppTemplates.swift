import Foundation

/// The city's pre-approved WhatsApp message templates (`whatsapp.templates` in `city.yaml`), by kind of message
/// and language: what CityLine sends instead of a free-form message when a status update, a survey or an
/// operator's reply reaches a resident more than 24 hours after their last message (WhatsApp's customer-service
/// window).
///
/// ```yaml
/// whatsapp:
///   templates:
///     status_update: {en: cityline_update, es: cityline_update}
///     survey: {en: {name: cityline_survey, language: en_US}}
/// ```
/// Each template has one body variable, `{{1}}`, which carries the message's text (its lines joined by spaces,
/// as WhatsApp allows no line breaks in a variable). `language` is the template's language code at Meta when it
/// is not the locale's own (`es`, `vi`, `ar`; `zh_CN` for `zh-Hans`).
public struct WhatsAppTemplates: Hashable, Sendable {
    public struct Template: Hashable, Sendable {
        public var name: String
        /// The language code the template was approved under.
        public var language: String
        public init(name: String, language: String) {
            self.name = name
            self.language = language
        }
    }

    /// kind of message (`status_update`) → locale → template.
    public var byKind: [String: [LanguageTag: Template]]

    public init(byKind: [String: [LanguageTag: Template]] = [:]) { self.byKind = byKind }

    /// The template for a message of `kind` in `locale` (or the locale's language), if the city has one.
    public func template(kind: String, locale: LanguageTag) -> Template? {
        guard let templates = byKind[kind] else { return nil }
        return templates[locale] ?? templates.first { $0.key.language == locale.language }?.value
    }

    /// WhatsApp's code for a locale: `zh_CN` for Simplified Chinese, `zh_TW` for Traditional, `pt_BR` for `pt-BR`,
    /// the language alone otherwise.
    public static func languageCode(for locale: LanguageTag) -> String {
        switch locale.code {
        case "zh-Hans": "zh_CN"
        case "zh-Hant": "zh_TW"
        default: locale.code.replacingOccurrences(of: "-", with: "_")
        }
    }
}
