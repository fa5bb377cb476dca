import CPluralRules
import CityModel
import Foundation

/// CLDR plural categories from the system ICU: `one` for 1 in English, `few` for 3…10 in Arabic, and so on.
///
/// Templates choose a word form with sections on a number argument (`{{#count.one}}report{{/count.one}}`);
/// the renderer asks this type which section is on. Results are cached per locale and number.
///
/// The cache is guarded by an `NSLock`, not `Synchronization.Mutex`, for the reason `GroupCommitter` gives:
/// ThreadSanitizer sees a pthread mutex, not a contended `Mutex` on Linux. `cache` is touched only under `lock`.
public final class PluralRules: @unchecked Sendable {
    public static let shared = PluralRules()

    private let lock = NSLock()
    private var cache: [String: String] = [:]

    /// The category of `number` in `locale`: "zero", "one", "two", "few", "many" or "other".
    public func category(_ number: Int, locale: LanguageTag) -> String {
        let key = "\(locale.code) \(number)"
        if let known = lock.withLock({ cache[key] }) { return known }
        var buffer = [CChar](repeating: 0, count: 16)
        let length = cityline_plural_category(locale.code.replacingOccurrences(of: "-", with: "_"), Double(number), &buffer, 16)
        let category = length > 0 ? String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "other"
        lock.withLock { cache[key] = category }
        return category
    }

    /// The categories `locale` uses (English: one, other; Arabic: zero, one, two, few, many, other).
    public func categories(locale: LanguageTag) -> Set<String> {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = cityline_plural_keywords(locale.code.replacingOccurrences(of: "-", with: "_"), &buffer, 64)
        guard length > 0 else { return ["other"] }
        let text = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Set(text.split(separator: " ").map(String.init))
    }

    /// Every CLDR category name.
    public static let allCategories: Set<String> = ["zero", "one", "two", "few", "many", "other"]
}
