import Localization

/// A location as a resident wrote it, taken apart: the house number, the words that name streets (around a
/// corner word when there is one), whether it is "the N block of", and every word (for named places). Works the
/// same whatever the order ("1423 Oak St", "calle Oak 1423", "Oak街1423号", "شارع Oak رقم 1423").
struct Query {
    var number: Int?
    var block = false
    /// The street words in order: lead-ins, street-type words, the number and the unit taken out.
    var words: [String] = []
    /// Where the second street starts in `words`, for a corner ("Oak and 5th"); only without a house number.
    var connector: Int?
    var allWords: [String]

    init(_ text: String) {
        var prepared = ""
        prepared.reserveCapacity(text.utf8.count + 8)
        for character in text {
            switch character {
            case "&", "/", "+": prepared += " and "
            case "@": prepared += " at "
            case "#", "＃", "№": prepared += " hashmark "
            default: prepared.append(character)
            }
        }
        var folded: [String] = []
        for word in TextFolding.words(prepared) {
            // Arabic writes "and" joined to the next word: "و5th", "وOak".
            if word.hasPrefix("و"), word.count > 1, let next = word.dropFirst().first, next.isASCII {
                folded.append("و")
                folded.append(String(word.dropFirst()))
            } else {
                folded.append(word)
            }
        }
        allWords = folded.filter { $0 != "hashmark" }

        var connectors: [(index: Int, word: String)] = []
        var numberAt: Int?
        var skip = false
        for (position, word) in folded.enumerated() {
            if skip {
                skip = false
                continue
            }
            let next = position + 1 < folded.count ? folded[position + 1] : nil
            if Vocabulary.block.contains(word) {
                block = true
            } else if word == "hashmark" {
                // "Oak St #1423" (the number) or "1423 Oak St #2B" (a unit).
                if number == nil, let next, let value = Self.houseNumber(next) {
                    number = value
                    numberAt = words.count
                }
                skip = next != nil
            } else if Vocabulary.units.contains(word), number != nil || words.count > 0 {
                skip = next.map { $0.count <= 4 || Self.houseNumber($0) != nil } ?? false
            } else if let value = Self.houseNumber(word) {
                if number == nil {
                    number = value
                    numberAt = words.count
                }
            } else if Vocabulary.connectors.contains(word) {
                connectors.append((words.count, word))
            } else if !Vocabulary.noise.contains(word) {
                words.append(word)
            }
        }
        // "Oak y 5": a bare number beside a corner word is the numbered street, not a house number.
        if let value = number, let at = numberAt, connectors.contains(where: { $0.index == at }), value < 200 {
            words.insert(StreetName.ordinal(value), at: at)
            number = nil
        }
        guard number == nil else { return }
        // A corner word with street words on both sides; "at" only when there is no other ("Oak St at 5th Ave").
        let usable = connectors.filter { $0.index > 0 && $0.index < words.count }
        connector = (usable.first { $0.word != "at" } ?? usable.first)?.index
    }

    /// A house number: 1 to 6 digits, perhaps with one letter ("12B"); not an ordinal ("5th").
    static func houseNumber(_ word: String) -> Int? {
        let digits = word.prefix { $0.isASCII && $0.isNumber }
        guard (1...6).contains(digits.count), let value = Int(digits), value > 0 else { return nil }
        let rest = word.dropFirst(digits.count)
        if rest.isEmpty { return value }
        guard rest.count == 1, let letter = rest.first, letter.isASCII, letter.isLetter else { return nil }
        return ["st", "nd", "rd", "th"].contains(where: { word.hasSuffix($0) }) ? nil : value
    }
}

/// The words naming one street: its name words, and the suffix and directional the resident gave.
struct StreetWords {
    var name: [String] = []
    var suffix: String?
    var direction: String?

    init(_ words: [String]) {
        var rest: [String] = []
        for word in words {
            if let hint = Vocabulary.suffixHints[word] {
                suffix = suffix ?? hint
            } else {
                rest.append(word)
            }
        }
        // Suffixes and directionals anywhere ("Oak St pothole", "N Grand Ave"), unless the word is all there is
        // ("Court St": Court is the name).
        var name: [String] = []
        for (index, word) in rest.enumerated() {
            let others = rest.count - 1
            if let found = StreetName.suffixes[word], others > 0, !(index == 0 && rest.count == 2 && StreetName.suffixes[rest[1]] != nil) {
                suffix = suffix ?? found
            } else if let found = StreetName.directions[word], others > 0 {
                direction = direction ?? found
            } else {
                name.append(word)
            }
        }
        if name.isEmpty, let last = rest.last { name = [last] }
        self.name = name
    }
}
