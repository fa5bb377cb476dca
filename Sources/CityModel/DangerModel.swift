import Foundation

/// The triage's learned caution: a logistic regression over hashed character n-grams and words, trained by
/// `Evaluation/train_danger_model.py` on the team's corpus (a city's `emergencies.yaml`, `model:`).
///
/// The phrase rules decide "call 911"; they are exact but each round of phrases reads only what it was written
/// for. The model reads the way emergencies are told — "her lips are kinda blue", "the baby went limp" — and a
/// message it scores at or above `threshold` (and that no rule answered) gets the caution: the turn goes on, and
/// its answer starts with "if anyone is in danger now, call 911 first".
///
/// The features are the trainer's, scalar for scalar: NFKC; letters, numbers and marks kept and lowercased, any
/// run of anything else one space, one space at each end; every run of 2…5 scalars and every word (as "w:word"),
/// each hashed with 64-bit FNV-1a over its UTF-8 bytes modulo `buckets`; counts scaled to unit length.
public struct DangerModel: Sendable, Equatable {
    /// The finding's code ("learned-danger"): events, metrics and `classify` name it.
    public var code: String
    /// The weight of each hash bucket.
    public var weights: [Float]
    public var bias: Double
    public var ngrams: [Int]
    /// The score (0…1) from which a message is cautioned.
    public var threshold: Double
    /// Messages with fewer words (a Han character counts half) are not scored: "yes", "skip", an address.
    public var minimumWords: Int
    /// When set, a rule's "call 911 now" for a message the model scores below this is answered with the caution
    /// instead ("if anyone is in danger now, call 911 first"): the model is sure it is routine ("these parking
    /// fees are highway robbery"). Never a crisis; never a message too short to score. Off unless a city sets it.
    public var doubtBelow: Double?
    /// Triggers whose "call 911 now" the model never doubts (`never-doubt`): downed wires are answered as live
    /// whatever the model has learned of hanging ones.
    public var neverDoubted: Set<String> = []

    public init(code: String, weights: [Float], bias: Double, ngrams: [Int], threshold: Double, minimumWords: Int) {
        self.code = code
        self.weights = weights
        self.bias = bias
        self.ngrams = ngrams
        self.threshold = threshold
        self.minimumWords = minimumWords
    }

    /// The model's probability that `text` tells of a person in danger now, or nil when it is too short to score.
    public func score(_ text: String) -> Double? {
        let scalars = Self.normalized(text)
        guard Self.wordCount(scalars) >= Double(minimumWords), !weights.isEmpty else { return nil }
        let buckets = UInt64(weights.count)
        var hashes: [Int] = []
        hashes.reserveCapacity(scalars.count * (ngrams.count + 1))
        let longest = ngrams.max() ?? 0
        var wanted = [Bool](repeating: false, count: longest + 1)
        for n in ngrams where n > 0 { wanted[n] = true }
        // Each start's n-grams share their prefix: FNV-1a goes on from the shorter one.
        for start in scalars.indices {
            var hash = Self.fnvOffset
            for length in 1...longest {
                let end = start + length
                guard end <= scalars.count else { break }
                hash = Self.fnv(hash, scalars[end - 1])
                if wanted[length] { hashes.append(Int(hash % buckets)) }
            }
        }
        var word = Self.wordSeed
        var inWord = false
        for scalar in scalars {
            if scalar == " " {
                if inWord { hashes.append(Int(word % buckets)) }
                word = Self.wordSeed
                inWord = false
            } else {
                word = Self.fnv(word, scalar)
                inWord = true
            }
        }
        // Counts per bucket, then the dot product with the weights over the vector's length.
        hashes.sort()
        var dot = 0.0, squares = 0.0, index = 0
        while index < hashes.count {
            var run = index + 1
            while run < hashes.count, hashes[run] == hashes[index] { run += 1 }
            let count = Double(run - index)
            dot += Double(weights[hashes[index]]) * count
            squares += count * count
            index = run
        }
        guard squares > 0 else { return nil }
        let z = bias + dot / squares.squareRoot()
        return 1 / (1 + exp(-min(30, max(-30, z))))
    }

    /// Whether `text` scores at or above the threshold.
    public func flags(_ text: String) -> Bool { (score(text) ?? 0) >= threshold }

    /// Whether the model doubts the emergency trigger `code` found in `text`: `doubtBelow` is set, the trigger is
    /// not one it never doubts, and `text` is long enough to score and scores below it.
    public func doubts(_ text: String, trigger code: String) -> Bool {
        guard let doubtBelow, !neverDoubted.contains(code), let score = score(text) else { return false }
        return score < doubtBelow
    }

    static let fnvOffset: UInt64 = 0xCBF2_9CE4_8422_2325
    static let fnvPrime: UInt64 = 0x100_0000_01B3
    /// The hash of "w:", which every word feature starts with.
    static let wordSeed = fnv(fnv(fnvOffset, "w"), ":")

    static func fnv(_ hash: UInt64, _ scalar: Unicode.Scalar) -> UInt64 {
        var hash = hash
        if scalar.isASCII { return (hash ^ UInt64(scalar.value)) &* fnvPrime }
        for byte in UTF8.encode(scalar)! {
            hash = (hash ^ UInt64(byte)) &* fnvPrime
        }
        return hash
    }

    /// NFKC; letters, numbers and marks lowercased; runs of anything else one space; a space at each end.
    static func normalized(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = [" "]
        out.reserveCapacity(text.utf8.count + 2)
        var space = true
        // NFKC leaves ASCII as it is: only other text goes through Foundation.
        let source = text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCompatibilityMapping
        for scalar in source.unicodeScalars {
            if scalar.isASCII {
                // ASCII's letters and digits are its only letters, numbers and marks: no property lookup (~40 ns) needed.
                let letter = scalar.fastIsAlphabetic
                if letter || (scalar.value >= 0x30 && scalar.value <= 0x39) {
                    out.append(letter ? Unicode.Scalar(UInt8(scalar.value) | 0x20) : scalar)
                    space = false
                } else {
                    if !space { out.append(" ") }
                    space = true
                }
                continue
            }
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .decimalNumber, .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .enclosingMark:
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                space = false
            default:
                if !space { out.append(" ") }
                space = true
            }
        }
        if !space { out.append(" ") }
        return out
    }

    /// Words in half words: a Han character counts half (Chinese is written without spaces).
    static func wordCount(_ scalars: [Unicode.Scalar]) -> Double {
        var halves = 0
        var inWord = false
        for scalar in scalars {
            if scalar == " " {
                inWord = false
            } else if (0x3400...0x9FFF).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value) {
                halves += 1
                inWord = false
            } else if !inWord {
                halves += 2
                inWord = true
            }
        }
        return Double(halves) / 2
    }
}
