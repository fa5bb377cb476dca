import Foundation

/// The encodings an RFC 5322 / MIME message needs, as pure functions: RFC 2047 encoded-words, header folding,
/// quoted-printable and base64 bodies (RFC 2045), the RFC 5322 date, and a stable hash for boundaries.
enum MIMEEncoding {
    /// The longest a header line should be (RFC 5322 §2.1.1 "SHOULD"); the hard limit is 998.
    static let preferredLineLength = 78
    /// A line holding encoded-words is at most 76 characters (RFC 2047 §2).
    static let encodedWordLineLength = 76
    /// An encoded-word is at most 75 characters, delimiters included (RFC 2047 §2).
    static let maxEncodedWordLength = 75

    // MARK: Header text

    /// RFC 5322 atext: letters, digits and ``!#$%&'*+-/=?^_`{|}~``.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
        }
    }

    /// Header text with line breaks and tabs turned into spaces and other control characters removed, so a value
    /// can never end a header early (header injection).
    static func sanitized(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\r" || scalar == "\n" || scalar == "\t" || scalar == "\u{2028}" || scalar == "\u{2029}" {
                scalars.append(" ")
            } else if scalar.properties.generalCategory != .control {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// An unstructured header value (`Subject`): printable ASCII stays as it is; anything else, or text that could
    /// be mistaken for an encoded-word, becomes UTF-8 encoded-words sized for a line that starts with `name: `.
    static func unstructured(_ text: String, headerName name: String) -> String {
        let clean = sanitized(text)
        let plain = clean.unicodeScalars.allSatisfy { $0.isASCII } && !clean.contains("=?")
            && clean.split(separator: " ").allSatisfy { $0.utf8.count <= 900 }
        if plain { return clean }
        return encodedWords(clean, firstLimit: encodedWordLineLength - name.utf8.count - 2).joined(separator: " ")
    }

    /// A display name (`phrase`): atoms as they are, other ASCII as a quoted string, non-ASCII as encoded-words.
    static func phrase(_ name: String) -> String {
        let clean = sanitized(name).trimmingCharacters(in: .whitespaces)
        let ascii = clean.unicodeScalars.allSatisfy { $0.isASCII }
        if ascii, !clean.isEmpty, !clean.contains("=?"), clean.utf8.allSatisfy({ isAtext($0) || $0 == 0x20 }) {
            return clean
        }
        if ascii {
            return "\"" + clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return encodedWords(clean, firstLimit: maxEncodedWordLength).joined(separator: " ")
    }

    /// `text` as UTF-8 encoded-words (RFC 2047): Q encoding when that is shorter (mostly-Latin text), B otherwise.
    /// The first word is at most `firstLimit` characters, the others `limit`. A word never ends inside a character
    /// (a grapheme cluster, or at worst a Unicode scalar), so each word decodes to valid UTF-8 on its own. Q uses only
    /// the characters allowed in a phrase (RFC 2047 §5(3)), so the result fits `Subject` and display names alike.
    static func encodedWords(_ text: String, firstLimit: Int, limit: Int = maxEncodedWordLength) -> [String] {
        let bytes = Array(text.utf8)
        let useQ = bytes.reduce(0) { $0 + qLength($1) } <= base64Length(bytes.count)
        let prefix = useQ ? "=?UTF-8?Q?" : "=?UTF-8?B?"
        let overhead = prefix.utf8.count + 2
        func cost(_ chunk: [UInt8]) -> Int { useQ ? chunk.reduce(0) { $0 + qLength($1) } : base64Length(chunk.count) }
        var words: [String] = []
        var chunk: [UInt8] = []
        func budget() -> Int { max(words.isEmpty ? firstLimit : limit, overhead + 12) - overhead }
        func flush() {
            guard !chunk.isEmpty else { return }
            let encoded = useQ ? chunk.map(qEncoded).joined() : Data(chunk).base64EncodedString()
            words.append(prefix + encoded + "?=")
            chunk = []
        }
        for character in text {
            let whole = Array(character.utf8)
            let units = cost(whole) <= limit - overhead ? [whole] : character.unicodeScalars.map { Array(String($0).utf8) }
            for unit in units {
                if !chunk.isEmpty, cost(chunk + unit) > budget() { flush() }
                chunk += unit
            }
        }
        flush()
        return words
    }

    private static func base64Length(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    private static func isQLiteral(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"), 0x20:
            true
        default:
            false
        }
    }

    private static func qLength(_ byte: UInt8) -> Int { isQLiteral(byte) ? 1 : 3 }

    private static func qEncoded(_ byte: UInt8) -> String {
        if byte == 0x20 { return "_" }
        return isQLiteral(byte) ? String(UnicodeScalar(byte)) : "=" + hex(byte)
    }

    /// `Name: value` folded (a CRLF inserted before a space) so lines stay within `limit` where the words allow.
    /// No trailing CRLF.
    static func fold(name: String, value: String, limit: Int = preferredLineLength) -> String {
        var lines: [String] = []
        var line = name + ":"
        var lineHasWord = false
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if lineHasWord, !word.isEmpty, line.utf8.count + 1 + word.utf8.count > limit {
                lines.append(line)
                line = " " + word
            } else {
                line += " " + word
            }
            lineHasWord = true
        }
        lines.append(line)
        return lines.joined(separator: "\r\n")
    }

    // MARK: Bodies

    /// `text` with every line break (CRLF, CR, LF, U+2028) as CRLF: the canonical form of MIME text (RFC 2045).
    static func canonicalLineBreaks(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\r":
                out.append(contentsOf: "\r\n".unicodeScalars)
                previousWasCR = true
                continue
            case "\n":
                if !previousWasCR { out.append(contentsOf: "\r\n".unicodeScalars) }
            case "\u{2028}", "\u{2029}":
                out.append(contentsOf: "\r\n".unicodeScalars)
            default:
                out.append(scalar)
            }
            previousWasCR = false
        }
        return String(out)
    }

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text whose line breaks are CRLF: hard line breaks stay CRLF, lines
    /// are at most 76 characters with `=` soft breaks, `=`, non-ASCII and trailing spaces are `=XX`.
    static func quotedPrintable(_ text: String) -> String {
        var output: [UInt8] = []
        let lines = canonicalLineBreaks(text).utf8.split(separator: 0x0A, omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            if index > 0 { output += [0x0D, 0x0A] }
            let line = index < lines.count - 1 ? rawLine.dropLast() : rawLine[...]  // drop the CR of CRLF
            var length = 0
            for position in line.indices {
                let byte = line[position]
                let isLast = position == line.index(before: line.endIndex)
                let unit: [UInt8]
                if byte == 0x20 || byte == 0x09 {
                    unit = isLast ? Array(("=" + hex(byte)).utf8) : [byte]
                } else if (33...126).contains(byte), byte != UInt8(ascii: "=") {
                    unit = [byte]
                } else {
                    unit = Array(("=" + hex(byte)).utf8)
                }
                if length + unit.count > 75 {
                    output += Array("=\r\n".utf8)
                    length = 0
                }
                output += unit
                length += unit.count
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Base64 in lines of 76 characters joined by CRLF (RFC 2045 §6.8).
    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Data(bytes).base64EncodedString()
        var lines: [Substring] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[start..<end])
            start = end
        }
        return lines.joined(separator: "\r\n")
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    // MARK: Dates and hashes

    /// `Tue, 04 Mar 2025 14:05:09 +0000` (RFC 5322 §3.3), in UTC.
    static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(days[(parts.weekday ?? 1) - 1]), \(two(parts.day)) \(months[(parts.month ?? 1) - 1]) \(parts.year ?? 1970) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000"
    }

    /// 64-bit FNV-1a: a stable (not cryptographic) hash, for boundaries that look random but repeat on a retry.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
