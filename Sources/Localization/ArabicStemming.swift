/// A light Arabic stemmer for folded words: the article and the conjunctions and prepositions written onto a
/// word come off ("والشارع" → "شارع", "بالحفرة" → "حفره"), and so do the plural endings -ات, -ون, -ين of longer
/// words. Phrases and text go through the same steps, so both meet in the middle.
public enum ArabicStemming {
    /// Whether a folded word is written in Arabic letters.
    public static func isArabic(_ word: String) -> Bool {
        word.unicodeScalars.first.map { (0x0620...0x064A).contains($0.value) } ?? false
    }

    /// The word without its article, attached prefixes and plural ending.
    public static func key(_ word: String) -> String {
        var w = Array(word.unicodeScalars)
        for prefix in prefixes where w.count - prefix.count >= 3 && w.starts(with: prefix) {
            w.removeFirst(prefix.count)
            break
        }
        for suffix in suffixes where w.count - suffix.count >= 3 && Array(w.suffix(suffix.count)) == suffix {
            w.removeLast(suffix.count)
            break
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: w)
        return String(out)
    }

    private static let prefixes: [[Unicode.Scalar]] = ["وال", "بال", "كال", "فال", "لل", "ال"].map { Array($0.unicodeScalars) }
    private static let suffixes: [[Unicode.Scalar]] = ["ات", "ون", "ين"].map { Array($0.unicodeScalars) }
}
