import CityModel
import Foundation

/// Folds resident text for matching: lower case, accents removed, punctuation turned into spaces,
/// whitespace collapsed. "¡Está ROTO!" → "esta roto". Text in scripts without letter case is kept as is.
public enum TextFolding {
    public static func fold(_ text: String) -> String {
        foldASCII(text) ?? foldUnicode(text)
    }

    static func foldUnicode(_ text: String) -> String {
        let lowered = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var out = String.UnicodeScalarView()
        var lastWasSpace = true
        for scalar in lowered.unicodeScalars {
            let keep = CharacterSet.alphanumerics.contains(scalar) || scalar == "'" || scalar == "’"
            if keep && scalar != "'" && scalar != "’" {
                out.append(scalar)
                lastWasSpace = false
            } else if !keep, !lastWasSpace {
                out.append(" ")
                lastWasSpace = true
            }
        }
        return String(out).trimmingCharacters(in: .whitespaces)
    }

    /// The same folding for plain ASCII text, without Foundation's Unicode machinery (most messages).
    static func foldASCII(_ text: String) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var lastWasSpace = true
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                out.append(byte + 32)
                lastWasSpace = false
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                out.append(byte)
                lastWasSpace = false
            case UInt8(ascii: "'"):
                break // "don't" → "dont"
            default:
                if !lastWasSpace {
                    out.append(UInt8(ascii: " "))
                    lastWasSpace = true
                }
            }
        }
        if out.last == UInt8(ascii: " ") { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }

    /// The folded text split into words.
    public static func words(_ text: String) -> [String] {
        fold(text).split(separator: " ").map(String.init)
    }
}
