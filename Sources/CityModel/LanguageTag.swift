/// A BCP 47 language tag such as `en`, `es-MX` or `zh-Hans`, kept in its canonical case.
///
/// CityLine only needs the language and an optional region or script; the fallback chain
/// (`es-MX` → `es` → city default → `en`) lives in `Localization`.
public struct LanguageTag: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The tag as written, canonical case (`es-MX`, `zh-Hans`).
    public let code: String

    public init(_ raw: String) {
        // Most tags are a lower-case language alone ("en", "es"): nothing to normalize.
        if raw.utf8.count <= 3, raw.utf8.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) {
            code = raw
            return
        }
        let parts = raw.replacingOccurrences(of: "_", with: "-").split(separator: "-").map(String.init)
        var out: [String] = []
        for (index, part) in parts.enumerated() {
            if index == 0 {
                out.append(part.lowercased())
            } else if part.count == 2 {
                out.append(part.uppercased())
            } else if part.count == 4 {
                out.append(part.prefix(1).uppercased() + part.dropFirst().lowercased())
            } else {
                out.append(part.lowercased())
            }
        }
        code = out.joined(separator: "-")
    }

    /// The primary language subtag (`es` for `es-MX`).
    public var language: String {
        guard let dash = code.utf8.firstIndex(of: UInt8(ascii: "-")) else { return code }
        return String(code[..<dash])
    }

    /// The locale of `locales` that serves this tag: the same tag, else the first with the same language
    /// (`es-MX` → `es`, `zh-CN` → `zh-Hans`); nil when the city has none.
    public func match(among locales: [LanguageTag]) -> LanguageTag? {
        locales.first { $0 == self } ?? locales.first { $0.language == language }
    }

    /// This tag and its shorter parents, most specific first: `zh-Hans-CN` → [`zh-Hans-CN`, `zh-Hans`, `zh`].
    public var parents: [LanguageTag] {
        guard code.utf8.contains(UInt8(ascii: "-")) else { return [self] }
        let parts = code.split(separator: "-")
        return (1...parts.count).reversed().map { LanguageTag(canonical: parts.prefix($0).joined(separator: "-")) }
    }

    /// A tag already in canonical case.
    private init(canonical: String) { code = canonical }

    public static let english = LanguageTag("en")

    /// Whether text in this language is written right to left: by its script subtag when it has one (`pa-Arab`,
    /// `az-Arab`), else by its language (Arabic, Hebrew, Persian, Urdu, …). HTML's `dir` comes from this.
    public var isRightToLeft: Bool {
        let subtags = code.split(separator: "-").map(String.init)
        if let script = subtags.dropFirst().first(where: { $0.count == 4 && $0.allSatisfy(\.isLetter) }) {
            return Self.rightToLeftScripts.contains(script)
        }
        return Self.rightToLeftLanguages.contains(language)
    }

    static let rightToLeftLanguages: Set<String> = [
        "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "syr", "ug", "ur", "yi",
    ]
    /// ISO 15924 scripts written right to left.
    static let rightToLeftScripts: Set<String> = ["Adlm", "Arab", "Hebr", "Nkoo", "Rohg", "Syrc", "Thaa"]

    public var description: String { code }
    public static func < (lhs: LanguageTag, rhs: LanguageTag) -> Bool { lhs.code < rhs.code }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}

/// A text with one value per locale, e.g. a service name `{en: Pothole, es: Bache}`.
public struct LocalizedText: Hashable, Sendable, Codable {
    public var values: [LanguageTag: String]

    public init(_ values: [LanguageTag: String]) { self.values = values }
    public init(en: String) { self.values = [.english: en] }

    /// The text for `locale`, following the locale's parents and then `fallbacks`.
    public func resolve(_ locale: LanguageTag, fallbacks: [LanguageTag] = [.english]) -> String {
        for tag in locale.parents + fallbacks { if let text = values[tag] { return text } }
        return values.sorted { $0.key < $1.key }.first?.value ?? ""
    }
}

/// A list with one value per locale, e.g. service keywords.
public struct LocalizedList: Hashable, Sendable, Codable {
    public var values: [LanguageTag: [String]]
    public init(_ values: [LanguageTag: [String]]) { self.values = values }

    /// Every entry in every locale (the classifier matches keywords whatever the resident's language).
    public var all: [String] { values.keys.sorted().flatMap { values[$0] ?? [] } }
}
