import CityModel
import Foundation
import Localization

/// Reads a resident's answer to one service attribute.
///
/// Pure and deterministic: no I/O, no clock (the current time and the city's time zone come in as
/// parameters), no randomness. What each datatype accepts:
///
/// - **string** / **text**: any non-empty text of at most 200 / 2000 characters once trimmed, kept as written.
/// - **number**: the first number written, in digits ("3", "3.5", "1,200", "~5", "about 4", "5 items") or
///   English words ("two", "twenty-one", "a dozen", "a couple"). Negative numbers are refused.
/// - **datetime**: see `AnswerReader+Dates.swift` ("yesterday 3pm", "last tuesday", "11/20", "an hour ago", …).
/// - **singlevaluelist**: a menu number ("2", "#2", "option two") or an option's name or key.
/// - **multivaluelist**: several of those ("1 3", "1, 3 & 4", "tires and a couch", "all").
///
/// A skip word of the lexicon ("skip", "don't know", "n/a", …) skips an optional attribute; for a required
/// one it is `.invalid`, like any answer that cannot be read.
public struct AnswerReader: Sendable {
    /// What an answer means.
    public enum Outcome: Hashable, Sendable {
        /// The answer, ready to store on the report.
        case value(AttributeValue)
        /// The resident said skip / don't know (only for optional attributes; for a required one → `.invalid`).
        case skipped
        /// The answer could not be read (or was too long, out of range, ambiguous): ask again.
        case invalid
    }

    /// Longest answer to a `string` attribute, in characters.
    public static let maxStringLength = 200
    /// Longest answer to a `text` attribute, in characters.
    public static let maxTextLength = 2000

    let lexicon: Lexicon

    /// A reader using `lexicon` for the skip words.
    public init(lexicon: Lexicon) {
        self.lexicon = lexicon
    }

    /// Reads `text` as the answer to `attribute`.
    ///
    /// - Parameters:
    ///   - locale: the resident's language, for skip words and option names (English is the fallback).
    ///   - now: the current instant; relative dates ("yesterday", "2 hours ago") count from it.
    ///   - timeZone: the city's time zone, in which days and clock times are read.
    public func read(
        _ text: String, for attribute: ServiceAttribute, locale: LanguageTag, now: Date, timeZone: TimeZone
    ) -> Outcome {
        let trimmed = TextFolding.trimmed(text)
        guard !trimmed.isEmpty else { return .invalid }
        if lexicon.matches(TextFolding.fold(trimmed), .skip, locale: locale, marked: TextFolding.marked(trimmed)) {
            return attribute.required ? .invalid : .skipped
        }
        let value: AttributeValue?
        switch attribute.datatype {
        case .string:
            value = trimmed.count <= Self.maxStringLength ? .text(trimmed) : nil
        case .text:
            value = trimmed.count <= Self.maxTextLength ? .text(trimmed) : nil
        case .number:
            value = Self.number(in: trimmed, locale: locale).map { .number($0) }
        case .datetime:
            value = Self.date(in: trimmed, now: now, timeZone: timeZone).map { .datetime($0) }
        case .singlevaluelist:
            value = singleOption(trimmed, attribute.values, locale: locale).map { .options([$0]) }
        case .multivaluelist:
            value = options(trimmed, attribute.values, locale: locale).map { .options($0) }
        }
        return value.map(Outcome.value) ?? .invalid
    }

    /// A numbered-menu choice: "2", "2.", "2)", "#2", " 2 ", "٢", "two", "dos", "hai", "二", "第二", "option 2",
    /// "número 2", "số 2" → 2 (1-based) if it lies within `1...count`, else nil. Number words are read in every
    /// launch language, whatever the resident's. 0 is never a choice (it means "talk to a person" elsewhere),
    /// nor is anything else in the text ("2 please").
    public func choice(_ text: String, count: Int, locale: LanguageTag) -> Int? {
        if let first = text.unicodeScalars.first(where: { !$0.fastIsWhitespace }), first == "-" || first == "−" { return nil }
        var words = TextFolding.words(text)
        if words.count >= 2, Self.choicePrefixes.contains(words[0]) { words.removeFirst() }
        if words.count == 2, Self.choicePrefixes.contains(words.joined(separator: " ")) { return nil }
        if words.count == 2, ["号", "个"].contains(words[1]) { words.removeLast() }
        guard words.count == 1, let word = words.first else { return nil }
        let number: Int?
        if word.count <= 3, word.allSatisfy({ $0.isASCII && $0.fastIsNumber }) {
            number = Int(word)
        } else {
            number = Self.choiceWords[word]
        }
        guard let number, number >= 1, number <= count else { return nil }
        return number
    }

    /// Words before a menu number: "option 2", "opción 2", "số 2", "第二", "رقم 2" (folded).
    private static let choicePrefixes: Set<String> = [
        "option", "number", "choice", "no", "opcion", "numero", "num", "so", "第", "选", "رقم", "خيار",
    ]

    private static let choiceWords: [String: Int] = [
        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
        "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
        "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
        // Spanish
        "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
        "diez": 10, "primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercero": 3, "tercera": 3, "cuarto": 4,
        "quinto": 5,
        // Vietnamese (folded: "một" → "mot")
        "mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
        // Chinese (each character is a word once folded)
        "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
        // Arabic (folded: ة → ه, no hamza)
        "واحد": 1, "اثنان": 2, "اثنين": 2, "ثلاثه": 3, "اربعه": 4, "خمسه": 5, "سته": 6, "سبعه": 7, "ثمانيه": 8,
        "تسعه": 9, "عشره": 10, "الاول": 1, "الثاني": 2, "الثالث": 3,
    ]
}

// MARK: - Lists

extension AnswerReader {
    /// Words dropped from an answer before it is compared with option names ("the recycling bin").
    private static let fillerWords: Set<String> = ["the", "a", "an", "my", "our", "some", "it", "its", "is", "just"]
    /// Answers that choose every option of a multivaluelist.
    private static let allWords: Set<String> = ["all", "all of them", "all of the above", "everything", "every one"]

    /// The key of the one option `text` names or numbers, or nil when none or several match.
    private func singleOption(_ text: String, _ options: [AttributeOption], locale: LanguageTag) -> String? {
        guard !options.isEmpty else { return nil }
        if let number = choice(text, count: options.count, locale: locale) { return options[number - 1].key }
        return Self.optionIndex(named: TextFolding.words(text), options, locale: locale).map { options[$0].key }
    }

    /// The keys of every option `text` names or numbers, in catalog order; nil if any part is unreadable.
    private func options(_ text: String, _ options: [AttributeOption], locale: LanguageTag) -> [String]? {
        guard !options.isEmpty else { return nil }
        let folded = TextFolding.fold(text)
        if Self.allWords.contains(folded) || (folded == "both" && options.count == 2) { return options.map(\.key) }
        // A whole name first, in case it contains "and" ("Table and chairs").
        if let index = Self.optionIndex(named: TextFolding.words(text), options, locale: locale, partial: false) {
            return [options[index].key]
        }
        var chosen = Set<Int>()
        for part in Self.listParts(text) {
            if let number = choice(part, count: options.count, locale: locale) {
                chosen.insert(number - 1)
                continue
            }
            let words = TextFolding.words(part)
            let numbers = words.compactMap { choice($0, count: options.count, locale: locale) }
            if !words.isEmpty, numbers.count == words.count {
                chosen.formUnion(numbers.map { $0 - 1 })
            } else if let index = Self.optionIndex(named: words, options, locale: locale) {
                chosen.insert(index)
            } else {
                return nil
            }
        }
        return chosen.isEmpty ? nil : chosen.sorted().map { options[$0].key }
    }

    /// `text` split at commas, semicolons, "&", "+" and the words "and" / "plus"; empty parts dropped.
    private static func listParts(_ text: String) -> [String] {
        text.lowercased()
            .split(whereSeparator: { ",;&+".contains($0) })
            .flatMap { chunk -> [String] in
                var parts: [[Substring]] = [[]]
                for word in chunk.split(whereSeparator: \.fastIsWhitespace) {
                    if word == "and" || word == "plus" { parts.append([]) } else { parts[parts.count - 1].append(word) }
                }
                return parts.map { $0.joined(separator: " ") }
            }
            .filter { !$0.isEmpty }
    }

    /// The index of the one option whose name (in `locale`, or English) or key matches `words`, trying in
    /// turn: exactly; word for word allowing a typo; the option's words within the answer or the answer within
    /// the option's words (unless not `partial`). The first tier with any match decides: one match wins, several
    /// are ambiguous (nil).
    private static func optionIndex(
        named words: [String], _ options: [AttributeOption], locale: LanguageTag, partial: Bool = true
    ) -> Int? {
        let answer = words.filter { !fillerWords.contains($0) }
        guard !answer.isEmpty else { return nil }
        let names = options.map { option in
            [option.name.resolve(locale, fallbacks: [.english]), option.name.values[.english] ?? "", option.key]
                .map(TextFolding.words)
                .filter { !$0.isEmpty }
        }
        let tiers: [([String]) -> Bool] = [
            { $0 == words || $0 == answer },
            { sameWords(answer, $0) },
            { contains(answer, $0) || contains($0, answer) },
        ]
        for tier in tiers.prefix(partial ? 3 : 2) {
            let matches = names.indices.filter { names[$0].contains(where: tier) }
            if matches.count == 1 { return matches[0] }
            if matches.count > 1 { return nil }
        }
        return nil
    }

    /// Whether `answer` and `name` have the same words, allowing a typo in the answer's words.
    private static func sameWords(_ answer: [String], _ name: [String]) -> Bool {
        answer.count == name.count && zip(answer, name).allSatisfy { similar($0, $1) }
    }

    /// Whether `words` holds `part` as consecutive words (allowing typos).
    private static func contains(_ words: [String], _ part: [String]) -> Bool {
        guard !part.isEmpty, part.count <= words.count else { return false }
        return (0...(words.count - part.count)).contains { start in
            sameWords(Array(words[start..<(start + part.count)]), part)
        }
    }

    /// Equal, or one edit apart when the option's word has at least 5 letters ("recyling" ~ "recycling").
    private static func similar(_ word: String, _ optionWord: String) -> Bool {
        word == optionWord || (optionWord.count >= 5 && atMostOneEdit(Array(word), Array(optionWord)))
    }

    /// Whether one insertion, deletion or substitution (or none) turns `a` into `b`.
    private static func atMostOneEdit(_ a: [Character], _ b: [Character]) -> Bool {
        guard abs(a.count - b.count) <= 1 else { return false }
        var i = 0, j = 0, edits = 0
        while i < a.count, j < b.count {
            if a[i] == b[j] {
                i += 1
                j += 1
                continue
            }
            edits += 1
            if edits > 1 { return false }
            if a.count > b.count {
                i += 1
            } else if a.count < b.count {
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
        return edits + (a.count - i) + (b.count - j) <= 1
    }
}

// MARK: - Numbers

extension AnswerReader {
    /// English number words: "zero" … "nineteen", the tens (compounds "twenty-one" are read too), "couple"
    /// and "dozen".
    static let numberWords: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
        "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "couple": 2, "dozen": 12,
    ]

    /// The first number in `text`, or nil when there is none or it is negative.
    ///
    /// Digits may group thousands with commas ("1,200"); outside English a comma followed by one or two digits
    /// is a decimal comma ("3,5"). A number followed by "dozen" is multiplied ("two dozen" → 24; "half a dozen"
    /// → 6). A minus sign or "minus"/"negative" right before the number makes it negative, hence invalid.
    static func number(in text: String, locale: LanguageTag) -> Double? {
        let chars = Array(text.lowercased())
        func isDigit(_ k: Int) -> Bool { Self.isDigit(chars, k) }
        var previousWord = ""
        var i = 0
        while i < chars.count {
            if isDigit(i) || (chars[i] == "." && isDigit(i + 1)) {
                let start = i
                let value = scanDigits(chars, &i, decimalComma: locale.language != "en")
                let minusSign = start > 0 && "-−".contains(chars[start - 1])
                    && (start == 1 || !chars[start - 2].fastIsLetter && !chars[start - 2].fastIsNumber)
                let negative = minusSign || previousWord == "minus" || previousWord == "negative"
                return finish(value * dozens(following: chars, i), negative: negative)
            }
            guard chars[i].fastIsLetter else {
                i += 1
                continue
            }
            var word = ""
            while i < chars.count, chars[i].fastIsLetter {
                word.append(chars[i])
                i += 1
            }
            if var value = numberWords[word] {
                let compound = upcomingWords(chars, i, separators: " -", limit: 1)
                if value >= 20, value % 10 == 0, let next = compound.first, next != "couple",
                   let unit = numberWords[next], unit < 10 {
                    value += unit
                }
                if word != "dozen" { value *= Int(dozens(following: chars, i)) }
                return finish(Double(value), negative: previousWord == "minus" || previousWord == "negative")
            }
            let next = upcomingWords(chars, i, separators: " ", limit: 2)
            if word == "half", next.first == "dozen" || next == ["a", "dozen"] { return 6 }
            previousWord = word
        }
        return nil
    }

    private static func finish(_ value: Double, negative: Bool) -> Double? {
        value.isFinite && !(negative && value != 0) ? value + 0 : nil
    }

    /// Whether `chars[k]` exists and is an ASCII digit.
    private static func isDigit(_ chars: [Character], _ k: Int) -> Bool { k < chars.count && chars[k].isASCII && chars[k].fastIsNumber }

    /// Reads digits at `i` (advancing it): an integer with optional comma thousands and a decimal part.
    private static func scanDigits(_ chars: [Character], _ i: inout Int, decimalComma: Bool) -> Double {
        func isDigit(_ k: Int) -> Bool { Self.isDigit(chars, k) }
        var literal = ""
        while isDigit(i) {
            literal.append(chars[i])
            i += 1
            if i < chars.count, chars[i] == ",", isDigit(i + 1), isDigit(i + 2), isDigit(i + 3), !isDigit(i + 4) {
                i += 1
            }
        }
        let separatorIsDecimal = i < chars.count
            && (chars[i] == "." || (decimalComma && chars[i] == "," && isDigit(i + 1) && !isDigit(i + 3)))
        if separatorIsDecimal, isDigit(i + 1) {
            literal.append(".")
            i += 1
            while isDigit(i) {
                literal.append(chars[i])
                i += 1
            }
        }
        return Double(literal.hasPrefix(".") ? "0" + literal : literal) ?? 0
    }

    /// 12 when the next word after position `i` is "dozen", else 1.
    private static func dozens(following chars: [Character], _ i: Int) -> Double {
        upcomingWords(chars, i, separators: " ", limit: 1) == ["dozen"] ? 12 : 1
    }

    /// Up to `limit` words of letters right after position `i`, each preceded by at least one of `separators`
    /// and nothing else ("twenty-one", "two dozen").
    private static func upcomingWords(_ chars: [Character], _ i: Int, separators: String, limit: Int) -> [String] {
        var words: [String] = []
        var k = i
        while words.count < limit {
            let start = k
            while k < chars.count, separators.contains(chars[k]) { k += 1 }
            guard k > start else { break }
            var word = ""
            while k < chars.count, chars[k].fastIsLetter {
                word.append(chars[k])
                k += 1
            }
            guard !word.isEmpty else { break }
            words.append(word)
        }
        return words
    }
}
