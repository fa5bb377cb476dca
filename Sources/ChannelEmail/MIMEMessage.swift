import CityModel
import Foundation
import Rendering
import Storage
import Transport

/// One outgoing email as an RFC 5322 message with a MIME `multipart/alternative` body, ready for SMTP `DATA`.
///
/// Built from an outbox entry by ``init(entry:from:date:unsubscribeURL:)``, a pure function of its inputs (the caller
/// passes the date), so a retry of the same entry produces the same message:
/// - `Message-ID` `<outbox-42-1741097109.ticket-1000002@springfield.example>` comes from the outbox id and creation
///   time (and the ticket): unique per message, the same on every retry, so a receiver can drop a duplicate.
/// - A message that answers the resident's own mail (`inReplyTo`) names it in `In-Reply-To` and `References`, so
///   it shows in the thread they started; a ticket reported by email keeps that thread for its later mail. Other
///   messages about a ticket (one filed by staff, a follower's update) name the thread root
///   `<ticket-1000002@springfield.example>`, so mail clients show one conversation per ticket.
/// - `Subject` and display names that are not plain ASCII are RFC 2047 UTF-8 encoded-words, folded to 76 columns.
/// - The body is text/plain then text/html, UTF-8, quoted-printable or base64 (whichever is shorter), so the
///   message is 7-bit clean; when the entry has no HTML, one is made from the text (escaped, `lang`, `dir`).
/// - `Auto-Submitted: auto-generated` and, given an unsubscribe URL, `List-Unsubscribe` with the URL and a
///   `mailto:` to the sender plus `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058, HTTPS URLs only).
///
/// `rendered` uses CRLF line endings throughout and is not dot-stuffed (that is the SMTP client's job).
public struct MIMEMessage: Sendable, Hashable {
    /// A header as it is sent, before folding: `value` is already encoded (ASCII unless an address needs SMTPUTF8).
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The envelope sender (`MAIL FROM`).
    public var sender: String
    /// The envelope recipient (`RCPT TO`).
    public var recipient: String
    /// This message's `Message-ID`, angle brackets included.
    public var messageID: String
    /// The headers in order.
    public var headers: [Header]
    /// Everything after the blank line that ends the headers: CRLF line endings, 7-bit.
    public var body: String
    /// An address is not ASCII: only a server that offers SMTPUTF8 can take this message.
    public var requiresSMTPUTF8: Bool

    public init(sender: String, recipient: String, messageID: String, headers: [Header], body: String,
                requiresSMTPUTF8: Bool = false) {
        self.sender = sender
        self.recipient = recipient
        self.messageID = messageID
        self.headers = headers
        self.body = body
        self.requiresSMTPUTF8 = requiresSMTPUTF8
    }

    /// Composes the email for `entry` (see the type's documentation). `unsubscribeURL` is the recipient's one-click
    /// opt-out link, or nil for none. Throws `TransportError(.permanent)` when the recipient is not a valid address.
    public init(entry: OutboxEntry, from: EmailAddress, date: Date, unsubscribeURL: String?) throws {
        let message = entry.message
        guard let to = EmailAddress(address: message.to.address) else {
            throw TransportError(.permanent, "recipient is not a valid email address")
        }
        let domain = from.domain
        let messageID = Self.messageID(outboxID: entry.id, createdAt: entry.createdAt, ticket: message.ticket,
                                       domain: domain)
        var subject = message.subject ?? ""
        if subject.trimmingCharacters(in: .whitespaces).isEmpty { subject = from.displayName ?? "" }

        var headers = [
            Header("From", from.headerValue),
            Header("To", to.address),
            Header("Subject", MIMEEncoding.unstructured(subject, headerName: "Subject")),
            Header("Date", MIMEEncoding.date(date)),
            Header("Message-ID", messageID),
        ]
        if let thread = message.inReplyTo {
            // An answer to the resident's own message: in the thread they started.
            headers += [Header("In-Reply-To", "<\(thread.id)>"),
                        Header("References", thread.replyReferences.map { "<\($0)>" }.joined(separator: " "))]
        } else if let ticket = message.ticket {
            let root = Self.threadID(ticket: ticket, domain: domain)
            headers += [Header("In-Reply-To", root), Header("References", root)]
        }

        let html = message.html ?? HTMLText.document(fromText: message.body, title: MIMEEncoding.sanitized(subject), locale: message.locale)
        let parts = [("text/plain", message.body), ("text/html", html)].map { type, content in
            let (encoding, encoded) = Self.transferEncoded(content)
            return "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: \(encoding)\r\n\r\n\(encoded)"
        }
        let boundary = Self.boundary(seed: messageID, parts: parts)
        let body = parts.map { "--\(boundary)\r\n\($0)\r\n" }.joined() + "--\(boundary)--\r\n"

        headers += [
            Header("MIME-Version", "1.0"),
            Header("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""),
        ]
        let language = message.locale.code
        if !language.isEmpty, language.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0)
                || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) {
            headers.append(Header("Content-Language", language))
        }
        headers.append(Header("Auto-Submitted", "auto-generated"))
        if let url = unsubscribeURL, !url.isEmpty, url.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 }),
           !url.contains("<"), !url.contains(">") {
            headers.append(Header("List-Unsubscribe", "<\(url)>, <mailto:\(from.address)?subject=unsubscribe>"))
            if url.lowercased().hasPrefix("https://") {
                headers.append(Header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
            }
        }
        self.init(sender: from.address, recipient: to.address, messageID: messageID, headers: headers, body: body,
                  requiresSMTPUTF8: !to.isASCII || !from.isASCII)
    }

    /// The first header called `name` (case-insensitive), as sent before folding.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The whole message: folded headers, a blank line, the body; CRLF line endings; not dot-stuffed.
    public var rendered: String {
        let lines = headers.map { header in
            let limit = header.value.contains("=?UTF-8?")
                ? MIMEEncoding.encodedWordLineLength : MIMEEncoding.preferredLineLength
            return MIMEEncoding.fold(name: header.name, value: header.value, limit: limit)
        }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// The thread root every message about `ticket` refers to: `<ticket-1000002@springfield.example>`.
    public static func threadID(ticket: TrackingNumber, domain: String) -> String {
        "<ticket-\(ticket.digits)@\(domain)>"
    }

    /// `<outbox-42-1741097109.ticket-1000002@domain>`: the outbox id makes it unique within one database, the
    /// creation time (whole seconds) across databases that reuse ids, and the ticket (when there is one) helps a
    /// reader of raw mail. The same entry always gets the same id.
    public static func messageID(outboxID: Int64, createdAt: Date, ticket: TrackingNumber?, domain: String) -> String {
        let seconds = Int64(createdAt.timeIntervalSince1970.rounded(.down))
        return "<outbox-\(outboxID)-\(seconds)" + (ticket.map { ".ticket-\($0.digits)" } ?? "") + "@\(domain)>"
    }

    /// Quoted-printable for mostly-ASCII text, base64 when that is shorter (CJK, Arabic).
    private static func transferEncoded(_ text: String) -> (encoding: String, encoded: String) {
        let quoted = MIMEEncoding.quotedPrintable(text)
        let base64 = MIMEEncoding.base64Lines(Array(MIMEEncoding.canonicalLineBreaks(text).utf8))
        return quoted.utf8.count <= base64.utf8.count ? ("quoted-printable", quoted) : ("base64", base64)
    }

    /// `=_CityLine_<16 hex>` from a hash of the message: random-looking, stable across retries. `=_` never occurs in
    /// quoted-printable or base64 text, and the loop makes sure regardless.
    private static func boundary(seed: String, parts: [String]) -> String {
        var attempt = 0
        while true {
            let hash = MIMEEncoding.fnv1a(seed + parts.joined() + String(attempt))
            let hex = String(hash, radix: 16)
            let boundary = "=_CityLine_" + String(repeating: "0", count: 16 - hex.count) + hex
            if !parts.contains(where: { $0.contains(boundary) }) { return boundary }
            attempt += 1
        }
    }
}
