/// A street's name in parts, as USPS Publication 28 writes it: "N Grand Ave" is a pre-directional (`N`), the
/// name (`Grand`), a suffix (`Ave`); "Lincoln Ave E" has a post-directional.
public struct StreetName: Hashable, Sendable {
    public var full: String
    public var predirectional: String?
    /// The name without suffix and directionals, as written ("Grand", "Martin Luther King").
    public var core: String
    public var suffix: String?
    public var postdirectional: String?
    /// `core` folded for lookup ("grand", "5th").
    public var key: String

    /// Splits a full name ("N Grand Ave") into its parts.
    public init(_ full: String) {
        self.full = full
        var words = full.split(separator: " ").map(String.init)
        if words.count > 1, let direction = Self.directions[words[0].lowercased()] {
            predirectional = direction
            words.removeFirst()
        }
        if words.count > 1, let direction = Self.directions[words[words.count - 1].lowercased()] {
            postdirectional = direction
            words.removeLast()
        }
        if words.count > 1, let suffix = Self.suffixes[words[words.count - 1].lowercased()] {
            self.suffix = suffix
            words.removeLast()
        }
        core = words.joined(separator: " ")
        key = words.map { Self.canonicalWord($0.lowercased()) }.joined(separator: " ")
    }

    /// A word of a street's name as the index keeps it: ordinals as "5th" ("fifth", "5", "5ta" → "5th").
    static func canonicalWord(_ word: String) -> String {
        if let ordinal = ordinals[word] { return ordinal }
        let digits = word.prefix { $0.isASCII && $0.fastIsNumber }
        guard !digits.isEmpty, let value = Int(digits) else { return word }
        let rest = word.dropFirst(digits.count)
        guard rest.isEmpty || ["st", "nd", "rd", "th", "ta", "a", "o", "er", "e"].contains(String(rest)) else { return word }
        return ordinal(value)
    }

    static func ordinal(_ value: Int) -> String {
        let tens = value % 100
        let suffix = (11...13).contains(tens) ? "th" : [1: "st", 2: "nd", 3: "rd"][value % 10] ?? "th"
        return "\(value)\(suffix)"
    }

    /// Directionals, spelled out or abbreviated, in the languages residents write them → USPS abbreviation.
    static let directions: [String: String] = {
        var table: [String: String] = [:]
        let spellings: [String: [String]] = [
            "N": ["n", "n.", "north", "norte"], "S": ["s", "s.", "south", "sur"], "E": ["e", "e.", "east", "este"],
            "W": ["w", "w.", "west", "oeste"], "NE": ["ne", "northeast", "noreste"], "NW": ["nw", "northwest", "noroeste"],
            "SE": ["se", "southeast", "sureste"], "SW": ["sw", "southwest", "suroeste"],
        ]
        for (abbreviation, words) in spellings { for word in words { table[word] = abbreviation } }
        return table
    }()

    /// Street suffixes (USPS Publication 28, Appendix C1, the common ones and their usual spellings) → abbreviation.
    static let suffixes: [String: String] = {
        var table: [String: String] = [:]
        let spellings: [String: [String]] = [
            "St": ["st", "st.", "street", "str", "strt", "stre"], "Ave": ["ave", "ave.", "avenue", "av", "av.", "aven", "avn", "avnue"],
            "Rd": ["rd", "rd.", "road"], "Blvd": ["blvd", "blvd.", "boulevard", "boul", "boulv", "blv"],
            "Dr": ["dr", "dr.", "drive", "drv", "driv"], "Ln": ["ln", "ln.", "lane"], "Way": ["way", "wy"],
            "Ct": ["ct", "ct.", "court", "crt"], "Pl": ["pl", "pl.", "place"], "Ter": ["ter", "terrace", "terr"],
            "Cir": ["cir", "circle", "circ", "crcl"], "Pkwy": ["pkwy", "parkway", "pky", "parkwy"], "Hwy": ["hwy", "highway", "hiway"],
            "Trl": ["trl", "trail"], "Sq": ["sq", "square"], "Plz": ["plz", "plaza"], "Aly": ["aly", "alley"], "Loop": ["loop"],
            "Row": ["row"], "Run": ["run"], "Walk": ["walk"], "Pike": ["pike"], "Xing": ["xing", "crossing"], "Expy": ["expy", "expressway"],
            "Cv": ["cv", "cove"], "Pt": ["pt", "point"], "Path": ["path"],
        ]
        for (abbreviation, words) in spellings { for word in words { table[word] = abbreviation } }
        return table
    }()

    static let ordinals: [String: String] = [
        "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th", "seventh": "7th",
        "eighth": "8th", "ninth": "9th", "tenth": "10th", "eleventh": "11th", "twelfth": "12th", "thirteenth": "13th",
        "fourteenth": "14th", "fifteenth": "15th", "sixteenth": "16th", "seventeenth": "17th", "eighteenth": "18th",
        "nineteenth": "19th", "twentieth": "20th",
        "primera": "1st", "segunda": "2nd", "tercera": "3rd", "cuarta": "4th", "quinta": "5th", "sexta": "6th",
        "septima": "7th", "octava": "8th", "novena": "9th", "decima": "10th",
    ]
}
