import CityModel
import Foundation
import Localization

/// Reads free text and says which catalog entry (a service, or an information answer) it is about.
///
/// Matching is keyword based, so it is explainable and tunable by a city in its catalog: text and keywords are
/// folded (case, accents, punctuation), English words stemmed, stop words dropped; a keyword phrase matches
/// its words in order with at most `maxGap` other words between them; a word one or two edits away from a
/// catalog word (a typo) matches at a discount; "street light" matches "streetlight" and "pot hole" matches
/// "pothole". Each phrase weighs the sum of its words' inverse document frequency across the catalog, so words
/// that name one service ("pothole") count more than words shared by several ("light").
public struct Classifier: Sendable {
    public enum EntryKind: String, Sendable, Codable { case service, information }

    /// One scored entry.
    public struct Candidate: Hashable, Sendable {
        public var kind: EntryKind
        public var code: String
        public var score: Double
    }

    /// What the engine should do with a text.
    public enum Decision: Hashable, Sendable {
        /// Sure enough to go on without asking.
        case confident(Candidate)
        /// One candidate, but ask "is it …?".
        case unsure(Candidate)
        /// Several close candidates: offer numbered choices.
        case ambiguous([Candidate])
        /// Nothing matched.
        case none
    }

    public struct Result: Sendable {
        /// Every entry that scored, best first.
        public var candidates: [Candidate]
        public var decision: Decision
        /// 0…1: how sure the top candidate is, from its score and its lead over the next one.
        public var confidence: Double
        public var top: Candidate? { candidates.first }
    }

    struct Phrase: Sendable {
        var stems: [String]
        /// The phrase written as one word ("streetlight"), stemmed.
        var joined: String
        var weight: Double
        /// Matched against every word, stop words included: phrases such as "been there for months" that
        /// would shrink to one ordinary word ("month") without their stop words.
        var keepsStopWords: Bool
    }

    struct Entry: Sendable {
        var kind: EntryKind
        var code: String
        var phrases: [Phrase]
    }

    /// Thresholds, tuned on the evaluation set (see `Evaluation/README.md`).
    public struct Tuning: Sendable {
        public var confidentScore = 3.0
        public var minimumScore = 1.5
        /// The top score must be this many times the runner-up to be taken alone.
        public var lead = 1.5
        public var fuzzyDiscount = 0.6
        public var nameBonus = 1.25
        public var maxGap = 2
        public init() {}
    }

    let entries: [Entry]
    let vocabulary: Set<String>
    let tuning: Tuning

    public init(city: City, tuning: Tuning = Tuning()) {
        var raw: [(EntryKind, String, [(String, Bool)])] = []
        for service in city.services {
            let names = service.name.values.values.map { ($0, true) }
            raw.append((.service, service.code, names + service.keywords.all.map { ($0, false) }))
        }
        for info in city.information {
            raw.append((.information, info.code, info.keywords.all.map { ($0, false) }))
        }
        var documentFrequency: [String: Int] = [:]
        for (_, _, phrases) in raw {
            let stems = Set(phrases.flatMap { Self.stems(of: $0.0) })
            for stem in stems { documentFrequency[stem, default: 0] += 1 }
        }
        let count = Double(max(raw.count, 1))
        func idf(_ stem: String) -> Double { 1 + log(count / Double(documentFrequency[stem] ?? 1)) }
        entries = raw.map { kind, code, phrases in
            let built = phrases.compactMap { text, isName -> Phrase? in
                let words = TextFolding.words(text)
                var stems = Self.stems(of: text)
                let keepsStopWords = stems.count == 1 && words.count > 1
                if keepsStopWords { stems = words.map(Stemmer.stem) }
                guard !stems.isEmpty else { return nil }
                let weight = Self.stems(of: text).map(idf).reduce(0, +) * (isName ? tuning.nameBonus : 1)
                    * (keepsStopWords ? Double(words.count).squareRoot() : 1)
                let joined = Stemmer.stem(words.joined())
                return Phrase(stems: stems, joined: joined, weight: weight, keepsStopWords: keepsStopWords)
            }
            return Entry(kind: kind, code: code, phrases: built)
        }
        vocabulary = Set(entries.flatMap { $0.phrases.flatMap(\.stems) })
        self.tuning = tuning
    }

    /// Folded, stemmed words without stop words.
    static func stems(of text: String) -> [String] {
        TextFolding.words(text).filter { !StopWords.english.contains($0) }.map(Stemmer.stem)
    }

    public func classify(_ text: String) -> Result {
        let text = TokenizedText(TextFolding.words(text))
        let fuzzy = text.stems.map(fuzzyMatches)
        let joinedFuzzy = text.joinedPairs.map(fuzzyMatches)

        var candidates: [Candidate] = []
        for entry in entries {
            var matches: [(words: Set<Int>, weight: Double)] = []
            for phrase in entry.phrases {
                if let match = match(phrase, in: text, fuzzy: fuzzy, joinedFuzzy: joinedFuzzy) { matches.append(match) }
            }
            // Greedy: the heaviest matches first; a word counts for one phrase only.
            var covered = Set<Int>()
            var score = 0.0
            for match in matches.sorted(by: { $0.weight > $1.weight }) where covered.isDisjoint(with: match.words) {
                covered.formUnion(match.words)
                score += match.weight
            }
            if score > 0 { candidates.append(Candidate(kind: entry.kind, code: entry.code, score: score)) }
        }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.code < $1.code }
        return Result(candidates: candidates, decision: decide(candidates), confidence: confidence(candidates))
    }

    /// What to do with `candidates` (best first): take the top one, confirm it, offer a choice, or nothing.
    public func decide(_ candidates: [Candidate]) -> Decision {
        guard let top = candidates.first, top.score >= tuning.minimumScore else { return .none }
        let second = candidates.dropFirst().first?.score ?? 0
        if top.score >= second * tuning.lead {
            return top.score >= tuning.confidentScore ? .confident(top) : .unsure(top)
        }
        let close = candidates.prefix(4).filter { $0.score * tuning.lead >= top.score }
        return .ambiguous(Array(close))
    }

    /// 0…1 for the first of `candidates` (best first): its strength and its lead over the second.
    public func confidence(_ candidates: [Candidate]) -> Double {
        guard let top = candidates.first else { return 0 }
        let second = candidates.dropFirst().first?.score ?? 0
        let strength = 1 - exp(-top.score / tuning.confidentScore)
        let lead = (top.score - second) / top.score
        return (strength * (0.5 + 0.5 * lead) * 1000).rounded() / 1000
    }

    /// Catalog words within one edit (words of 5+ letters) or two (8+ letters) of `stem`, starting with the same
    /// letter (typos rarely hit the first letter; without this "bridge" would match "fridge").
    private func fuzzyMatches(_ stem: String) -> Set<String> {
        guard !vocabulary.contains(stem), stem.count >= 5, let first = stem.first else { return [] }
        let limit = stem.count >= 8 ? 2 : 1
        return Set(vocabulary.filter { $0.first == first && $0.count >= 5 && EditDistance.within(stem, $0, limit: limit) != nil })
    }

    /// Which words of the text `phrase` matched (positions among all words) and its weight there. Only the
    /// matched words count as used: words skipped in between stay free for other phrases.
    private func match(
        _ phrase: Phrase, in text: TokenizedText, fuzzy: [Set<String>], joinedFuzzy: [Set<String>]
    ) -> (words: Set<Int>, weight: Double)? {
        if phrase.stems.count > 1, let index = text.stems.firstIndex(of: phrase.joined) {
            // "side walk" written as "sidewalk": worth one word, not two rare ones.
            return ([text.positions[index]], phrase.weight)
        }
        if phrase.stems.count == 1 {
            for (index, pair) in text.joinedPairs.enumerated() where pair == phrase.joined || joinedFuzzy[index].contains(phrase.joined) {
                let weight = pair == phrase.joined ? phrase.weight : phrase.weight * tuning.fuzzyDiscount
                return ([text.positions[index], text.positions[index + 1]], weight)
            }
        }
        // Phrases that keep their stop words run over every word, exactly; the others over content words.
        // A phrase that starts with a negation ("no plates", "not lit") allows no words in between.
        let stems = phrase.keepsStopWords ? text.allStems : text.stems
        let positions = phrase.keepsStopWords ? Array(text.allStems.indices) : text.positions
        let gap = phrase.keepsStopWords || Self.negations.contains(phrase.stems[0]) ? 0 : tuning.maxGap
        var best: (words: Set<Int>, weight: Double)?
        for start in stems.indices {
            let startFuzzy = phrase.keepsStopWords ? [] : fuzzy[start]
            guard let first = equal(phrase.stems[0], stems[start], startFuzzy) else { continue }
            var matched = [start]
            var fuzzyCount = first ? 0 : 1
            for stem in phrase.stems.dropFirst() {
                let position = matched[matched.count - 1]
                var next: Int?
                for candidate in (position + 1)..<min(stems.count, position + 2 + gap) {
                    if let exact = equal(stem, stems[candidate], phrase.keepsStopWords ? [] : fuzzy[candidate]) {
                        next = candidate
                        if !exact { fuzzyCount += 1 }
                        break
                    }
                }
                guard let next else { break }
                matched.append(next)
            }
            guard matched.count == phrase.stems.count else { continue }
            let weight = phrase.weight * pow(tuning.fuzzyDiscount, Double(fuzzyCount))
            if best == nil || weight > best!.weight { best = (Set(matched.map { positions[$0] }), weight) }
            if fuzzyCount == 0 { break }
        }
        return best
    }

    static let negations: Set<String> = ["no", "not", "non", "never"]

    /// true: exact; false: a typo of it; nil: no match.
    private func equal(_ stem: String, _ word: String, _ typosOf: Set<String>) -> Bool? {
        if word == stem { return true }
        if typosOf.contains(stem) { return false }
        return nil
    }
}

/// A text split for matching: every word stemmed, and the content words (no stop words) with their positions.
struct TokenizedText {
    /// Stems of every word.
    let allStems: [String]
    /// Stems of the content words.
    let stems: [String]
    /// Position of each content word among all words.
    let positions: [Int]
    /// Neighbouring content words written as one ("pot hole" → "pothol"), stemmed; pair i starts at stems[i].
    let joinedPairs: [String]

    init(_ words: [String]) {
        let all = words.map(Stemmer.stem)
        let kept = words.indices.filter { !StopWords.english.contains(words[$0]) }
        allStems = all
        positions = kept
        stems = kept.map { all[$0] }
        joinedPairs = zip(kept, kept.dropFirst()).map { Stemmer.stem(words[$0] + words[$1]) }
    }
}

/// Words that carry no meaning for classification.
enum StopWords {
    static let english: Set<String> = [
        "a", "an", "the", "in", "on", "at", "of", "to", "is", "it", "its", "there", "theres", "my", "our", "and",
        "for", "by", "with", "from", "this", "that", "i", "im", "we", "has", "have", "been", "was", "were", "be",
        "are", "near", "please", "hi", "hello", "thanks", "thank", "you", "can", "could", "someone", "some", "me",
        "us", "your", "their", "they", "he", "she", "his", "her", "so", "very", "just", "also", "as", "or", "but",
        "into", "onto", "up", "about", "again", "still", "all", "any", "i'm", "it's", "there's",
    ]
}
