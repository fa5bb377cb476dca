import CityModel
import Foundation
import Localization
public struct AnswerReader: Sendable {
    public enum Outcome: Hashable, Sendable { case value(AttributeValue), skipped, invalid }
    let lexicon: Lexicon
    public init(lexicon: Lexicon) { self.lexicon = lexicon }
    public func read(_ text: String, for attribute: ServiceAttribute, locale: LanguageTag, now: Date, timeZone: TimeZone) -> Outcome {
        if let n = choice(text, count: attribute.values.count, locale: locale) { return .value(.options([attribute.values[n-1].key])) }
        return .value(.text(text))
    }
    public func choice(_ text: String, count: Int, locale: LanguageTag) -> Int? {
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), (1...max(count,1)).contains(n) else { return nil }
        return n
    }
}
