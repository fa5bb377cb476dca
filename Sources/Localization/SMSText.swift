import CityModel
import Foundation

/// What an SMS body costs: its encoding and how many segments (billed parts) it takes.
///
/// A message that fits the GSM 03.38 alphabet goes as GSM-7: 160 characters in one segment, 153 per segment
/// when split (the rest of each part carries the concatenation header); characters of the extension table
/// (`€ [ ] { } \ ^ ~ |` and form feed) take two. Anything else (á, 中, ư, ب, an emoji) makes the whole
/// message UCS-2: 70 UTF-16 units in one segment, 67 per segment when split.
public struct SMSCost: Hashable, Sendable, CustomStringConvertible {
    public enum Encoding: String, Sendable { case gsm7 = "GSM-7", ucs2 = "UCS-2" }
    public var encoding: Encoding
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    public var units: Int
    public var segments: Int

    public init(encoding: Encoding, units: Int, segments: Int) {
        self.encoding = encoding
        self.units = units
        self.segments = segments
    }

    public var description: String { "\(encoding.rawValue), \(segments) segment\(segments == 1 ? "" : "s")" }
}

/// SMS body rules: typographic punctuation replaced by its GSM-7 equivalent so one curly quote does not
/// double the price of a message, and the cost of a body.
public enum SMSText {
    /// Replaces curly quotes, dashes, ellipses and unusual spaces with plain ones ("It’s — ok…" → "It's - ok...").
    /// Letters of any language are left alone.
    public static func normalize(_ text: String) -> String {
        // Every replaced character is outside ASCII, and most bodies are ASCII: no scalar hashed then.
        guard text.utf8.contains(where: { $0 >= 0x80 }), text.unicodeScalars.contains(where: { replacements[$0] != nil }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let plain = replacements[scalar] { out.append(contentsOf: plain.unicodeScalars) } else { out.append(scalar) }
        }
        return String(out)
    }

    /// `text`, or — when it takes more than `segments` SMS segments as UCS-2 only because of accented Latin
    /// letters outside GSM-7 (á í ó ú ê …) — the same text with those letters plain, when that fits in fewer
    /// segments: "Está en la calle" → "Esta en la calle", as Spanish speakers text anyway. Never in a language
    /// whose marks tell words apart (Vietnamese), and never when anything else (中, ب, an emoji) needs UCS-2.
    public static func fit(_ text: String, segments limit: Int, locale: LanguageTag) -> String {
        let cost = cost(of: text)
        guard cost.encoding == .ucs2, cost.segments > limit, !TextFolding.marksMatter(in: locale) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if basic.contains(scalar) || extended.contains(scalar) {
                out.append(scalar)
            } else if let plain = plainLatin(scalar) {
                out.append(plain)
            } else {
                return text
            }
        }
        let plain = String(out)
        return self.cost(of: plain).segments < cost.segments ? plain : text
    }

    /// The GSM-7 letter an accented Latin letter is written as without its accent ("í" → "i"), if there is one.
    static func plainLatin(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        guard (0xC0...0x24F).contains(scalar.value) else { return nil }
        let folded = String(Character(scalar)).folding(options: .diacriticInsensitive, locale: nil).unicodeScalars
        guard folded.count == 1, let base = folded.first, basic.contains(base) else { return nil }
        return base
    }

    /// The encoding and number of segments `text` takes as one SMS.
    public static func cost(of text: String) -> SMSCost {
        var septets = 0
        var gsm = true
        for scalar in text.unicodeScalars {
            let cost = scalar.isASCII ? Int(asciiSeptets[Int(scalar.value)]) : basic.contains(scalar) ? 1 : extended.contains(scalar) ? 2 : 0
            if cost == 0 {
                gsm = false
                break
            }
            septets += cost
        }
        if gsm {
            return SMSCost(encoding: .gsm7, units: septets, segments: septets <= 160 ? 1 : (septets + 152) / 153)
        }
        let units = text.utf16.count
        return SMSCost(encoding: .ucs2, units: units, segments: units <= 70 ? 1 : (units + 66) / 67)
    }

    /// The GSM 03.38 default alphabet.
    static let basic: Set<Unicode.Scalar> = Set(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà").unicodeScalars
    )
    /// The extension table, reached with an escape: two septets each.
    static let extended: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)
    /// Septets of each ASCII character (1 in the basic table, 2 in the extension, 0 when not in GSM-7): most bodies are
    /// ASCII, and a table is cheaper than hashing each of their characters into the sets.
    static let asciiSeptets: [UInt8] = (0..<128).map { value in
        let scalar = Unicode.Scalar(UInt8(value))
        return basic.contains(scalar) ? 1 : extended.contains(scalar) ? 2 : 0
    }

    static let replacements: [Unicode.Scalar: String] = [
        "\u{2018}": "'", "\u{2019}": "'", "\u{201A}": "'", "\u{201B}": "'", "\u{2032}": "'",
        "\u{201C}": "\"", "\u{201D}": "\"", "\u{201E}": "\"", "\u{201F}": "\"", "\u{2033}": "\"",
        "\u{2013}": "-", "\u{2014}": "-", "\u{2015}": "-", "\u{2212}": "-", "\u{2010}": "-", "\u{2011}": "-",
        "\u{2026}": "...", "\u{00A0}": " ", "\u{2009}": " ", "\u{202F}": " ", "\u{2007}": " ", "\u{200B}": "",
        "\u{2022}": "-", "\u{00AB}": "\"", "\u{00BB}": "\"", "\u{2039}": "'", "\u{203A}": "'",
    ]
}
