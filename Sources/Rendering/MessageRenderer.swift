import CityModel
import Foundation
import Localization
import Mustache

/// Turns an engine message (key + arguments) into text in the resident's language.
///
/// Each locale string is a logic-less Mustache template. Arguments: `.text` as is, `.number` with its plural category (`{{#count.one}}`), `.date` in the
/// resident's locale and the city's time zone, `.key` as another string of the same locale, `.flag` for sections,
/// `.list` for numbered menus. Text channels render without HTML escaping.
public struct MessageRenderer: Sendable {
    public struct RenderError: Error, CustomStringConvertible, Sendable {
        public var locale: LanguageTag
        public var key: String
        public var reason: String
        public var description: String { "\(locale.code): \(key): \(reason)" }
    }

    public let catalog: MessageCatalog
    let timeZone: TimeZone
    let fallbacks: [LanguageTag]
    /// Parsed templates: locale → key → template.
    let templates: [LanguageTag: [String: MustacheTemplate]]
    /// Templates that failed to parse (reported by `cityline check`).
    public let problems: [RenderError]

    public init(catalog: MessageCatalog, timeZone: TimeZone, fallbacks: [LanguageTag]) {
        self.catalog = catalog
        self.timeZone = timeZone
        self.fallbacks = fallbacks
        var templates: [LanguageTag: [String: MustacheTemplate]] = [:]
        var problems: [RenderError] = []
        for (locale, strings) in catalog.strings {
            for (key, text) in strings {
                do {
                    templates[locale, default: [:]][key] = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
                } catch {
                    problems.append(RenderError(locale: locale, key: key, reason: "template does not parse: \(error)"))
                }
            }
        }
        self.templates = templates
        self.problems = problems.sorted { ($0.locale.code, $0.key) < ($1.locale.code, $1.key) }
    }

    /// The text of `key` with `args` in `locale` (following the fallback chain). A missing key renders as the
    /// key itself in brackets, so it is visible in tests and never silently empty; `cityline check` reports it.
    public func render(_ key: String, _ args: [String: MessageArgument] = [:], locale: LanguageTag) -> String {
        text(key, args, locale: locale, on: nil)
    }

    /// The text of `key`; on a known channel a string can say how it reaches the resident with
    /// `{{#channel.email}}emails{{/channel.email}}` (one flag per channel: `sms`, `email`, `chat`, …, and `messages`
    /// on the channels whose profile says residents get messages there, not texts).
    func text(_ key: String, _ args: [String: MessageArgument], locale: LanguageTag, on channel: Channel?, messages: Bool = false) -> String {
        guard let template = template(key, locale) else { return "[\(key)]" }
        var context = args.mapValues { value(of: $0, locale: locale, on: channel) }
        if let channel { context["channel"] = [channel.rawValue: true, "messages": messages] }
        return TextFolding.trimmed(template.render(context))
    }

    /// Whether `key` exists in `locale` or a fallback.
    public func has(_ key: String, locale: LanguageTag) -> Bool { template(key, locale) != nil }

    private func template(_ key: String, _ locale: LanguageTag) -> MustacheTemplate? {
        if let template = templates[locale]?[key] { return template } // the usual case, without building the chain
        for tag in locale.parents + fallbacks {
            if let template = templates[tag]?[key] { return template }
        }
        return nil
    }

    private func value(of argument: MessageArgument, locale: LanguageTag, on channel: Channel?) -> Any {
        switch argument {
        case .text(let text): return text
        case .number(let number): return PluralNumber(value: number, category: PluralRules.shared.category(number, locale: locale))
        case .flag(let flag): return flag
        case .key(let key): return text(key, [:], locale: locale, on: channel)
        case .date(let date): return format(date, locale: locale)
        case .day(let date): return formatDay(date, locale: locale)
        case .list(let rows): return rows.map { $0.mapValues { value(of: $0, locale: locale, on: channel) } }
        }
    }

    /// "Mon, Nov 23, 8:00 AM" in English; each locale's own order and words elsewhere.
    public func format(_ date: Date, locale: LanguageTag) -> String {
        date.formatted(dayStyle(locale).hour().minute())
    }

    /// "Mon, Nov 30" in English.
    public func formatDay(_ date: Date, locale: LanguageTag) -> String {
        date.formatted(dayStyle(locale))
    }

    private func dayStyle(_ locale: LanguageTag) -> Date.FormatStyle {
        Date.FormatStyle(locale: Locale(identifier: locale.code), timeZone: timeZone)
            .weekday(.abbreviated).month(.abbreviated).day()
    }
}

/// A number in a template: renders as itself, and `{{#n.one}}…{{/n.one}}` is on when ICU puts it in that CLDR
/// plural category for the message's locale.
struct PluralNumber: MustacheParent, MustacheCustomRenderable {
    let value: Int
    let category: String

    var renderText: String { String(value) }
    var isNull: Bool { false }

    func child(named name: String) -> Any? {
        PluralRules.allCategories.contains(name) ? name == category : nil
    }
}
