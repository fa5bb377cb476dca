import CityModel
import Foundation

/// Folds resident text for matching: lower case, accents removed, punctuation turned into spaces,
/// whitespace collapsed. "¡Está ROTO!" → "esta roto". Text in scripts without letter case is kept as is.
public enum TextFolding {
    public static func fold(_ text: String) -> String {
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

    /// The folded text split into words.
    public static func words(_ text: String) -> [String] {
        fold(text).split(separator: " ").map(String.init)
    }
}
