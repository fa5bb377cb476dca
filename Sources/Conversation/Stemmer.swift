import Localization

/// A light English suffix stripper: enough to match "lights", "leaking", "dumped", "flickering" to the
/// catalog's "light", "leak", "dump", "flicker". Arabic words lose their article and attached prefixes (see
/// `ArabicStemming`). Words of other languages pass through (their keywords are matched folded and fuzzily).
public enum Stemmer {
    public static func stem(_ word: String) -> String {
        if ArabicStemming.isArabic(word) { return ArabicStemming.key(word) }
        guard word.count > 3, word.allSatisfy({ $0.isASCII && $0.fastIsLetter }) else { return word }
        var w = word
        if w.hasSuffix("'s") { w.removeLast(2) }
        if w.hasSuffix("ies"), w.count > 4 {
            w.removeLast(3)
            w += "y"
        } else if w.hasSuffix("sses") {
            w.removeLast(2)
        } else if w.hasSuffix("s"), !w.hasSuffix("ss"), !w.hasSuffix("us"), !w.hasSuffix("is") {
            w.removeLast()
        }
        for suffix in ["ingly", "edly", "ing", "ed", "ly"] where w.hasSuffix(suffix) && w.count - suffix.count >= 3 {
            w.removeLast(suffix.count)
            if let last = w.last, let prev = w.dropLast().last, last == prev, !"lsz".contains(last) {
                w.removeLast()
            } else if suffix == "ing" || suffix == "ed", Self.needsE(w) {
                w += "e"
            }
            break
        }
        if w.hasSuffix("e"), w.count > 4 { w.removeLast() }
        return w
    }

    /// "park" + "ed" stays; "bik" + "e" ("biked" → "bike") — consonant-vowel-consonant endings of short stems.
    private static func needsE(_ stem: String) -> Bool {
        let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
        let chars = Array(stem)
        guard chars.count >= 3, chars.count <= 4 else { return false }
        let c1 = chars[chars.count - 3], v = chars[chars.count - 2], c2 = chars[chars.count - 1]
        return !vowels.contains(c1) && vowels.contains(v) && !vowels.contains(c2) && !"wxy".contains(c2)
    }
}

/// Bounded edit distance (optimal string alignment: insert, delete, substitute, swap neighbours).
public enum EditDistance {
    /// The distance between `a` and `b`, or nil when it exceeds `limit`.
    public static func within(_ a: String, _ b: String, limit: Int) -> Int? {
        within(Array(a.unicodeScalars.map(\.value)), Array(b.unicodeScalars.map(\.value)), limit: limit)
    }

    /// The same over scalar values, for callers that keep their words as arrays (the classifier's typo check).
    public static func within(_ s: [UInt32], _ t: [UInt32], limit: Int) -> Int? {
        if abs(s.count - t.count) > limit { return nil }
        if s.isEmpty || t.isEmpty { return max(s.count, t.count) <= limit ? max(s.count, t.count) : nil }
        var previous2 = [Int](repeating: 0, count: t.count + 1)
        var previous = Array(0...t.count)
        var current = [Int](repeating: 0, count: t.count + 1)
        for i in 1...s.count {
            current[0] = i
            var rowMin = current[0]
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
                rowMin = min(rowMin, value)
            }
            if rowMin > limit { return nil }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[t.count] <= limit ? previous[t.count] : nil
    }
}
