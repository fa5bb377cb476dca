import CityModel
import Foundation

/// A resident's message read once per turn: its words folded for matching, the same words with their marks
/// kept, and the sentence each word is in. Triage, commands and phrase tables all read this one value.
///
/// "Nhà bên cạnh đang CHÁY!" → words `nha ben canh dang chay`, marked `nhà bên cạnh đang cháy`, one sentence.
/// Sentences end at `. ! ? ;`, a line break and their Chinese and Arabic forms; commas do not end one, since
/// residents write "there's a crash at Main and 5th, people are hurt" as one thought.
public struct FoldedText: Sendable, Hashable {
    /// Folded words ("¡Está ROTO!" → `esta`, `roto`; each Chinese character is a word, Traditional ones in their
    /// Simplified form: "臉" → `脸`).
    public let words: [String]
    /// The words lower-cased with accents and tone marks kept; equal to `words` where nothing was marked.
    public let markedWords: [String]
    /// The sentence of each word, counted from 0.
    public let sentences: [Int]
    /// Whether any word carried an accent or tone mark (or a letter such as đ or ß that folds to another).
    public let hasMarks: Bool
    /// Whether punctuation (a comma, a colon, a bracket, a quote) stands between each word and the one before it:
    /// phrases do not match across it ("着火，车" holds no 火车).
    public let breaks: [Bool]

    public init(_ text: String) {
        if let ascii = Self.ascii(text) {
            self = ascii
            return
        }
        var words: [String] = []
        var marked: [String] = []
        var sentences: [Int] = []
        var sentence = 0
        var hasMarks = false
        var word = String.UnicodeScalarView()
        var markedWord = String.UnicodeScalarView()
        var wordHasMarks = false
        var sentenceHasWords = false
        var breaks: [Bool] = []
        var pendingBreak = false

        func endWord() {
            guard !word.isEmpty || !markedWord.isEmpty else { return }
            if word.isEmpty { // only marks: not a word
                markedWord = String.UnicodeScalarView()
                wordHasMarks = false
                return
            }
            let folded = String(word)
            words.append(folded)
            if wordHasMarks {
                var kept = String(markedWord)
                if kept.unicodeScalars.contains(where: { (0x0300...0x036F).contains($0.value) }) {
                    kept = kept.precomposedStringWithCanonicalMapping // typed decomposed: compare composed
                }
                marked.append(kept)
                hasMarks = hasMarks || kept != folded
            } else {
                marked.append(folded)
            }
            sentences.append(sentence)
            breaks.append(pendingBreak)
            pendingBreak = false
            sentenceHasWords = true
            word = String.UnicodeScalarView()
            markedWord = String.UnicodeScalarView()
            wordHasMarks = false
        }
        func endSentence() {
            endWord()
            if sentenceHasWords {
                sentence += 1
                sentenceHasWords = false
            }
        }

        for scalar in text.unicodeScalars {
            switch ScalarFolding.kind(of: scalar) {
            case .ascii(let lower):
                word.append(lower)
                markedWord.append(lower)
            case .letters(let folded, let kept):
                word.append(contentsOf: folded)
                markedWord.append(contentsOf: kept)
                if folded != kept { wordHasMarks = true }
            case .mark(let kept):
                if let kept {
                    markedWord.append(kept)
                    wordHasMarks = true
                }
            case .ideograph:
                // Traditional characters are read as Simplified ("變" as "变"): one set of Chinese phrases matches both.
                endWord()
                let simplified = HanSimplification.simplified(scalar)
                word.append(simplified)
                markedWord.append(simplified)
                endWord()
            case .skip:
                continue
            case .space:
                endWord()
            case .punctuation:
                endWord()
                pendingBreak = true
            case .sentenceEnd:
                endSentence()
            }
        }
        endWord()
        self.words = words
        self.markedWords = marked
        self.sentences = sentences
        self.hasMarks = hasMarks
        self.breaks = breaks
    }

    private init(words: [String], sentences: [Int], breaks: [Bool]) {
        self.words = words
        self.markedWords = words
        self.sentences = sentences
        self.hasMarks = false
        self.breaks = breaks
    }

    /// Plain ASCII text (most messages) read byte by byte; nil when the text has any other character.
    private static func ascii(_ text: String) -> FoldedText? {
        var text = text
        return text.withUTF8 { bytes -> FoldedText? in
            var words: [String] = []
            var sentences: [Int] = []
            var sentence = 0
            var sentenceHasWords = false
            var breaks: [Bool] = []
            var pendingBreak = false
            var word: [UInt8] = []
            word.reserveCapacity(16)
            func endWord() {
                guard !word.isEmpty else { return }
                words.append(String(decoding: word, as: UTF8.self))
                sentences.append(sentence)
                breaks.append(pendingBreak)
                pendingBreak = false
                sentenceHasWords = true
                word.removeAll(keepingCapacity: true)
            }
            for byte in bytes {
                switch byte {
                case 0x80...: return nil
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): word.append(byte + 32)
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): word.append(byte)
                case UInt8(ascii: "'"): continue
                case UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: ";"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    endWord()
                    if sentenceHasWords {
                        sentence += 1
                        sentenceHasWords = false
                    }
                case UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["),
                     UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"):
                    endWord()
                    pendingBreak = true
                default: endWord()
                }
            }
            endWord()
            return FoldedText(words: words, sentences: sentences, breaks: breaks)
        }
    }

    /// The folded words joined by single spaces (what `TextFolding.fold` returns).
    public var folded: String { words.joined(separator: " ") }
    /// The marked words joined by single spaces.
    public var markedText: String { markedWords.joined(separator: " ") }
    public var count: Int { words.count }
    public var isEmpty: Bool { words.isEmpty }

    /// Whether word `index` was typed with marks that its folded form lost.
    public func isMarked(_ index: Int) -> Bool { hasMarks && markedWords[index] != words[index] }
}

/// What one scalar becomes when folded, looked up in tables built once.
enum ScalarFolding {
    enum Kind: Sendable {
        /// An ASCII letter or digit, lower-cased.
        case ascii(Unicode.Scalar)
        /// A letter: folded (accents off, case and width folded) and kept (lower-cased, accents on).
        case letters([Unicode.Scalar], [Unicode.Scalar])
        /// A combining mark: dropped from the folded word, kept (or not) in the marked one.
        case mark(Unicode.Scalar?)
        /// A Han character or kana: a word of its own.
        case ideograph
        /// Dropped without splitting the word (apostrophes: "don't" → "dont").
        case skip
        case space
        /// Ends a word, and phrases do not run across it.
        case punctuation
        case sentenceEnd
    }

    static func kind(of scalar: Unicode.Scalar) -> Kind {
        let value = scalar.value
        if value < 0x80 { return ascii[Int(value)] }
        if value < tableEnd { return table[Int(value) - 0x80] }
        if (0xFF00..<0xFFF0).contains(value) { return fullWidth[Int(value) - 0xFF00] }
        return compute(scalar)
    }

    static let tableEnd: UInt32 = 0x2100

    /// Commas, colons and brackets in their Chinese and Arabic forms: no phrase runs across them. (The ASCII ones are
    /// in `ascii` below, which `compute` never sees. Hyphens and slashes do not break a phrase: "burnt-out" is "burnt
    /// out". Nor do quotes: residents quote what they hear, and "screaming "help me"" is "screaming help me".)
    static let breakingPunctuation: Set<UInt32> = [0x3001, 0xFF0C, 0xFF1A, 0xFF08, 0xFF09, 0x3010, 0x3011, 0x060C, 0x061B]

    private static let ascii: [Kind] = (0..<0x80).map { value -> Kind in
        let scalar = Unicode.Scalar(UInt8(value))
        switch scalar {
        case "A"..."Z": return .ascii(Unicode.Scalar(UInt8(value) + 32))
        case "a"..."z", "0"..."9": return .ascii(scalar)
        case "'": return .skip
        case ".", "!", "?", ";", "\n", "\r": return .sentenceEnd
        case ",", ":", "(", ")", "[", "]", "{", "}": return .punctuation
        default: return .space
        }
    }

    private static let table: [Kind] = (0x80..<tableEnd).map { compute(Unicode.Scalar($0)!) }
    private static let fullWidth: [Kind] = (0xFF00..<0xFFF0).map { Unicode.Scalar($0).map(compute) ?? .punctuation }

    /// One scalar through Foundation's folding: used to build the tables, and for scalars past them.
    static func compute(_ scalar: Unicode.Scalar) -> Kind {
        let value = scalar.value
        switch value {
        case 0x2019, 0x2018, 0x02BC: return .skip // ’ ‘ ʼ: apostrophes
        case 0x2026, 0x3002, 0xFF01, 0xFF1F, 0xFF1B, 0x061F, 0x06D4, 0x2028, 0x2029, 0x0085: return .sentenceEnd
        case 0x0111: return .letters(["d"], [scalar]) // Vietnamese đ is typed as d without a Vietnamese keyboard
        case 0x0110: return .letters(["d"], ["\u{0111}"])
        default: break
        }
        if let digit = TextFolding.asciiDigit(scalar) { return .ascii(digit) }
        if TextFolding.isIdeograph(scalar) { return .ideograph }
        let isArabic = (0x0600...0x06FF).contains(value)
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            // Accents and tone marks typed apart from their letter; Arabic short vowels carry no meaning here.
            return .mark(isArabic ? nil : scalar)
        default: break
        }
        guard CharacterSet.alphanumerics.contains(scalar) else { return breakingPunctuation.contains(value) ? .punctuation : .space }
        let single = String(Character(scalar))
        var folded = single.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var kept = single.lowercased()
        if isArabic {
            folded = TextFolding.normalizeArabic(folded)
            kept = folded
        }
        let foldedScalars = Array(folded.unicodeScalars)
        if foldedScalars.isEmpty { return .mark(isArabic ? nil : scalar) }
        return .letters(foldedScalars, Array(kept.precomposedStringWithCanonicalMapping.unicodeScalars))
    }
}

extension ScalarFolding {
    /// Builds the folding tables now; otherwise the first text that needs one builds it. A fuzz target calls this
    /// before fuzzing, with LeakSanitizer off: the tables' letter arrays are held in a multi-payload enum whose spare
    /// bits LSan does not read as pointers, so a table first built while it watches is reported as a leak.
    static func prepare() {
        _ = ascii.count + table.count + fullWidth.count
    }
}

/// `ScalarFolding.prepare()` for C callers (the fuzz driver finds it by name; a target without this module links none).
@_cdecl("cityline_prepare_text_tables")
public func cityline_prepare_text_tables() {
    ScalarFolding.prepare()
}

