import CityModel

/// Word phrases compiled once (when the city is loaded) into an index by first word, matched against the words
/// of a `FoldedText` without building or normalizing any string on the way. Each phrase carries an `Int` value
/// (an index into the caller's table), so the index is not generic and needs no specialization across modules.
///
/// A phrase is folded words separated by spaces. Two marks are understood:
/// - `overdos*`: a word ending in `*` matches any word starting with it (three letters at least).
/// - `=đang cháy`: a phrase starting with `=` matches only as written, marks included — for Vietnamese, where
///   "đang cháy" (on fire) and "đang chạy" (driving) fold to the same letters.
/// In a language whose marks tell words apart (`marksMatter`), a word the resident typed with marks must carry
/// the same marks as the phrase's; typed without marks, it matches the folded phrase.
public struct PhraseIndex: Sendable {
    struct Word: Sendable {
        var folded: String
        /// With marks (lower-cased), or nil when the same as `folded`.
        var marked: String?
        var isPrefix: Bool
    }

    struct Phrase: Sendable {
        var words: [Word]
        var marksRequired: Bool
        var marksMatter: Bool
        var value: Int
    }

    /// One place a phrase matched: words `start..<end` of the text.
    public struct Match: Sendable {
        public var start: Int
        public var end: Int
        /// The value the phrase was added with (an index into the caller's own table).
        public var value: Int
    }

    private var phrases: [Phrase] = []
    /// Phrases with a starred word, by their first word; all others are in the trie below.
    private var byFirstWord: [String: [Int]] = [:]
    /// A trie over the folded words of the phrases without stars: a text is walked word by word from each
    /// position, so only phrases that match that far are ever checked (the big tables share first words: 我, de).
    private var trie: [TrieNode] = [TrieNode()]

    struct TrieNode: Sendable {
        var next: [String: Int32] = [:]
        /// Phrases whose words end here (checked for marks and breaks before they count).
        var ends: [Int] = []
    }
    /// Phrases whose first word is a prefix ("overdos*"), by the prefix's first three bytes.
    private var prefixFirst: [UInt32: [Int]] = [:]
    /// Arabic words are compared without their article and attached prefixes (see `Stemmer.arabicKey`).
    public let stemsArabic: Bool

    public init(stemsArabic: Bool = false) {
        self.stemsArabic = stemsArabic
    }

    /// A phrase's syntax read: a leading "=" (marks must match) and the pieces to fold, each with whether a star
    /// ended it. Most phrases have no star and are one piece, folded in one go; a starred one is cut at white space,
    /// to know which word the star follows.
    static func syntax(of phrase: String) -> (pieces: [(text: Substring, starred: Bool)], marksRequired: Bool) {
        let marksRequired = phrase.hasPrefix("=")
        let text = marksRequired ? phrase.dropFirst() : Substring(phrase)
        let tokens = text.contains("*") ? text.split(whereSeparator: \.fastIsWhitespace) : [text]
        return (tokens.map { $0.hasSuffix("*") ? ($0.dropLast(), true) : ($0, false) }, marksRequired)
    }

    /// The words `phrase` stands for, written out without its syntax ("=hở gas" → "hở gas", "overdos*" → "overdos"):
    /// text the phrase itself matches, unless something blanks it.
    public static func plainText(of phrase: String) -> String {
        syntax(of: phrase).pieces.map { String($0.text) }.joined(separator: " ")
    }

    /// Adds `phrase`; returns false when it has no words.
    @discardableResult
    public mutating func add(_ phrase: String, value: Int, marksMatter: Bool = false) -> Bool {
        let (pieces, marksRequired) = Self.syntax(of: phrase)
        var words: [Word] = []
        for (piece, isPrefix) in pieces {
            let folded = FoldedText(String(piece))
            for index in folded.words.indices {
                var word = folded.words[index]
                var marked: String? = folded.isMarked(index) ? folded.markedWords[index] : nil
                if stemsArabic, ArabicStemming.isArabic(word) {
                    word = ArabicStemming.key(word)
                    marked = nil
                }
                // "overdos*": the last word of a starred token matches any word that starts with it.
                let prefix = isPrefix && index == folded.words.count - 1 && word.count >= 3
                words.append(Word(folded: word, marked: marked, isPrefix: prefix))
            }
        }
        guard !words.isEmpty else { return false }
        let position = phrases.count
        phrases.append(Phrase(words: words, marksRequired: marksRequired, marksMatter: marksMatter || marksRequired, value: value))
        if words[0].isPrefix, let key = Self.prefixKey(words[0].folded) {
            prefixFirst[key, default: []].append(position)
        } else if words.contains(where: \.isPrefix) {
            byFirstWord[words[0].folded, default: []].append(position)
        } else {
            var node = 0
            for word in words {
                if let child = trie[node].next[word.folded] {
                    node = Int(child)
                } else {
                    trie.append(TrieNode())
                    trie[node].next[word.folded] = Int32(trie.count - 1)
                    node = trie.count - 1
                }
            }
            trie[node].ends.append(position)
        }
        return true
    }

    /// The keys `text`'s words are looked up by: the folded words, Arabic ones stemmed when this index stems them.
    public func keys(for text: FoldedText) -> [String] {
        guard stemsArabic else { return text.words }
        return text.words.map { ArabicStemming.isArabic($0) ? ArabicStemming.key($0) : $0 }
    }

    /// A second key for Arabic words that may carry the conjunction و ("and") or ف ("so") written onto them
    /// ("ومش" → "مش"), which the stemmer leaves on since many words begin with those letters (ولد, وقع, فتح),
    /// and for the spoken "on the" written onto a word ("عالارض" → "ارض", "عالدرج" → "درج"), which the stemmer
    /// leaves on since عالق, عالي and عالم begin with the same letters.
    func alternates(for text: FoldedText) -> [String?] {
        guard stemsArabic else { return [] }
        return text.words.map { word in
            guard ArabicStemming.isArabic(word), let first = word.unicodeScalars.first else { return nil }
            let scalars = Array(word.unicodeScalars)
            if scalars.count >= 6, scalars.starts(with: Self.onThe) {
                return ArabicStemming.key(String(String.UnicodeScalarView(scalars.dropFirst(3))))
            }
            guard first == "\u{0648}" || first == "\u{0641}", scalars.count >= 3 else { return nil }
            return ArabicStemming.key(String(word.unicodeScalars.dropFirst()))
        }
    }

    /// "عال", spoken "على ال" ("on the") written as one word.
    private static let onThe = Array("\u{0639}\u{0627}\u{0644}".unicodeScalars)

    /// Every match in `text`, by start then length.
    public func matches(in text: FoldedText) -> [Match] {
        guard !phrases.isEmpty, !text.isEmpty else { return [] }
        let keys = self.keys(for: text)
        let alternates = self.alternates(for: text)
        var found: [Match] = []
        var frontier: [Int] = []
        var next: [Int] = []
        for start in keys.indices {
            // The trie: follow the words (and an Arabic word's second key) as far as any phrase goes.
            frontier.removeAll(keepingCapacity: true)
            frontier.append(0)
            var index = start
            while index < keys.count, !frontier.isEmpty {
                if index > start, text.breaks[index] { break }
                next.removeAll(keepingCapacity: true)
                for node in frontier {
                    if let child = trie[node].next[keys[index]] { next.append(Int(child)) }
                    if !alternates.isEmpty, let alternate = alternates[index], let child = trie[node].next[alternate] {
                        next.append(Int(child))
                    }
                }
                swap(&frontier, &next)
                for node in frontier {
                    for position in trie[node].ends { check(position, at: start, text, keys, alternates, &found) }
                }
                index += 1
            }
            if let candidates = byFirstWord[keys[start]] {
                for position in candidates { check(position, at: start, text, keys, alternates, &found) }
            }
            if !alternates.isEmpty, let alternate = alternates[start], let candidates = byFirstWord[alternate] {
                for position in candidates { check(position, at: start, text, keys, alternates, &found) }
            }
            if !prefixFirst.isEmpty, let key = Self.prefixKey(keys[start]), let candidates = prefixFirst[key] {
                for position in candidates { check(position, at: start, text, keys, alternates, &found) }
            }
            // A starred first word is tried without the و or ف too ("ورفيقي" is "رفيق*", "وابني" is "ابن*").
            if !prefixFirst.isEmpty, !alternates.isEmpty, let alternate = alternates[start],
               let key = Self.prefixKey(alternate), key != Self.prefixKey(keys[start]), let candidates = prefixFirst[key] {
                for position in candidates { check(position, at: start, text, keys, alternates, &found) }
            }
        }
        return found
    }

    /// Whether `word` has a letter only Vietnamese writes: ă ơ ư đ, or a vowel of the Latin Extended Additional
    /// block (ạ ả ấ ầ ẩ ẫ ậ … ỹ).
    static func isVietnamese(_ word: String) -> Bool {
        word.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x0102, 0x0103, 0x01A0, 0x01A1, 0x01AF, 0x01B0, 0x0110, 0x0111, 0x1EA0...0x1EF9: true
            default: false
            }
        }
    }

    /// The first three bytes of `word`, or nil when it is shorter.
    static func prefixKey(_ word: String) -> UInt32? {
        var utf8 = word.utf8.makeIterator()
        guard let a = utf8.next(), let b = utf8.next(), let c = utf8.next() else { return nil }
        return UInt32(a) << 16 | UInt32(b) << 8 | UInt32(c)
    }

    private func check(_ position: Int, at start: Int, _ text: FoldedText, _ keys: [String], _ alternates: [String?],
                       _ found: inout [Match]) {
        let phrase = phrases[position]
        let end = start + phrase.words.count
        guard end <= keys.count else { return }
        func fits(_ key: String, _ word: Word) -> Bool {
            word.isPrefix ? key.utf8.starts(with: word.folded.utf8) : key == word.folded
        }
        for (offset, word) in phrase.words.enumerated() {
            let index = start + offset
            if offset > 0, text.breaks[index] { return } // no phrase runs across a comma or a bracket
            guard fits(keys[index], word) || (!alternates.isEmpty && alternates[index].map { fits($0, word) } == true) else { return }
            // A word typed with letters only Vietnamese uses ("bất", "vẫn", "sơn") is a Vietnamese word: another
            // language's phrase ("bat", "van", "son") does not match it.
            if !phrase.marksMatter, text.isMarked(index), Self.isVietnamese(text.markedWords[index]) { return }
            if phrase.marksRequired || (phrase.marksMatter && text.isMarked(index)) {
                let typed = text.markedWords[index]
                let wanted = word.marked ?? word.folded
                if word.isPrefix {
                    guard typed.utf8.starts(with: wanted.utf8) else { return }
                } else if typed != wanted {
                    return
                }
            }
        }
        // A phrase found through both keys of a word is one match.
        if let last = found.last, last.start == start, last.end == end, last.value == phrase.value { return }
        found.append(Match(start: start, end: end, value: phrase.value))
    }
}

extension TextFolding {
    /// Languages whose accents and tone marks tell words apart, so that a word typed with marks is read with them:
    /// Vietnamese "dừng" (stop), "dùng" (use) and "đúng" (correct) all fold to "dung".
    public static func marksMatter(in locale: LanguageTag) -> Bool {
        locale.language == "vi"
    }
}
