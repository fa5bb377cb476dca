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
        /// Interned stems (see `vocabulary`).
        var stems: [Int]
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

    /// A phrase, by entry and position.
    struct PhraseRef: Hashable, Sendable {
        var entry: Int
        var phrase: Int
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
    /// Every stem of the catalog, interned: stem → id.
    let vocabulary: [String: Int]
    /// Catalog stems of 5+ letters by first letter, for typo matching.
    /// Catalog stems of 5+ letters by their deletion neighbourhood (the stem with one letter left out, or two for
    /// stems of 8+ letters): a word within two edits of a stem shares a key with it, so a typo is looked up, not
    /// compared against every stem.
    let typoIndex: [UInt64: [Int]]
    /// The letters of each stem id, for the exact check.
    let stemLetters: [[UInt32]]
    /// Phrases by their first stem (content-word phrases and stop-word phrases apart).
    let byFirstStem: [Int: [PhraseRef]]
    let stopWordPhrasesByFirstStem: [Int: [PhraseRef]]
    /// Several-word phrases by their one-word spelling ("streetlight" → "street light").
    let byJoinedSpelling: [String: [PhraseRef]]
    /// Stems that negate ("no", "not"): their phrases allow no words in between.
    let negationIDs: Set<Int>
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
        var vocabulary: [String: Int] = [:]
        func intern(_ stem: String) -> Int {
            if let id = vocabulary[stem] { return id }
            vocabulary[stem] = vocabulary.count
            return vocabulary.count - 1
        }
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
                return Phrase(stems: stems.map(intern), joined: joined, weight: weight, keepsStopWords: keepsStopWords)
            }
            return Entry(kind: kind, code: code, phrases: built)
        }
        var byFirstStem: [Int: [PhraseRef]] = [:]
        var stopWordPhrases: [Int: [PhraseRef]] = [:]
        var byJoined: [String: [PhraseRef]] = [:]
        for (e, entry) in entries.enumerated() {
            for (p, phrase) in entry.phrases.enumerated() {
                let ref = PhraseRef(entry: e, phrase: p)
                if phrase.keepsStopWords {
                    stopWordPhrases[phrase.stems[0], default: []].append(ref)
                } else {
                    byFirstStem[phrase.stems[0], default: []].append(ref)
                }
                if phrase.stems.count > 1 { byJoined[phrase.joined, default: []].append(ref) }
            }
        }
        self.vocabulary = vocabulary
        var typos: [UInt64: [Int]] = [:]
        var stemLetters = [[UInt32]](repeating: [], count: vocabulary.count)
        for (stem, id) in vocabulary {
            let letters = stem.unicodeScalars.map(\.value)
            stemLetters[id] = letters
            guard letters.count >= 5 else { continue }
            for key in Set(Self.deletionKeys(of: letters, upTo: letters.count >= 8 ? 2 : 1)) { typos[key, default: []].append(id) }
        }
        typoIndex = typos
        self.stemLetters = stemLetters
        self.byFirstStem = byFirstStem
        stopWordPhrasesByFirstStem = stopWordPhrases
        byJoinedSpelling = byJoined
        negationIDs = Set(Self.negations.compactMap { vocabulary[$0] })
        self.tuning = tuning
    }

    /// Folded, stemmed words without stop words.
    static func stems(of text: String) -> [String] {
        TextFolding.words(text).filter { !StopWords.all.contains($0) }.map(Stemmer.stem)
    }

    public func classify(_ text: String) -> Result {
        classify(FoldedText(text))
    }

    /// The same for a text already folded (the engine folds each message once).
    public func classify(_ words: FoldedText) -> Result {
        let text = TokenizedText(words.words)
        // Per content word: its own stem id and the ids of catalog words it may be a typo of.
        let exact = text.stems.map { vocabulary[$0] }
        let typos = text.stems.map(typoMatches)
        let allExact = text.allStems.map { vocabulary[$0] }

        // Best match of each phrase that occurs; only phrases starting with a word of the text are tried.
        var best: [PhraseRef: (words: Set<Int>, weight: Double)] = [:]
        func consider(_ ref: PhraseRef, _ match: (words: Set<Int>, weight: Double)?) {
            guard let match, match.weight > (best[ref]?.weight ?? 0) else { return }
            best[ref] = match
        }
        for index in text.stems.indices {
            var starts = typos[index]
            if let id = exact[index] { starts.insert(id) }
            // In order: of two matches of equal weight the first is kept, so a set's (per-process) order would make the
            // same message score differently from one run to the next.
            for id in starts.sorted() {
                for ref in byFirstStem[id] ?? [] {
                    consider(ref, matchContentWords(entries[ref.entry].phrases[ref.phrase], from: index, text, exact, typos))
                }
            }
            // "streetlight" written as one word matches "street light".
            for ref in byJoinedSpelling[text.stems[index]] ?? [] {
                let phrase = entries[ref.entry].phrases[ref.phrase]
                consider(ref, ([text.positions[index]], phrase.weight))
            }
        }
        // "pot hole" written apart matches "pothole" (also with a typo).
        for (index, pair) in text.joinedPairs.enumerated() {
            var ids = typoMatches(pair)
            if let id = vocabulary[pair] { ids.insert(id) }
            for id in ids.sorted() {
                for ref in byFirstStem[id] ?? [] where entries[ref.entry].phrases[ref.phrase].stems.count == 1 {
                    let weight = entries[ref.entry].phrases[ref.phrase].weight * (vocabulary[pair] == id ? 1 : tuning.fuzzyDiscount)
                    consider(ref, ([text.positions[index], text.positions[index + 1]], weight))
                }
            }
        }
        for (index, id) in allExact.enumerated() {
            guard let id else { continue }
            for ref in stopWordPhrasesByFirstStem[id] ?? [] {
                let phrase = entries[ref.entry].phrases[ref.phrase]
                let end = index + phrase.stems.count
                if end <= allExact.count, Array(allExact[index..<end]) == phrase.stems.map(Optional.some) {
                    consider(ref, (Set(index..<end), phrase.weight))
                }
            }
        }

        var byEntry: [Int: [(words: Set<Int>, weight: Double)]] = [:]
        for (ref, match) in best { byEntry[ref.entry, default: []].append(match) }
        var candidates: [Candidate] = []
        for (entryIndex, matches) in byEntry {
            // Greedy: the heaviest matches first; a word counts for one phrase only.
            var covered = Set<Int>()
            var score = 0.0
            // A total order (the words themselves break the last ties): `matches` come in the dictionary's order.
            for match in matches.map({ (words: $0.words, sorted: $0.words.sorted(), weight: $0.weight) }).sorted(by: {
                $0.weight != $1.weight ? $0.weight > $1.weight : $0.sorted.lexicographicallyPrecedes($1.sorted)
            }) where covered.isDisjoint(with: match.words) {
                covered.formUnion(match.words)
                score += match.weight
            }
            let entry = entries[entryIndex]
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
    private func typoMatches(_ stem: String) -> Set<Int> {
        guard stem.utf8.count >= 5, vocabulary[stem] == nil else { return [] }
        let letters = stem.unicodeScalars.map(\.value)
        guard letters.count >= 5 else { return [] }
        let limit = letters.count >= 8 ? 2 : 1
        var ids = Set<Int>()
        var checked = Set<Int>()
        for key in Self.deletionKeys(of: letters, upTo: limit) {
            for id in typoIndex[key] ?? [] where checked.insert(id).inserted {
                let candidate = stemLetters[id]
                // Same first letter: typos rarely hit it, and without this "bridge" would match "fridge".
                if candidate[0] == letters[0], EditDistance.within(letters, candidate, limit: limit) != nil { ids.insert(id) }
            }
        }
        return ids
    }

    /// Hashes of `letters` itself and of every spelling with up to `count` (1 or 2) letters left out. Two words
    /// within `count` edits share one; a hash collision only adds a candidate, which the exact check drops.
    static func deletionKeys(of letters: [UInt32], upTo count: Int) -> [UInt64] {
        func hash(skipping a: Int, _ b: Int) -> UInt64 {
            var value: UInt64 = 0xcbf2_9ce4_8422_2325
            for index in letters.indices where index != a && index != b {
                value = (value ^ UInt64(letters[index])) &* 0x100_0000_01b3
            }
            return value
        }
        var keys: [UInt64] = [hash(skipping: -1, -1)]
        for i in letters.indices {
            keys.append(hash(skipping: i, -1))
            if count >= 2 {
                for j in (i + 1)..<letters.count { keys.append(hash(skipping: i, j)) }
            }
        }
        return keys
    }

    /// Where a content-word phrase starting at content word `start` matches: its words in order with at most
    /// `maxGap` others between (none after a negation: "no plates", "not lit"); a typo costs `fuzzyDiscount`.
    /// Only the matched words count as used: words skipped in between stay free for other phrases.
    private func matchContentWords(
        _ phrase: Phrase, from start: Int, _ text: TokenizedText, _ exact: [Int?], _ typos: [Set<Int>]
    ) -> (words: Set<Int>, weight: Double)? {
        func equal(_ id: Int, at index: Int) -> Bool? {
            if exact[index] == id { return true }
            return typos[index].contains(id) ? false : nil
        }
        guard let first = equal(phrase.stems[0], at: start) else { return nil }
        let gap = negationIDs.contains(phrase.stems[0]) ? 0 : tuning.maxGap
        var matched = [start]
        var typoCount = first ? 0 : 1
        for id in phrase.stems.dropFirst() {
            let position = matched[matched.count - 1]
            var next: Int?
            for candidate in (position + 1)..<min(text.stems.count, position + 2 + gap) {
                if let isExact = equal(id, at: candidate) {
                    next = candidate
                    if !isExact { typoCount += 1 }
                    break
                }
            }
            guard let next else { return nil }
            matched.append(next)
        }
        return (Set(matched.map { text.positions[$0] }), phrase.weight * pow(tuning.fuzzyDiscount, Double(typoCount)))
    }


    static let negations: Set<String> = ["no", "not", "non", "never"]
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
        let kept = words.indices.filter { !StopWords.all.contains(words[$0]) }
        allStems = all
        positions = kept
        stems = kept.map { all[$0] }
        joinedPairs = zip(kept, kept.dropFirst()).map { Stemmer.stem(words[$0] + words[$1]) }
    }
}

/// Words that carry no meaning for classification, in every launch language at once (folded: no accents;
/// each Chinese character is a word). A word listed here must not be a content word in another language.
enum StopWords {
    static let english: Set<String> = [
        "a", "an", "the", "in", "on", "at", "of", "to", "is", "it", "its", "there", "theres", "my", "our", "and",
        "for", "by", "with", "from", "this", "that", "i", "im", "we", "has", "have", "been", "was", "were", "be",
        "are", "near", "please", "hi", "hello", "thanks", "thank", "you", "can", "could", "someone", "some", "me",
        "us", "your", "their", "they", "he", "she", "his", "her", "so", "very", "just", "also", "as", "or", "but",
        "into", "onto", "up", "about", "again", "still", "all", "any", "i'm", "it's", "there's",
    ]
    static let spanish: Set<String> = [
        "el", "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "al", "en", "y", "e", "que", "hay", "es",
        "esta", "estan", "este", "esto", "por", "para", "con", "mi", "mis", "su", "sus", "muy", "se", "lo", "le",
        "aqui", "ahi", "alli", "favor", "hola", "gracias", "buenos", "buenas", "dias", "tardes", "tengo", "tiene",
        "hace", "ya", "yo", "nos", "nuestra", "nuestro", "frente", "cerca",
    ]
    static let vietnamese: Set<String> = [
        "co", "mot", "o", "cua", "la", "va", "bi", "toi", "cai", "nay", "ay", "tai", "xin", "chao", "cam",
        "vui", "giup", "minh", "chung", "ta", "nhieu", "qua", "roi", "da", "dang", "se", "nha", "a", "ah",
        "voi", "cho", "nhung", "cac", "nhe", "em", "anh", "chi", "ban",
    ]
    static let chinese: Set<String> = [
        "的", "了", "在", "是", "我", "这", "那", "个", "们", "你", "您", "他", "她", "它", "吗", "呢", "吧", "啊",
        "和", "就", "也", "都", "还", "请", "谢", "里", "上", "附", "近",
    ]
    static let arabic: Set<String> = [
        "في", "على", "من", "الي", "عند", "هناك", "يوجد", "هذا", "هذه", "مع", "عن", "او", "و", "انا", "نحن",
        "ممكن", "لو", "سمحت", "فضلك", "شكرا", "مرحبا", "السلام", "عليكم", "قرب", "بجانب", "امام",
    ]
    static let all: Set<String> = english.union(spanish).union(vietnamese).union(chinese).union(arabic)
}
