import CityModel
import Foundation

/// The HTML alternative made from a plain-text body, for messages rendered without HTML.
///
/// Blank lines separate paragraphs (`<p>`), single line breaks become `<br>`, `http(s)://` links become anchors,
/// everything else is HTML-escaped. The root carries `lang` and `dir` (`rtl` for Arabic, Hebrew, Persian, Urdu and
/// other right-to-left languages or scripts), so mail clients lay the text out the right way round.
enum EmailHTML {
    /// Languages written right to left when no script subtag says otherwise.
    static let rightToLeftLanguages: Set<String> = [
        "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "syr", "ug", "ur", "yi",
    ]
    /// ISO 15924 scripts written right to left (`pa-Arab`, `az-Arab`).
    static let rightToLeftScripts: Set<String> = ["Adlm", "Arab", "Hebr", "Nkoo", "Rohg", "Syrc", "Thaa"]

    static func isRightToLeft(_ locale: LanguageTag) -> Bool {
        let subtags = locale.code.split(separator: "-").map(String.init)
        if let script = subtags.dropFirst().first(where: { $0.count == 4 && $0.allSatisfy(\.isLetter) }) {
            return rightToLeftScripts.contains(script)
        }
        return rightToLeftLanguages.contains(locale.language)
    }

    /// A complete HTML document for `text`.
    static func document(fromText text: String, title: String?, locale: LanguageTag) -> String {
        let paragraphs = MIMEEncoding.canonicalLineBreaks(text)
            .components(separatedBy: "\r\n")
            .split(whereSeparator: { $0.trimmingCharacters(in: .whitespaces).isEmpty })
            .map { lines in "<p>" + lines.map(linkified).joined(separator: "<br>\n") + "</p>" }
        let direction = isRightToLeft(locale) ? "rtl" : "ltr"
        return """
            <!DOCTYPE html>
            <html lang="\(escape(locale.code))" dir="\(direction)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(MIMEEncoding.sanitized(title ?? "")))</title>
            </head>
            <body>
            \(paragraphs.joined(separator: "\n"))
            </body>
            </html>

            """
    }

    /// Escapes the five characters that matter in HTML text and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// One escaped line with its `http(s)://` links as anchors (trailing punctuation stays outside the link).
    private static func linkified(_ line: String) -> String {
        var out = ""
        var rest = Substring(line)
        while let scheme = [rest.range(of: "http://"), rest.range(of: "https://")].compactMap({ $0 })
            .min(by: { $0.lowerBound < $1.lowerBound }) {
            out += escape(String(rest[..<scheme.lowerBound]))
            var end = rest[scheme.lowerBound...].firstIndex { $0.isWhitespace || "<>\"".contains($0) } ?? rest.endIndex
            while end > scheme.upperBound, ".,;:!?)]'".contains(rest[rest.index(before: end)]) {
                end = rest.index(before: end)
            }
            let url = escape(String(rest[scheme.lowerBound..<end]))
            out += end == scheme.upperBound ? url : "<a href=\"\(url)\">\(url)</a>"
            rest = rest[end...]
        }
        return out + escape(String(rest))
    }
}
