import CityModel
import Testing

/// The quick character classes answer exactly as the standard library's, so the tokenizers that use them read every
/// message as before.
@Suite struct CharacterClassesTests {
    /// Every ASCII character, "\r\n", and characters of every launch language's scripts, marks, digits and spaces.
    static let characters: [Character] = (0..<128).map { Character(Unicode.Scalar(UInt8($0))) } + [
        "\r\n", "é", "É", "ß", "ñ", "Ñ", "ü", "œ", "ǅ", "ª", "º", "ắ", "Ư", "đ", "Đ", "中", "号", "Ａ", "ａ", "１", "٣", "۴",
        "ب", "ـ", "\u{064E}", "e\u{0301}", "½", "Ⅻ", "²", "\u{00A0}", "\u{0085}", "\u{2028}", "\u{2029}", "\u{3000}",
        "\u{200B}", "\u{FEFF}", "’", "—", "🙂", "👍🏽", "🇺🇸",
    ]

    @Test func characterClassesMatchTheStandardLibrary() {
        for c in Self.characters {
            let name = c.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ")
            #expect(c.fastIsLetter == c.isLetter, "isLetter of U+\(name)")
            #expect(c.fastIsNumber == c.isNumber, "isNumber of U+\(name)")
            #expect(c.fastIsWhitespace == c.isWhitespace, "isWhitespace of U+\(name)")
            #expect(c.fastIsNewline == c.isNewline, "isNewline of U+\(name)")
            #expect(c.fastIsUppercase == c.isUppercase, "isUppercase of U+\(name)")
            #expect(c.fastIsLowercase == c.isLowercase, "isLowercase of U+\(name)")
        }
    }

    @Test func scalarPropertiesMatchTheStandardLibrary() {
        for c in Self.characters {
            for scalar in c.unicodeScalars {
                let name = String(scalar.value, radix: 16)
                #expect(scalar.fastIsAlphabetic == scalar.properties.isAlphabetic, "isAlphabetic of U+\(name)")
                #expect(scalar.fastIsWhitespace == scalar.properties.isWhitespace, "isWhitespace of U+\(name)")
            }
        }
    }
}
