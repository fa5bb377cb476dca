import CityModel
import Localization

/// Spots messages that describe an emergency, so the engine answers "call 911" and opens no ticket.
///
/// Trigger phrases match whole folded words in sequence (Arabic words without their article, see `words`). Before matching, every `unless` phrase of the trigger
/// is blanked out of the text, so "the fire hydrant is leaking" does not fire "fire" while "house on fire next to
/// the fire hydrant" still does.
public struct Triage: Sendable {
    struct Trigger: Sendable {
        var code: String
        var phrases: [[String]]
        var unless: [[String]]
    }

    let triggers: [Trigger]

    public init(city: City) {
        triggers = city.emergencies.map { trigger in
            Trigger(
                code: trigger.code,
                phrases: trigger.phrases.all.map(Self.words).filter { !$0.isEmpty },
                unless: trigger.unless.all.map(Self.words).filter { !$0.isEmpty }
            )
        }
    }

    /// The code of the first trigger `text` matches, or nil.
    public func emergency(in text: String) -> String? {
        let words = Self.words(text)
        guard !words.isEmpty else { return nil }
        for trigger in triggers {
            var remaining: [String?] = words
            for phrase in trigger.unless {
                for start in Self.occurrences(of: phrase, in: remaining) {
                    for index in start..<start + phrase.count { remaining[index] = nil }
                }
            }
            if trigger.phrases.contains(where: { !Self.occurrences(of: $0, in: remaining).isEmpty }) {
                return trigger.code
            }
        }
        return nil
    }

    /// Folded words; Arabic words also lose their article and attached prefixes ("الغاز" matches "غاز"),
    /// as written phrases leave them off. Other languages match as written (folded), without stemming.
    static func words(_ text: String) -> [String] {
        TextFolding.words(text).map { Stemmer.isArabic($0) ? Stemmer.arabic($0) : $0 }
    }

    static func occurrences(of phrase: [String], in words: [String?]) -> [Int] {
        guard phrase.count <= words.count else { return [] }
        return (0...(words.count - phrase.count)).filter { start in
            phrase.indices.allSatisfy { words[start + $0] == phrase[$0] }
        }
    }
}
