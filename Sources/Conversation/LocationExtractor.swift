import CityModel
import Localization
import Foundation

/// Finds where a problem is in what a resident wrote.
///
/// Pure and deterministic: the same text always gives the same answer. It looks, in this order, for
/// a maps link, a coordinate pair, a street address ("123 Oak St") and an intersection ("Oak & 5th"),
/// and returns the first kind it finds. It prefers missing a location to inventing one: words that
/// merely sit next to a number or an "and" ("2 bags of trash", "trash and recycling") are not places.
public struct LocationExtractor: Sendable {
    public init() {}

    /// A location found inside a free-text report ("Pothole at 123 Oak St" → address "123 Oak St"), or nil.
    ///
    /// Only returns confident finds: an address with a number and a street, an intersection, a
    /// coordinate pair, or a maps link. Priority: map link > coordinates > address > intersection.
    public func extract(from text: String) -> Location? { extract(from: text, answering: false) }

    /// `answering` is true when the whole text answers "Where is it?", so it may start with a place.
    func extract(from text: String, answering: Bool) -> Location? {
        if let link = Self.mapLink(in: text) { return link }
        if let point = Self.coordinates(in: text) { return point }
        let tokens = Self.tokenize(text)
        if let address = Self.address(in: tokens, of: text, answering: answering) { return address }
        if let corner = Self.intersection(in: tokens, of: text, answering: answering) { return corner }
        return Self.localizedPlace(in: text)
    }

    /// Reads an answer to "Where is it?".
    ///
    /// Returns everything `extract(from:)` finds, plus a plain street or landmark description ("in front
    /// of the library on Main", "Main Street near the park") as `.description`, trimmed. Returns nil for
    /// answers that cannot be a place: "idk", "?", "yes", "no", "ok", a lone number, empty text, or
    /// fewer than three letters.
    public func parseAnswer(_ text: String) -> Location? {
        if let found = extract(from: text, answering: true) { return found }
        let trimmed = text.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: ".,;:!?")))
            .split(whereSeparator: \.fastIsWhitespace).joined(separator: " ")
        guard trimmed.filter(\.fastIsLetter).count >= 3 else { return nil }
        let plain = trimmed.lowercased().replacingOccurrences(of: "’", with: "'")
        guard !Self.nonAnswers.contains(plain), !Self.foldedNonAnswers.contains(TextFolding.fold(trimmed)) else { return nil }
        return Location(kind: .description, text: trimmed)
    }
}

// MARK: - Vocabulary

extension LocationExtractor {
    /// Replies to "Where is it?" that carry no place.
    static let nonAnswers: Set<String> = [
        "idk", "dunno", "i dunno", "don't know", "dont know", "i don't know", "i dont know", "i do not know", "not sure",
        "i'm not sure", "im not sure", "no idea", "unknown", "yes", "yeah", "yep", "yup", "no", "nope", "nah", "ok", "okay",
        "sure", "thanks", "thank you", "thx", "none", "nothing", "n/a", "help", "stop", "cancel", "skip", "what", "huh", "why",
        "hi", "hello", "hey", "here", "there", "right here", "over here", "over there", "same", "lol", "cool", "fine", "whatever",
    ]
    /// The same in the other launch languages, folded ("No sé" → "no se", "不知道" → "不 知 道").
    static let foldedNonAnswers: Set<String> = Set([
        "no se", "no lo se", "ni idea", "no estoy seguro", "no estoy segura", "si", "no", "nada", "aqui", "alli", "ahi",
        "hola", "gracias", "khong biet", "ko biet", "k biet", "khong", "co", "vang", "o day", "cam on",
        "不知道", "不清楚", "不确定", "这里", "那里", "是", "不", "好", "谢谢",
        "لا اعرف", "مش عارف", "لا ادري", "نعم", "لا", "هنا", "هناك", "شكرا",
    ].map(TextFolding.fold))

    static let suffixes: Set<String> = [
        "st", "street", "ave", "avenue", "av", "rd", "road", "blvd", "boulevard", "dr", "drive", "ln", "lane", "way", "ct", "court",
        "pl", "place", "pkwy", "parkway", "hwy", "highway", "ter", "terrace", "cir", "circle", "sq", "square", "trl", "trail",
        "alley", "aly", "row", "expy", "expressway",
    ]
    /// "Marchant Streets" in "Stockholm and Marchant Streets".
    static let pluralSuffixes: Set<String> = ["sts", "streets", "aves", "avenues", "rds", "roads", "blvds", "drives", "lanes"]
    /// Suffixes that are also everyday words ("5 cars drive by"); written in lower case after lower-case
    /// words they need a location preposition before the number.
    static let everydaySuffixes: Set<String> = [
        "way", "drive", "lane", "court", "place", "square", "circle", "trail", "row", "terrace", "alley",
    ]
    static let directions: Set<String> = ["n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west"]
    /// Words that put a place right after them: "at 77 Elm", "on Oak and 5th".
    static let prepositions: Set<String> = ["at", "on", "near", "by", "outside", "opposite", "behind", "off", "@"]
    static let twoWordPrepositions: Set<String> = ["front of", "across from", "next to", "outside of", "corner of"]
    /// Tokens before a number that make it something other than a house number ("Pole #9", "PS 264").
    static let notHouseNumber: Set<String> = ["#", "$", "no", "number", "pole", "exit", "route", "ps", "bus", "apt", "unit", "room"]
    static let units: Set<String> = ["apt", "apartment", "unit", "suite", "ste", "#"]
    /// Suffixes spelled out in full; "rough road" in lower case is weaker evidence than "rough rd".
    static let spelledOut: Set<String> = ["street", "streets", "avenue", "avenues", "road", "roads", "boulevard", "parkway", "highway"]
    static let determiners: Set<String> = ["the", "a", "an", "my", "our", "your", "his", "her", "their", "its", "every", "this"]
    /// Words that never name a street; they end a street name when scanning.
    static let stopwords: Set<String> = [
        "a", "an", "the", "and", "or", "but", "nor", "of", "on", "in", "at", "to", "from", "for", "with", "by", "near", "is",
        "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did", "not", "no", "it", "its", "it's",
        "this", "that", "these", "those", "there", "here", "i", "i'm", "me", "my", "we", "our", "you", "your", "he", "she",
        "they", "them", "their", "his", "her", "very", "just", "so", "too", "also", "all", "some", "any", "every", "each", "out",
        "up", "down", "over", "under", "into", "onto", "off", "between", "across", "behind", "outside", "inside", "front",
        "corner", "intersection", "next", "than", "then", "when", "where", "which", "who", "what", "while", "since", "until",
        "about", "around", "after", "before", "again", "still", "now", "if", "as", "can", "will", "would", "should", "could",
        "may", "might", "must", "please", "both", "only", "like", "below", "above", "beneath", "along", "past", "through",
        "thru", "toward", "towards", "via", "without", "within", "city", "inches", "inch", "feet", "foot", "yards", "miles",
        "days", "weeks", "months", "years", "hours", "minutes", "times", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "january", "february", "march", "april", "june", "july", "august", "september", "october",
        "november", "december",
    ]
}

// MARK: - Maps links and coordinates

extension LocationExtractor {
    /// The first maps link in `text`, with its coordinate when the link carries one.
    static func mapLink(in text: String) -> Location? {
        for chunk in text.split(whereSeparator: \.fastIsWhitespace) {
            // Every maps link has a dot ("google.", "osm.org") or a colon ("geo:"), or starts with "#map=".
            guard chunk.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "#") })
            else { continue }
            var link = String(chunk).trimmingCharacters(in: CharacterSet(charactersIn: "<([{\"'"))
                .trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!?>]}\"'"))
            if link.hasSuffix(")"), !link.contains("(") { link.removeLast() }
            let lower = link.lowercased()
            let isMapsSite = (lower.contains("google.") && lower.contains("/maps")) || lower.contains("maps.google.")
                || ["goo.gl/maps", "maps.app.goo.gl", "maps.apple.com", "openstreetmap.org", "osm.org/", "bing.com/maps"]
                    .contains { lower.contains($0) }
            if isMapsSite { return Location(kind: .mapLink, text: link, coordinate: coordinate(inLink: link)) }
            if lower.hasPrefix("geo:") || lower.hasPrefix("#map="), let point = coordinate(inLink: link) {
                return Location(kind: .mapLink, text: link, coordinate: point)
            }
        }
        return nil
    }

    /// Reads a coordinate from the usual places in a maps link: `mlat=…&mlon=…`, `@lat,lon`,
    /// `q=`/`ll=`/`query=lat,lon`, `geo:lat,lon`, `#map=zoom/lat/lon`, `!3dlat!4dlon`.
    static func coordinate(inLink link: String) -> Coordinate? {
        let s = link.removingPercentEncoding ?? link
        if let lat = s.firstMatch(of: /mlat=(-?\d{1,2}(?:\.\d+)?)/)?.1, let lon = s.firstMatch(of: /mlon=(-?\d{1,3}(?:\.\d+)?)/)?.1,
           let point = point(lat, lon) { return point }
        for m in s.matches(of: /[@=:](-?\d{1,2}(?:\.\d+)?),\s*(-?\d{1,3}(?:\.\d+)?)/) {
            if let point = point(m.1, m.2), point.latitude != 0 || point.longitude != 0 { return point }
        }
        if let m = s.firstMatch(of: /map=\d{1,2}\/(-?\d{1,2}(?:\.\d+)?)\/(-?\d{1,3}(?:\.\d+)?)/) { return point(m.1, m.2) }
        if let m = s.firstMatch(of: /!3d(-?\d{1,2}\.\d+)!4d(-?\d{1,3}\.\d+)/) { return point(m.1, m.2) }
        return nil
    }

    /// A typed coordinate pair: "39.7817, -89.6501" or "lat 39.78 lon -89.65".
    static func coordinates(in text: String) -> Location? {
        // Coordinates need digits and a decimal point; most messages have neither, and regexes cost.
        guard text.contains("."), text.contains(where: \.fastIsNumber) else { return nil }
        if text.range(of: "lat", options: .caseInsensitive) != nil, let found = labeledCoordinates(in: text) { return found }
        return plainCoordinates(in: text)
    }

    /// "lat 39.78 lon -89.65", "Latitude: … Longitude: …".
    static func labeledCoordinates(in text: String) -> Location? {
        let labeled = /\blat(?:itude)?\s*[:=]?\s*(-?\d{1,2}(?:\.\d+)?)[\s,;]*(?:longitude|long|lng|lon)\s*[:=]?\s*(-?\d{1,3}(?:\.\d+)?)/
            .ignoresCase()
        if let m = text.firstMatch(of: labeled), let point = point(m.1, m.2) {
            return Location(kind: .coordinates, text: "\(m.1), \(m.2)", coordinate: point)
        }
        return nil
    }

    /// "39.7817, -89.6501": a bare pair, precise enough not to be a price or a measurement.
    static func plainCoordinates(in text: String) -> Location? {
        for m in text.matches(of: /(-?\d{1,2})\.(\d+)\s*,\s*(-?\d{1,3})\.(\d+)/) {
            if let before = text[..<m.range.lowerBound].last, before.fastIsNumber || before.fastIsLetter || ".-".contains(before) { continue }
            if m.range.upperBound < text.endIndex, text[m.range.upperBound] == "." { continue }
            // Prices and measurements are rarely this precise: want 3+ decimals, or 2+ and a minus sign.
            let precise = min(m.2.count, m.4.count) >= 3
                || (min(m.2.count, m.4.count) >= 2 && (m.1.hasPrefix("-") || m.3.hasPrefix("-")))
            let lat = "\(m.1).\(m.2)", lon = "\(m.3).\(m.4)"
            if precise, let point = point(lat[...], lon[...]) {
                return Location(kind: .coordinates, text: "\(lat), \(lon)", coordinate: point)
            }
        }
        return nil
    }

    static func point(_ lat: Substring, _ lon: Substring) -> Coordinate? {
        guard let la = Double(lat), let lo = Double(lon) else { return nil }
        let point = Coordinate(latitude: la, longitude: lo)
        return point.isValid ? point : nil
    }
}

// MARK: - Words

extension LocationExtractor {
    /// A word ("Oak", "5th", "N.", "141-18") or a single punctuation mark, with its place in the text.
    /// A word's range leaves out trailing dots, so "St." reads as "St" and addresses end without them.
    struct Token {
        let range: Range<String.Index>
        let text: Substring
        let lower: String
        let isWord: Bool
        var trailingDot = false
        var sentenceStart = false

        var isStop: Bool { !isWord || LocationExtractor.stopwords.contains(lower) }
        var isSuffix: Bool { isWord && LocationExtractor.suffixes.contains(lower) }
        var isStreetSuffix: Bool { isSuffix || (isWord && LocationExtractor.pluralSuffixes.contains(lower)) }
        var isDirection: Bool { isWord && LocationExtractor.directions.contains(lower) }
        /// A word that could be part of a street name: starts with a letter and is not a stopword.
        var isName: Bool { !isStop && lower.first?.fastIsLetter == true }
        /// "Oak" and "McKinley" but not "OAK" (shouting) or "oak".
        var isCapitalized: Bool { text.first?.fastIsUppercase == true && text.contains(where: \.fastIsLowercase) }
        /// "5th", "23rd", "101st".
        var isOrdinal: Bool {
            guard isWord, lower.count >= 3, ["st", "nd", "rd", "th"].contains(String(lower.suffix(2))) else { return false }
            let digits = lower.dropLast(2)
            return digits.count <= 4 && digits.allSatisfy { $0.isASCII && $0.fastIsNumber }
        }
        /// A house number: "123", "12A", "141-18". Not "7am", "555-123-4567" or "1234567".
        var isNumber: Bool {
            guard isWord, lower.first?.fastIsNumber == true else { return false }
            var body = lower[...]
            if body.count > 1, body.last?.fastIsLetter == true { body = body.dropLast() }
            let parts = body.split(separator: "-", omittingEmptySubsequences: false)
            return (1...2).contains(parts.count)
                && parts.allSatisfy { (1...6).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.fastIsNumber } }
        }
    }

    /// Splits `text` into words and punctuation. Web links become one opaque mark so their slashes and
    /// numbers are not read as streets; a line break counts as the end of a sentence.
    static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var i = text.startIndex
        func mark(_ end: String.Index, _ lower: String) {
            tokens.append(Token(range: i..<end, text: text[i..<end], lower: lower, isWord: false))
            i = end
        }
        func isWordChar(_ c: Character) -> Bool { c.fastIsLetter || c.fastIsNumber || "'’-.".contains(c) }
        // A dot joins "39.78" and "e.g" but ends "washburn.Needs" before the capital.
        func continues(at j: String.Index) -> Bool {
            guard isWordChar(text[j]) else { return false }
            let next = text.index(after: j)
            return text[j] != "." || next == text.endIndex || !text[next].fastIsUppercase
        }
        while i < text.endIndex {
            let c = text[i]
            if c.fastIsWhitespace {
                if c.fastIsNewline { mark(text.index(after: i), "\n") } else { i = text.index(after: i) }
                continue
            }
            let chunkEnd = text[i...].firstIndex(where: \.fastIsWhitespace) ?? text.endIndex
            let chunk = text[i..<chunkEnd]
            let isLink = (chunk.utf8.contains(UInt8(ascii: ":")) && chunk.lowercased().contains("://"))
                || chunk.utf8.prefix(4).map { $0 | 0x20 } == Array("www.".utf8)
            if isLink { mark(chunkEnd, "link"); continue }
            guard isWordChar(c) else { mark(text.index(after: i), String(c)); continue }
            var end = text.index(after: i)
            while end < text.endIndex, continues(at: end) { end = text.index(after: end) }
            var word = text[i..<end]
            let dotted = word.hasSuffix(".")
            word = word.drop { "'’-.".contains($0) }
            while let last = word.last, "'’-.".contains(last) { word = word.dropLast() }
            if word.isEmpty { mark(end, "."); continue }
            tokens.append(Token(range: word.startIndex..<word.endIndex, text: word, lower: word.lowercased(), isWord: true,
                                trailingDot: dotted))
            i = end
        }
        // A sentence starts the text, follows . ! ? or a line break, or follows a dotted word that is
        // not an abbreviation ("out. Main" but not "N. Main" or "Ave. and").
        var atStart = true
        for (k, t) in tokens.enumerated() {
            tokens[k].sentenceStart = atStart && t.isWord
            let abbreviation = t.lower.count <= 2 || ["mr", "mrs", "jr", "sr", "mt"].contains(t.lower)
                || (t.isSuffix && !spelledOut.contains(t.lower) && !everydaySuffixes.contains(t.lower))
            atStart = t.isWord ? t.trailingDot && !abbreviation : (atStart || ".!?\n".contains(t.lower))
        }
        return tokens
    }

    /// The text from token `a` through token `b` as written, with runs of white space made single spaces.
    static func span(_ tokens: [Token], _ a: Int, _ b: Int, in text: String) -> String {
        text[tokens[a].range.lowerBound..<tokens[b].range.upperBound]
            .split(whereSeparator: \.fastIsWhitespace).joined(separator: " ")
    }

    /// True when a location preposition sits right before token `i` ("at 77 Elm", "in front of 12 Oak").
    static func followsPreposition(_ t: [Token], _ i: Int) -> Bool {
        i > 0 && (prepositions.contains(t[i - 1].lower) || i > 1 && twoWordPrepositions.contains(t[i - 2].lower + " " + t[i - 1].lower))
    }
}

// MARK: - Addresses

extension LocationExtractor {
    /// The first "number + street" in the text. An answer to "Where is it?" may start with "123 Main".
    static func address(in t: [Token], of text: String, answering: Bool) -> Location? {
        for start in t.indices where t[start].isNumber {
            if start > 0, notHouseNumber.contains(t[start - 1].lower) || t[start - 1].isNumber { continue }
            if let end = addressEnd(t, from: start, placed: followsPreposition(t, start) || (answering && start == 0)) {
                return Location(kind: .address, text: span(t, start, end, in: text))
            }
        }
        return nil
    }

    /// Where an address that starts with the house number at `start` ends, if it is one:
    /// number, optional direction, one to four name words, then a suffix ("4501 N. Main Street"),
    /// optionally a unit ("apt 3"). When `placed` after a preposition the suffix may be missing ("at 77 Elm").
    static func addressEnd(_ t: [Token], from start: Int, placed: Bool) -> Int? {
        guard !t[start].trailingDot else { return nil }
        var i = start + 1
        if i + 2 < t.count, t[i].lower == "block", t[i + 1].lower == "of" { i += 2 } // "1200 block of Elm St"
        if i + 1 < t.count, t[i].isDirection, t[i + 1].isName || t[i + 1].isOrdinal || t[i + 1].isNumber { i += 1 }
        let firstName = i
        // Name words: "Oak", "Martin Luther King Jr", "5th", or the 33 of "East 33 St".
        while i < t.count, i - firstName <= 4, !t[i].sentenceStart,
              t[i].isName || t[i].isOrdinal || (t[i].isNumber && i + 1 < t.count && t[i + 1].isSuffix) {
            if t[i].isSuffix, i > firstName { return withUnit(t, suffixAt: i, firstName: firstName, placed: placed) }
            i += 1
        }
        guard placed, firstName < t.count, t[firstName].isCapitalized, !t[firstName].isSuffix,
              !t[firstName].sentenceStart else { return nil }
        var end = firstName + 1
        while end < t.count, end - firstName < 3, !t[end].sentenceStart, t[end].isCapitalized && t[end].isName || t[end].isOrdinal {
            end += 1
        }
        return end - 1
    }

    /// Checks the suffix at `s` and extends the address over a trailing quadrant or unit ("NW", "apt 3").
    static func withUnit(_ t: [Token], suffixAt s: Int, firstName: Int, placed: Bool) -> Int? {
        let lowerCase = t[firstName...s].allSatisfy { !$0.text.contains(where: \.fastIsUppercase) }
        if everydaySuffixes.contains(t[s].lower), lowerCase, !placed { return nil }
        var end = s
        if end + 1 < t.count, ["NE", "NW", "SE", "SW"].contains(t[end + 1].text) { end += 1 }
        guard end + 1 < t.count, units.contains(t[end + 1].lower) else { return end }
        var k = end + 2
        if k < t.count, t[k].lower == "#" { k += 1 }
        if k < t.count, t[k].isWord, t[k].text.contains(where: \.fastIsNumber) || t[k].text.count == 1 { return k }
        return end
    }
}

// MARK: - Intersections

extension LocationExtractor {
    /// One side of an intersection: tokens `start...end`, and how sure we are that it names a street.
    struct Street {
        /// plain: "oak", a sentence-initial "Trash"; proper: "Cherry" mid-sentence, "rough road";
        /// strong: a suffix or a numbered street ("Oak St", "5th", "170 st").
        enum Level: Int, Comparable {
            case plain, proper, strong
            static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        }
        var start: Int, end: Int, level: Level
    }

    /// The first "X and Y", "X & Y", "X/Y", "X St at Y St" or "X St near Y St" where both sides look like streets.
    /// A street near (by, off) another is how residents give a block without a house number ("on Oak near 5th
    /// St"): read as the corner, which the geocoder places and staff can walk from.
    static func intersection(in t: [Token], of text: String, answering: Bool) -> Location? {
        for c in t.indices where Self.connectors.contains(t[c].lower) && !t[c].sentenceStart {
            guard let x = streetBefore(t, c), let y = streetAfter(t, c), !isBusiness(x, t), !isBusiness(y, t) else { continue }
            let (low, high) = (min(x.level, y.level), max(x.level, y.level))
            let context = answering && x.start == 0 ? 1 : placeContext(t, before: x.start)
            let plain = x.level == .plain ? x : y
            let accepted: Bool
            if t[c].lower == "at" {
                accepted = low == .strong
            } else if Self.nearWords.contains(t[c].lower) {
                // "Oak St near 5th St", "on Oak near 5th": not "the park near 5th St" or "Lincoln Park by 5th".
                accepted = low == .strong || (low == .proper && high == .strong && context > 0 && !isPlaceName(x, t))
            } else if low >= .proper {
                accepted = true
            } else if plain.start == plain.end, t[plain.start].lower.hasSuffix("ing") {
                accepted = false // "Oakley and needing …", "trying and crying"
            } else if high == .strong {
                // "Oak and 5th" at the start of a sentence, or "at oak and 5th"; not "approach and 5th".
                accepted = context > 0 || t[plain.start].isCapitalized
            } else {
                accepted = high == .proper ? context > 0 : context > 1
            }
            if accepted {
                let name = span(t, x.start, x.end, in: text) + " & " + span(t, y.start, y.end, in: text)
                return Location(kind: .intersection, text: name)
            }
        }
        return nil
    }

    static let nearWords: Set<String> = ["near", "by", "off"]
    static let connectors: Set<String> = Set(["and", "&", "/", "at"]).union(nearWords)

    /// "Lincoln Park", "City Hall": a name ending in a word for a place, not a street.
    static func isPlaceName(_ side: Street, _ t: [Token]) -> Bool { placeWords.contains(t[side.end].lower) }

    static let placeWords: Set<String> = ["park", "hall", "school", "library", "church", "center", "centre", "station",
                                          "mall", "market", "hospital", "plaza", "square", "field", "store", "bank",
                                          "garden", "gardens"]

    /// "Ben & Jerry's": a name ending in a possessive, without a street suffix, is a shop, not a street.
    static func isBusiness(_ side: Street, _ t: [Token]) -> Bool {
        side.level != .strong && (t[side.end].lower.hasSuffix("'s") || t[side.end].lower.hasSuffix("’s"))
    }

    /// 2 after "corner of" / "intersection of" / "intersection", 1 after a location preposition or a
    /// bare "corner", else 0. Nothing carries over from the previous sentence.
    static func placeContext(_ t: [Token], before i: Int) -> Int {
        guard i > 0, !t[i].sentenceStart else { return 0 }
        let corners: Set<String> = ["corner", "corners", "intersection", "junction"]
        if ["intersection", "junction"].contains(t[i - 1].lower) { return 2 }
        if i > 1, corners.contains(t[i - 2].lower), ["of", "at", "with"].contains(t[i - 1].lower) { return 2 }
        return followsPreposition(t, i) || t[i - 1].lower == "corner" ? 1 : 0
    }

    /// How sure a name ending in the suffix at `s` is: "Oak St", "5th Ave" and "cortelyou rd" are streets;
    /// "rough road" is only likely one, and "right lane" or "cars drive" are ordinary words.
    static func suffixLevel(_ t: [Token], _ start: Int, _ s: Int) -> Street.Level {
        let casual = t[start...s].allSatisfy { !$0.text.contains(where: { $0.fastIsUppercase || $0.fastIsNumber }) }
        guard casual else { return .strong }
        if everydaySuffixes.contains(t[s].lower) { return .plain }
        return spelledOut.contains(t[s].lower) ? .proper : .strong
    }

    /// The street that ends just before the connector at `c`: "Oak St", "E. 18th", "Rhode Island".
    static func streetBefore(_ t: [Token], _ c: Int) -> Street? {
        var i = c - 1
        guard i >= 0 else { return nil }
        let end = i
        let hasSuffix = t[i].isStreetSuffix && i > 0 && (t[i - 1].isName || t[i - 1].isOrdinal || t[i - 1].isNumber)
        if hasSuffix { i -= 1 }
        var start = i
        if t[i].isOrdinal || (hasSuffix && t[i].isNumber) {
            if !hasSuffix, i > 0, determiners.contains(t[i - 1].lower) { return nil } // "the 1st and 2nd floors"
        } else if t[i].isName {
            let capitalized = t[i].isCapitalized
            if capitalized || hasSuffix {
                while start > 0, end - start < 4, !t[start].sentenceStart, t[start - 1].isName,
                      !capitalized || t[start - 1].isCapitalized { start -= 1 }
            }
        } else {
            return nil
        }
        if start > 0, !t[start].sentenceStart, t[start - 1].isDirection { start -= 1 }
        if hasSuffix { return Street(start: start, end: end, level: suffixLevel(t, start, end)) }
        if t[i].isOrdinal { return Street(start: start, end: end, level: .strong) }
        let proper = t[start...i].allSatisfy { $0.isCapitalized || $0.isDirection } && !t[start].sentenceStart
        return Street(start: start, end: end, level: proper ? .proper : .plain)
    }

    /// The street that starts just after the connector at `c`: "5th Ave", "Cortelyou rd", "Parsons".
    static func streetAfter(_ t: [Token], _ c: Int) -> Street? {
        var i = c + 1
        guard i < t.count else { return nil }
        let start = i
        if t[i].isDirection, i + 1 < t.count, t[i + 1].isName || t[i + 1].isOrdinal || t[i + 1].isNumber { i += 1 }
        let first = i
        if t[i].isOrdinal || t[i].isNumber {
            if i + 1 < t.count, t[i + 1].isStreetSuffix { return Street(start: start, end: i + 1, level: .strong) }
            guard t[i].isOrdinal else { return nil }
            if i + 1 < t.count, t[i + 1].isName, !t[i + 1].isCapitalized { return nil } // "2nd floor"
            return Street(start: start, end: i, level: .strong)
        }
        guard t[i].isName else { return nil }
        let capitalized = t[i].isCapitalized
        var (end, j) = (i, i + 1)
        while j < t.count, j - first < 4, t[j].isName, !t[j].sentenceStart {
            if t[j].isStreetSuffix { return Street(start: start, end: j, level: suffixLevel(t, start, j)) }
            if capitalized && !t[j].isCapitalized { break }
            end = j
            j += 1
        }
        // A lower-case name without a suffix runs to the end of the clause ("grand concourse") or is one word.
        if !capitalized, !(end - first < 2 && (j >= t.count || !t[j].isWord)) { end = first }
        let proper = capitalized && !t[start].sentenceStart
        return Street(start: start, end: end, level: proper ? .proper : .plain)
    }
}
