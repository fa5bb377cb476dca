import CityModel
import Foundation

/// Folds resident text for matching: lower case, accents removed, punctuation turned into spaces,
/// whitespace collapsed. "¡Está ROTO!" → "esta roto". Chinese characters become one word each ("路灯坏了" →
/// "路 灯 坏 了"), Arabic-Indic digits become 0-9, and Arabic letters written interchangeably are merged
/// (ة/ه, ى/ي; hamza on alef is a diacritic and goes). Vietnamese đ becomes d, as typed on any phone.
public enum TextFolding {
    public static func fold(_ text: String) -> String {
        foldASCII(text) ?? foldUnicode(text)
    }

    static func foldUnicode(_ text: String) -> String {
        let lowered = normalizeArabic(text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil))
        var out = String.UnicodeScalarView()
        var lastWasSpace = true
        func space() {
            if !lastWasSpace {
                out.append(" ")
                lastWasSpace = true
            }
        }
        for scalar in lowered.unicodeScalars {
            if let digit = asciiDigit(scalar) {
                out.append(digit)
                lastWasSpace = false
                continue
            }
            if scalar == "\u{0111}" {
                out.append("d") // Vietnamese đ is typed as d without a Vietnamese keyboard
                lastWasSpace = false
                continue
            }
            if scalar == "'" || scalar == "’" { continue } // "don't" → "dont"
            if Self.isIdeograph(scalar) {
                // Chinese has no spaces between words: each character is a word for matching.
                space()
                out.append(scalar)
                lastWasSpace = false
                space()
            } else if CharacterSet.alphanumerics.contains(scalar) {
                out.append(scalar)
                lastWasSpace = false
            } else {
                space()
            }
        }
        return String(out).trimmingCharacters(in: .whitespaces)
    }

    /// Arabic compared without short vowels and tatweel, and with the letters written interchangeably merged:
    /// hamza or madda on alef (آ أ إ ٱ → ا), ى → ي, ة → ه.
    static func normalizeArabic(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { (0x0600...0x06FF).contains($0.value) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x064B...0x065F, 0x0670, 0x0640: continue // harakat, superscript alef, tatweel
            case 0x0622, 0x0623, 0x0625, 0x0671: out.append("\u{0627}")
            case 0x0649: out.append("\u{064A}")
            case 0x0629: out.append("\u{0647}")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// Arabic-Indic and Persian digits as 0-9 ("٢" answers a menu like "2"); nil for anything else.
    public static func asciiDigit(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0x0660...0x0669, 0x06F0...0x06F9: Unicode.Scalar(0x30 + (scalar.value & 0xF))
        default: nil
        }
    }

    /// Han characters and kana: scripts written without spaces between words.
    static func isIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F: true
        default: false
        }
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
