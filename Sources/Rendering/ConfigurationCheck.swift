import CityModel
import Foundation
import Localization

/// What `cityline check` verifies beyond loading: every configured locale has every message key and every
/// catalog text, and every message renders.
public struct ConfigurationCheck: Sendable {
    let city: City
    let catalog: MessageCatalog
    let renderer: MessageRenderer

    public init(city: City, catalog: MessageCatalog, renderer: MessageRenderer) {
        self.city = city
        self.catalog = catalog
        self.renderer = renderer
    }

    public func problems() -> [String] {
        var problems = renderer.problems.map(\.description)
        for locale in city.locales {
            guard catalog.strings[locale] != nil || locale.parents.dropFirst().contains(where: { catalog.strings[$0] != nil }) else {
                problems.append("locale \(locale.code): no Locales/\(locale.code).yaml")
                continue
            }
            for key in catalog.missingKeys(in: locale) where catalog.strings[locale] != nil {
                problems.append("locale \(locale.code): message '\(key)' is missing")
            }
            problems += missingCatalogTexts(locale)
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
}
