import CityModel
import Foundation

/// Plain text as HTML: what the email templates show as `{{{body_html}}}`, and what an email without an HTML
/// rendering falls back to.
///
/// Blank lines separate paragraphs (`<p>`), single line breaks become `<br>`, `http(s)://` links become anchors,
/// everything else is HTML-escaped.
public enum HTMLText {
    /// The paragraphs of `text` as HTML.
    public static func paragraphs(_ text: String) -> String {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .split(whereSeparator: { $0.trimmingCharacters(in: .whitespaces).isEmpty })
            .map { lines in "<p>" + lines.map(linkified).joined(separator: "<br>\n") + "</p>" }
            .joined(separator: "\n")
    }

    /// A complete, minimal HTML document for `text`, its root carrying `lang` and `dir` so mail clients lay
    /// right-to-left languages out the right way round.
    public static func document(fromText text: String, title: String?, locale: LanguageTag) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(escape(locale.code))" dir="\(locale.isRightToLeft ? "rtl" : "ltr")">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title ?? ""))</title>
        </head>
        <body>
        \(paragraphs(text))
        </body>
        </html>

        """
    }

    /// Escapes the five characters that matter in HTML text and attribute values.
    public static func escape(_ text: String) -> String {
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
    static func linkified(_ line: Substring) -> String {
        var out = ""
        var rest = line
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
