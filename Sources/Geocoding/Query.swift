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

    /// Where the house number was, among `words` (the street named next to it is the one meant).
    var numberAt: Int?

    /// `isStreet` tells a word that names a street ("Hay St", "Court St") from the same word as filler.
    init(_ text: String, isStreet: (String) -> Bool = { _ in false }) {
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
            // Arabic writes "and" joined to the next word: "و5th", "وOak", "وشارع".
            if word.hasPrefix("و"), word.count > 1, let next = word.dropFirst().first,
               next.isASCII || Vocabulary.noise.contains(String(word.dropFirst())) {
                folded.append("و")
                folded.append(String(word.dropFirst()))
            } else if let split = Self.splitFused(word) {
                // "St6728" (a Chinese address with no space before the number): the street word, then the number.
                folded.append(contentsOf: split)
            } else {
                folded.append(word)
            }
        }
        allWords = folded.filter { $0 != "hashmark" }

        var connectors: [(index: Int, word: String)] = []
        // Numbers that name a street, not a house: "calle 38", "đường số 15", "第59街", "شارع 5".
        var numbers: [(value: Int, at: Int, street: Bool)] = []
        var skip = false
        for (position, word) in folded.enumerated() {
            if skip {
                skip = false
                continue
            }
            let previous = position > 0 ? folded[position - 1] : nil
            let next = position + 1 < folded.count ? folded[position + 1] : nil
            if Vocabulary.block.contains(word) {
                block = true
            } else if word == "hashmark" {
                // "Oak St #1423" (the number) or "1423 Oak St #2B" (a unit).
                if let next, let value = Self.houseNumber(next) {
                    if numbers.isEmpty { numbers.append((value, words.count, false)) }
                    skip = true
                }
            } else if Vocabulary.units.contains(word), let next, next.count <= 4 || Self.houseNumber(next) != nil {
                skip = true // "Apt 2B", "phòng 110", "شقة 3": the unit, wherever it is written
            } else if let value = Self.houseNumber(word) {
                let marked = previous.map { Vocabulary.numberedStreet.contains($0) } ?? false
                    || (previous == "so" && position > 1 && ["duong", "pho"].contains(folded[position - 2]))
                    || (next.map { ["街", "路"].contains($0) } ?? false && previous == "第")
                numbers.append((value, words.count, marked))
            } else if Vocabulary.connectors.contains(word) {
                connectors.append((words.count, word))
            } else if !Vocabulary.noise.contains(word) || isStreet(word) {
                words.append(word)
            }
        }
        // A number that names a street becomes its ordinal ("calle 38" → "38th"), when another number is the house's
        // or a corner word joins it to another street; alone it is the house number.
        var ordinals = numbers.filter(\.street)
        var house = numbers.first { !$0.street }
        if house == nil, ordinals.count == 1, connectors.isEmpty {
            house = ordinals[0]
            ordinals = []
        }
        for entry in ordinals.reversed() { words.insert(StreetName.ordinal(entry.value), at: entry.at) }
        func shifted(_ index: Int) -> Int { index + ordinals.filter { $0.at < index }.count }
        for index in connectors.indices { connectors[index].index = shifted(connectors[index].index) }
        if let house {
            number = house.value
            numberAt = house.at + ordinals.filter { $0.at <= house.at }.count
        }
        // "Oak y 5": a bare number beside a corner word is the numbered street, not a house number.
        if let value = number, let at = numberAt, numbers.count == 1, value < 200,
           connectors.contains(where: { $0.index == at && $0.word != "at" }) {
            words.insert(StreetName.ordinal(value), at: at)
            number = nil
            numberAt = nil
            for index in connectors.indices where connectors[index].index > at { connectors[index].index += 1 }
        }
        guard number == nil else { return }
        // A corner word with street words on both sides; "at" only when there is no other ("Oak St at 5th Ave").
        let usable = connectors.filter { $0.index > 0 && $0.index < words.count }
        connector = (usable.first { $0.word != "at" } ?? usable.first)?.index
    }

    /// "st6728" → ["st", "6728"]: letters run into a house number.
    static func splitFused(_ word: String) -> [String]? {
        guard let first = word.first, first.fastIsLetter, first.isASCII, let last = word.last, last.isASCII, last.fastIsNumber else { return nil }
        let letters = word.prefix { $0.fastIsLetter }
        let digits = word.dropFirst(letters.count)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.fastIsNumber }), letters.count >= 2 else { return nil }
        return [String(letters), String(digits)]
    }

    /// A house number: 1 to 6 digits, perhaps with one letter ("12B"); not an ordinal ("5th").
    static func houseNumber(_ word: String) -> Int? {
        let digits = word.prefix { $0.isASCII && $0.fastIsNumber }
        guard (1...6).contains(digits.count), let value = Int(digits), value > 0 else { return nil }
        let rest = word.dropFirst(digits.count)
        if rest.isEmpty { return value }
        guard rest.count == 1, let letter = rest.first, letter.isASCII, letter.fastIsLetter else { return nil }
        return ["st", "nd", "rd", "th"].contains(where: { word.hasSuffix($0) }) ? nil : value
    }
}

/// The words naming one street: its name words, and the suffix and directional the resident gave.
struct StreetWords {
    var name: [String] = []
    var suffix: String?
    var direction: String?

    /// Where each name word was in the words given.
    var origins: [Int] = []

    init(_ words: [String]) {
        var rest: [String] = []
        var positions: [Int] = []
        for (index, word) in words.enumerated() {
            if let hint = Vocabulary.suffixHints[word] {
                suffix = suffix ?? hint
            } else {
                rest.append(word)
                positions.append(index)
            }
        }
        // Suffixes and directionals anywhere ("Oak St pothole", "N Grand Ave"), unless the word is all there is
        // ("Court St": Court is the name).
        var name: [String] = []
        var origins: [Int] = []
        for (index, word) in rest.enumerated() {
            let others = rest.count - 1
            if let found = StreetName.suffixes[word], others > 0, !(index == 0 && rest.count == 2 && StreetName.suffixes[rest[1]] != nil) {
                suffix = suffix ?? found
            } else if let found = StreetName.directions[word], others > 0 {
                direction = direction ?? found
            } else {
                name.append(word)
                origins.append(positions[index])
            }
        }
        if name.isEmpty, let last = rest.last {
            name = [last]
            origins = [positions[rest.count - 1]]
        }
        self.name = name
        self.origins = origins
    }
}
