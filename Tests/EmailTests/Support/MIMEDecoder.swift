import Foundation

/// A small, strict reader of the messages `MIMEMessage` writes, independent of its encoder: unfolds headers,
/// decodes RFC 2047 encoded-words (checking each word is valid UTF-8 on its own), quoted-printable and base64, and
/// splits a multipart body.
enum MIMEDecoder {
    struct Part {
        var headers: [(name: String, value: String)]
        var body: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// Headers (unfolded) and body of a CRLF message.
    static func parse(_ raw: String) -> Part {
        let split = raw.components(separatedBy: "\r\n\r\n")
        let head = split[0]
        let body = split.dropFirst().joined(separator: "\r\n\r\n")
        var headers: [(name: String, value: String)] = []
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), !headers.isEmpty {
                headers[headers.count - 1].value += line  // unfolding removes only the CRLF
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...].dropFirst())))
            }
        }
        return Part(headers: headers, body: body)
    }

    /// The parts of a multipart body with `boundary`.
    static func parts(of body: String, boundary: String) -> [Part] {
        let delimiter = "--" + boundary
        var sections = ("\r\n" + body).components(separatedBy: "\r\n" + delimiter)
        sections.removeFirst()  // the (empty) preamble
        return sections.filter { !$0.hasPrefix("--") }.map { section in
            parse(section.hasPrefix("\r\n") ? String(section.dropFirst()) : section)  // the CRLF ("\r\n" is one Character)
        }
    }

    /// The boundary parameter of a Content-Type value.
    static func boundary(_ contentType: String) -> String? {
        guard let range = contentType.range(of: "boundary=\"") else { return nil }
        let rest = contentType[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// The decoded text of a part, per its Content-Transfer-Encoding.
    static func decodedText(_ part: Part) -> String? {
        switch part.header("Content-Transfer-Encoding")?.lowercased() {
        case "quoted-printable": String(bytes: quotedPrintable(part.body), encoding: .utf8)
        case "base64": Data(base64Encoded: part.body.replacingOccurrences(of: "\r\n", with: ""))
            .flatMap { String(data: $0, encoding: .utf8) }
        default: part.body
        }
    }

    static func quotedPrintable(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "="), index + 2 < bytes.count, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A {
                index += 3  // soft line break
            } else if bytes[index] == UInt8(ascii: "="), index + 2 < bytes.count,
                      let value = UInt8(String(decoding: bytes[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                out.append(value)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    struct EncodedWord {
        var encoding: Character
        var bytes: [UInt8]
        var length: Int
    }

    /// The encoded-words of a header value made only of encoded-words separated by whitespace; nil otherwise.
    static func encodedWords(_ value: String) -> [EncodedWord]? {
        var words: [EncodedWord] = []
        for token in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            let pieces = token.split(separator: "?", omittingEmptySubsequences: false)
            guard pieces.count == 5, pieces[0] == "=", pieces[4] == "=", pieces[1].uppercased() == "UTF-8",
                  let encoding = pieces[2].uppercased().first else { return nil }
            let text = String(pieces[3])
            let bytes: [UInt8]
            switch encoding {
            case "B":
                guard let data = Data(base64Encoded: text) else { return nil }
                bytes = Array(data)
            case "Q":
                bytes = quotedPrintable(text.replacingOccurrences(of: "_", with: " "))
            default:
                return nil
            }
            words.append(EncodedWord(encoding: encoding, bytes: bytes, length: token.count))
        }
        return words
    }

    /// The decoded text of an encoded-word header value. Fails (nil) when any single word is not valid UTF-8 by
    /// itself, i.e. when the encoder split a character between words.
    static func decodeHeader(_ value: String) -> String? {
        guard let words = encodedWords(value) else { return nil }
        guard words.allSatisfy({ String(validating: $0.bytes, as: UTF8.self) != nil }) else { return nil }
        return String(validating: words.flatMap(\.bytes), as: UTF8.self)
    }
}
