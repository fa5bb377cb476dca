import CityModel

/// Every resident-facing string, per locale: message key → Mustache template
/// (`report.created: "Thanks! Your tracking number is {{number}}."`). Loaded from `Locales/*.yaml`.
public struct MessageCatalog: Sendable, Equatable {
    public var strings: [LanguageTag: [String: String]]
    /// The endonym of each locale ("English", "Español"), for language menus.
    public var names: [LanguageTag: String]

    public init(strings: [LanguageTag: [String: String]] = [:], names: [LanguageTag: String] = [:]) {
        self.strings = strings
        self.names = names
    }

    public var locales: [LanguageTag] { strings.keys.sorted() }

    /// The template for `key` in `locale`, following the fallback chain: the locale, its parents, then
    /// `fallbacks` (the city default, then English).
    public func template(_ key: String, locale: LanguageTag, fallbacks: [LanguageTag] = [.english]) -> String? {
        for tag in locale.parents + fallbacks {
            if let text = strings[tag]?[key] { return text }
        }
        return nil
    }

    /// Keys present in `reference` but missing in `locale` (for `cityline check` and tests).
    public func missingKeys(in locale: LanguageTag, reference: LanguageTag = .english) -> [String] {
        let have = Set(strings[locale]?.keys.map { $0 } ?? [])
        return (strings[reference]?.keys.map { $0 } ?? []).filter { !have.contains($0) }.sorted()
    }
}
