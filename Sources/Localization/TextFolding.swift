import CityModel
import Foundation

/// Folds resident text for matching: lower case, accents removed, punctuation turned into spaces,
/// whitespace collapsed. "¡Está ROTO!" → "esta roto". Chinese characters become one word each, Traditional ones
/// in their Simplified form ("路燈壞了" → "路 灯 坏 了"), Arabic-Indic digits become 0-9, and Arabic letters written
/// interchangeably are merged (ة/ه, ى/ي; hamza on alef is a diacritic and goes). Vietnamese đ becomes d, as typed
/// on any phone.
///
/// Folding runs once per message on the hot path, so it reads scalars through a table built once (Foundation's
/// diacritic and case folding, per scalar) instead of folding whole strings with Foundation each time.
public enum TextFolding {
    public static func fold(_ text: String) -> String {
        foldASCII(text) ?? FoldedText(text).folded
    }

    /// The words of `text` lower-cased with their accents and tone marks kept ("DỪNG lại" → "dừng lại"), or nil
    /// when that is the folded text (nothing was marked). Vietnamese reads "dừng", "dùng" and "đúng" apart.
    public static func marked(_ text: String) -> String? {
        if foldASCII(text) != nil { return nil }
        let words = FoldedText(text)
        return words.hasMarks ? words.markedText : nil
    }

    /// Arabic compared without short vowels and tatweel, and with the letters written interchangeably merged:
    /// hamza or madda on alef (آ أ إ ٱ → ا), ئ → ي, ؤ → و, ى → ي, ة → ه.
    static func normalizeArabic(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { (0x0600...0x06FF).contains($0.value) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x064B...0x065F, 0x0670, 0x0640: continue // harakat, superscript alef, tatweel
            case 0x0622, 0x0623, 0x0625, 0x0671: out.append("\u{0627}")
            case 0x0626: out.append("\u{064A}") // ئ as ي: residents often type سايق for سائق
            case 0x0624: out.append("\u{0648}") // ؤ as و
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
    public static func isIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F: true
        default: false
        }
    }

    /// The same folding for plain ASCII text, without any Unicode machinery (most messages).
    static func foldASCII(_ text: String) -> String? {
        var utf8 = text.utf8
        if let folded = utf8.withContiguousStorageIfAvailable(foldASCII) { return folded }
        var copy = text
        copy.makeContiguousUTF8()
        utf8 = copy.utf8
        return utf8.withContiguousStorageIfAvailable(foldASCII) ?? nil
    }

    private static func foldASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var out = [UInt8](repeating: 0, count: bytes.count)
        var count = 0
        var lastWasSpace = true
        for byte in bytes {
            guard byte < 0x80 else { return nil }
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                out[count] = byte + 32
                count += 1
                lastWasSpace = false
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                out[count] = byte
                count += 1
                lastWasSpace = false
            case UInt8(ascii: "'"):
                break // "don't" → "dont"
            default:
                if !lastWasSpace {
                    out[count] = UInt8(ascii: " ")
                    count += 1
                    lastWasSpace = true
                }
            }
        }
        if count > 0, out[count - 1] == UInt8(ascii: " ") { count -= 1 }
        return String(decoding: out[0..<count], as: UTF8.self)
    }

    /// `text` without white space (and line breaks) at either end: `trimmingCharacters(in: .whitespacesAndNewlines)`
    /// without Foundation, for the hot path.
    public static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.fastIsWhitespace }),
              let last = scalars.lastIndex(where: { !$0.fastIsWhitespace }) else { return "" }
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    /// The folded text split into words.
    public static func words(_ text: String) -> [String] {
        FoldedText(text).words
    }
}
