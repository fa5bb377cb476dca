import CityModel
import Foundation

/// A resident's email as CityLine reads it: who sent it, its Message-ID (a redelivery has the same), and the new
/// text — the part above the quoted message and the signature, from the text/plain part (or the HTML one, as text).
///
/// Reads RFC 5322 messages with MIME (RFC 2045–2047): folded headers, encoded-word subjects, `multipart/*` at any
/// depth, base64 and quoted-printable, and UTF-8, US-ASCII, ISO-8859-1 and Windows-1252 text. Anything else is a
/// clear `InboundEmail.ParseError`, never a guess. Automatic mail — auto-replies, bounces, mailing lists — is
/// marked `isAutomatic` so it is never answered (two robots replying to each other would never stop).
public struct InboundEmail: Hashable, Sendable {
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The sender's address, lower-cased.
    public var from: String
    /// Without angle brackets; nil when the message has none.
    public var messageID: String?
    public var subject: String
    /// The new text of the message, quotes and signature removed.
    public var body: String
    public var isAutomatic: Bool
    /// The message ids it answers (References, else In-Reply-To), oldest first, without angle brackets.
    public var references: [String] = []

    /// What the conversation engine reads: the body of a reply; for a new message, its subject and body together
    /// ("Broken streetlight" + "at 5th and Oak"), or the subject alone when the body is empty.
    public var text: String {
        let subject = self.subject.trimmingCharacters(in: .whitespaces)
        let topic = Self.withoutReplyPrefix(subject)
        if topic.isEmpty { return body }
        if body.isEmpty { return topic }
        return topic == subject ? subject + "\n" + body : body
    }

    /// "Re: Fwd: Broken light" → "Broken light".
    static func withoutReplyPrefix(_ subject: String) -> String {
        guard let match = replyPrefix.firstMatch(in: subject), let range = Range(match.range, in: subject) else { return subject }
        return String(subject[range.upperBound...]).trimmingCharacters(in: .whitespaces)
    }

    /// Largest message accepted (a photo attachment or two).
    public static let maxBytes = 10 * 1024 * 1024

    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> InboundEmail {
        guard bytes.count <= maxBytes else { throw ParseError("the message is larger than \(maxBytes / 1024 / 1024) MiB") }
        let entity = try Entity(bytes)
        guard let fromHeader = entity.header("from") else { throw ParseError("the message has no From header") }
        guard let from = EmailAddress(parsing: try Words.decode(fromHeader)) else {
            throw ParseError("the From header holds no valid address")
        }
        let subject = try entity.header("subject").map(Words.decode) ?? ""
        var messageID = entity.header("message-id")?.trimmingCharacters(in: .whitespaces)
        if let id = messageID, id.hasPrefix("<"), id.hasSuffix(">") { messageID = String(id.dropFirst().dropLast()) }
        // The thread before it: References (oldest first), else In-Reply-To (RFC 5322 §3.6.4).
        var references = Self.messageIDs(in: entity.header("references") ?? "")
        if references.isEmpty { references = Self.messageIDs(in: entity.header("in-reply-to") ?? "") }
        // A bounce or an auto-reply is never answered, so its body need not be readable.
        let automatic = Self.isAutomatic(entity, from: from)
        let text = automatic ? ((try? entity.text()) ?? nil) ?? "" : try entity.text() ?? ""
        return InboundEmail(from: from.address.lowercased(), messageID: (messageID?.isEmpty ?? true) ? nil : messageID,
                            subject: subject, body: Self.newText(text), isAutomatic: automatic, references: references)
    }

    /// The `<…>` message ids in a References or In-Reply-To header, without their brackets (at most 50).
    static func messageIDs(in header: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(header)
        while ids.count < 50, let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[rest.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
            if !id.isEmpty, id.count <= 250, !id.contains(where: { $0.isWhitespace || $0 == "<" }) { ids.append(id) }
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }

    /// Where this message sits in its thread, for the replies to answer it; nil without a Message-ID.
    public var thread: MessageThread? {
        guard let messageID else { return nil }
        let topic = Self.withoutReplyPrefix(subject.trimmingCharacters(in: .whitespaces))
        return MessageThread(id: messageID, references: references, subject: topic.isEmpty ? nil : topic)
    }

    // MARK: - What is new in a reply

    /// The lines above a quoted message ("On Mon, … wrote:", "> …", "-----Original Message-----") and above the
    /// signature ("-- "), trimmed.
    static func newText(_ text: String) -> String {
        var kept: [Substring] = []
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if line == "-- " || line == "--" || trimmed.hasPrefix(">") || quoteHeader.firstMatch(in: trimmed) != nil
                || trimmed.lowercased().hasPrefix("-----original message") || trimmed.hasPrefix("________________") {
                break
            }
            kept.append(line)
        }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The line a mail client writes above the quoted message, in the languages CityLine speaks and a few more.
    static let quoteHeader = try! NSRegularExpression(
        pattern: #"^(On|El|Le|Am|Em|Il|Vào|في|在).{0,200}(wrote|escribió|a écrit|schrieb|escreveu|ha scritto|viết|كتب|写道)\s*[:：]?$"#,
        options: [.caseInsensitive])
    static let replyPrefix = try! NSRegularExpression(pattern: #"^\s*((re|aw|sv|fw|fwd|rv|tr|回复|答复|转发)\s*(\[\d+\])?\s*[:：]\s*)+"#,
                                                      options: [.caseInsensitive])

    // MARK: - Robots

    static func isAutomatic(_ entity: Entity, from: EmailAddress) -> Bool {
        if let auto = entity.header("auto-submitted"), auto.trimmingCharacters(in: .whitespaces).lowercased() != "no" { return true }
        if let precedence = entity.header("precedence")?.trimmingCharacters(in: .whitespaces).lowercased(),
           ["bulk", "junk", "list", "auto_reply"].contains(precedence) { return true }
        if ["x-autoreply", "x-autorespond", "list-id", "list-unsubscribe", "x-auto-response-suppress"].contains(where: { entity.header($0) != nil }) {
            return true
        }
        if entity.contentType.type == "multipart/report" { return true }
        let local = from.address.split(separator: "@").first.map { $0.lowercased() } ?? ""
        return ["mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"].contains(local)
    }
}

// MARK: - MIME entities

extension InboundEmail {
    /// One MIME entity: its headers (unfolded, names lower-cased) and its raw body.
    struct Entity {
        var headers: [(name: String, value: String)]
        var body: ArraySlice<UInt8>

        /// - Parameter isPart: a part of a multipart body, which may have no headers at all (then it is text/plain).
        init(_ bytes: some Collection<UInt8>, isPart: Bool = false) throws(ParseError) {
            let bytes = Array(bytes)
            if isPart, bytes.first == 0x0A || (bytes.count >= 2 && bytes[0] == 0x0D && bytes[1] == 0x0A) {
                headers = []
                body = ArraySlice(bytes[(bytes.first == 0x0A ? 1 : 2)...])
                return
            }
            // Headers end at the first empty line (CRLF CRLF, or LF LF from a Unix pipe).
            var end: Int?
            var bodyStart = bytes.count
            var index = 0
            while index < bytes.count {
                if bytes[index] == 0x0A {
                    let next = index + 1
                    if next < bytes.count, bytes[next] == 0x0A { end = index; bodyStart = next + 1; break }
                    if next + 1 < bytes.count, bytes[next] == 0x0D, bytes[next + 1] == 0x0A { end = index; bodyStart = next + 2; break }
                }
                index += 1
            }
            let headerBytes = bytes[..<(end ?? bytes.count)]
            guard let headerText = String(validating: headerBytes, as: UTF8.self) else {
                throw ParseError("the headers are not valid UTF-8")
            }
            var headers: [(name: String, value: String)] = []
            for line in headerText.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
                if line.first == " " || line.first == "\t" {
                    guard !headers.isEmpty else { throw ParseError("the message does not start with a header") }
                    headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
                } else if let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                          line[..<colon].allSatisfy({ $0.isASCII && !$0.isWhitespace }) {
                    headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                } else {
                    throw ParseError("not an RFC 5322 message: a header line has no name")
                }
            }
            guard !headers.isEmpty || isPart else { throw ParseError("not an RFC 5322 message: no headers") }
            self.headers = headers
            self.body = end == nil ? [] : ArraySlice(bytes[bodyStart...])
        }

        func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

        var contentType: (type: String, parameters: [String: String]) {
            guard let value = header("content-type") else { return ("text/plain", [:]) }
            let parts = value.split(separator: ";", omittingEmptySubsequences: true)
            var parameters: [String: String] = [:]
            for part in parts.dropFirst() {
                guard let equals = part.firstIndex(of: "=") else { continue }
                var raw = part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                if raw.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") { raw = String(raw.dropFirst().dropLast()) }
                parameters[part[..<equals].trimmingCharacters(in: .whitespaces).lowercased()] = raw
            }
            return ((parts.first.map(String.init) ?? "text/plain").trimmingCharacters(in: .whitespaces).lowercased(), parameters)
        }

        /// The text of this entity: its own when it is text, else the best text part inside (text/plain first).
        func text() throws(ParseError) -> String? {
            let (type, parameters) = contentType
            if type.hasPrefix("multipart/") {
                guard let boundary = parameters["boundary"], !boundary.isEmpty else {
                    throw ParseError("a multipart part has no boundary")
                }
                let parts = try Self.split(body, boundary: boundary).map { (part) throws(ParseError) in try Entity(part, isPart: true) }
                for part in parts where part.contentType.type == "text/plain" && !part.isAttachment {
                    if let text = try part.text() { return text }
                }
                for part in parts where !part.isAttachment {
                    if let text = try part.text() { return text }
                }
                return nil
            }
            guard type == "text/plain" || type == "text/html", !isAttachment else { return nil }
            let decoded = try Transfer.decode(body, encoding: header("content-transfer-encoding"))
            let text = try Charsets.decode(decoded, charset: parameters["charset"])
            return type == "text/html" ? HTMLToText.convert(text) : text
        }

        var isAttachment: Bool { header("content-disposition")?.lowercased().hasPrefix("attachment") ?? false }

        /// The parts between `--boundary` lines.
        static func split(_ body: ArraySlice<UInt8>, boundary: String) throws(ParseError) -> [ArraySlice<UInt8>] {
            let delimiter = Array("--\(boundary)".utf8)
            var parts: [ArraySlice<UInt8>] = []
            var start: Int?
            var lineStart = body.startIndex
            var closed = false
            var index = body.startIndex
            while index <= body.endIndex {
                if index == body.endIndex || body[index] == 0x0A {
                    var line = body[lineStart..<index]
                    if line.last == 0x0D { line = line.dropLast() }
                    if line.starts(with: delimiter) {
                        let rest = line.dropFirst(delimiter.count)
                        if let start {
                            var end = lineStart
                            if end > start, body[end - 1] == 0x0A { end -= 1 }
                            if end > start, body[end - 1] == 0x0D { end -= 1 }
                            parts.append(body[start..<max(start, end)])
                        }
                        if rest.starts(with: Array("--".utf8)) { closed = true; break }
                        start = index == body.endIndex ? body.endIndex : index + 1
                    }
                    lineStart = index + 1
                }
                index += 1
            }
            guard !parts.isEmpty || closed else { throw ParseError("a multipart body holds no part for its boundary") }
            return parts
        }
    }
}

// MARK: - Encodings

/// Content-Transfer-Encoding (RFC 2045): base64, quoted-printable, 7bit/8bit/binary.
enum Transfer {
    static func decode(_ body: ArraySlice<UInt8>, encoding: String?) throws(InboundEmail.ParseError) -> [UInt8] {
        switch encoding?.trimmingCharacters(in: .whitespaces).lowercased() ?? "7bit" {
        case "7bit", "8bit", "binary", "": return Array(body)
        case "base64":
            guard let data = Data(base64Encoded: Data(body), options: .ignoreUnknownCharacters) else {
                throw InboundEmail.ParseError("a base64 part does not decode")
            }
            return Array(data)
        case "quoted-printable": return quotedPrintable(body)
        case let other: throw InboundEmail.ParseError("unknown Content-Transfer-Encoding '\(other)'")
        }
    }

    /// `=XX` bytes and `=` soft line breaks; anything malformed is kept as written.
    static func quotedPrintable(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var index = body.startIndex
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x37
            case 0x61...0x66: byte - 0x57
            default: nil
            }
        }
        while index < body.endIndex {
            let byte = body[index]
            if byte == UInt8(ascii: "=") {
                let next = body.index(after: index)
                if next < body.endIndex, body[next] == 0x0A { index = body.index(after: next); continue }
                if next < body.endIndex, body[next] == 0x0D, body.index(after: next) < body.endIndex, body[body.index(after: next)] == 0x0A {
                    index = body.index(next, offsetBy: 2)
                    continue
                }
                if body.distance(from: next, to: body.endIndex) >= 2, let high = hex(body[next]), let low = hex(body[body.index(after: next)]) {
                    out.append(high << 4 | low)
                    index = body.index(next, offsetBy: 2)
                    continue
                }
            }
            out.append(byte)
            index = body.index(after: index)
        }
        return out
    }
}

/// Text charsets CityLine reads.
enum Charsets {
    static func decode(_ bytes: [UInt8], charset: String?) throws(InboundEmail.ParseError) -> String {
        switch charset?.trimmingCharacters(in: .whitespaces).lowercased() ?? "us-ascii" {
        case "utf-8", "utf8", "us-ascii", "ascii":
            guard let text = String(validating: bytes, as: UTF8.self) else { throw InboundEmail.ParseError("the text is not valid UTF-8") }
            return text
        case "iso-8859-1", "latin1", "iso8859-1":
            return String(bytes.map { Character(Unicode.Scalar($0)) })
        case "windows-1252", "cp1252":
            guard let text = String(data: Data(bytes), encoding: .windowsCP1252) else { throw InboundEmail.ParseError("the text is not Windows-1252") }
            return text
        case let other:
            throw InboundEmail.ParseError("unsupported charset '\(other)'")
        }
    }
}

/// RFC 2047 encoded-words in headers: `=?utf-8?B?…?=`, `=?iso-8859-1?Q?…?=`.
enum Words {
    static let pattern = try! NSRegularExpression(pattern: #"=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?="#)

    static func decode(_ value: String) throws(InboundEmail.ParseError) -> String {
        let matches = pattern.matches(in: value, range: NSRange(value.startIndex..., in: value))
        guard !matches.isEmpty else { return value }
        var out = ""
        var cursor = value.startIndex
        for match in matches {
            guard let range = Range(match.range, in: value), let charset = Range(match.range(at: 1), in: value),
                  let kind = Range(match.range(at: 2), in: value), let text = Range(match.range(at: 3), in: value) else { continue }
            let between = value[cursor..<range.lowerBound]
            // Whitespace between two encoded-words is not part of the text.
            if !(cursor != value.startIndex && between.allSatisfy(\.isWhitespace)) { out += between }
            let raw = Array(value[text].utf8)
            let bytes: [UInt8]
            if value[kind].lowercased() == "b" {
                guard let data = Data(base64Encoded: Data(raw), options: .ignoreUnknownCharacters) else {
                    throw InboundEmail.ParseError("an encoded-word does not decode")
                }
                bytes = Array(data)
            } else {
                bytes = Transfer.quotedPrintable(ArraySlice(raw.map { $0 == UInt8(ascii: "_") ? 0x20 : $0 }))
            }
            out += try Charsets.decode(bytes, charset: String(value[charset].split(separator: "*").first ?? ""))
            cursor = range.upperBound
        }
        return out + value[cursor...]
    }
}

/// The text of an HTML body: tags out, line breaks kept, the common entities decoded.
enum HTMLToText {
    static func convert(_ html: String) -> String {
        var text = html.replacingOccurrences(of: #"(?is)<(script|style|head)[^>]*>.*?</\1>"#, with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: #"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>"#, with: "\n", options: .regularExpression)
        text = text.replacingOccurrences(of: #"(?is)<blockquote.*"#, with: "", options: .regularExpression) // the quoted message
        text = text.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
        for (entity, character) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }
}

extension NSRegularExpression {
    func firstMatch(in text: String) -> NSTextCheckingResult? {
        firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
    }
}
