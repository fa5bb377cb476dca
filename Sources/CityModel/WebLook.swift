import Foundation

/// How the city's web pages for residents look and where the chat may be embedded (`web:` in `city.yaml`).
public struct WebLook: Hashable, Sendable {
    /// The city's colour (`#rrggbb`) for the header and buttons, with white text on it.
    public var color: String
    /// The logo shown beside the program's name: its bytes and media type (SVG, PNG or JPEG), read at start.
    public var logo: Logo?
    /// The sites (origins such as `https://www.springfield.gov`) whose pages may embed the chat widget.
    public var embedOrigins: [String]

    public struct Logo: Hashable, Sendable {
        public var data: Data
        public var contentType: String
        public init(data: Data, contentType: String) {
            self.data = data
            self.contentType = contentType
        }
    }

    public static let defaultColor = "#1f4e8c"
    /// The residents' pages' light background, on which the city's colour is used for headings and links.
    public static let pageBackground = "#f6f7f9"

    public init(color: String = defaultColor, logo: Logo? = nil, embedOrigins: [String] = []) {
        self.color = color
        self.logo = logo
        self.embedOrigins = embedOrigins
    }

    /// The WCAG 2.1 contrast ratio between two `#rrggbb` colours (1…21); nil for a malformed colour.
    public static func contrast(_ a: String, _ b: String) -> Double? {
        guard let first = luminance(a), let second = luminance(b) else { return nil }
        return (max(first, second) + 0.05) / (min(first, second) + 0.05)
    }

    /// The relative luminance of a `#rrggbb` colour (WCAG 2.1).
    static func luminance(_ hex: String) -> Double? {
        let digits = Array(hex.utf8.dropFirst())
        guard hex.hasPrefix("#"), digits.count == 6, let value = Int(String(decoding: digits, as: UTF8.self), radix: 16) else { return nil }
        func channel(_ shift: Int) -> Double {
            let c = Double((value >> shift) & 0xFF) / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0)
    }
}
