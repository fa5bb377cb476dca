@testable import ChannelEmail
import CityModel
import Foundation
import Testing
import Transport

@Suite("MIME message")
struct MIMEMessageTests {
    /// The raw header line(s) of `name`, folded as sent.
    private func rawHeader(_ name: String, in rendered: String) -> [String] {
        let head = rendered.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        guard let start = head.firstIndex(where: { $0.lowercased().hasPrefix(name.lowercased() + ":") }) else { return [] }
        return [head[start]] + head[(start + 1)...].prefix { $0.hasPrefix(" ") }
    }

    @Test("non-ASCII subjects become UTF-8 encoded-words that decode back, folded within 76 columns",
          arguments: [
              (Fixtures.chineseSubject, "zh-Hans", "B"),
              (Fixtures.arabicSubject, "ar", "B"),
              (Fixtures.spanishSubject, "es", "Q"),
          ])
    func encodedSubjects(subject: String, locale: String, encoding: String) throws {
        let rendered = try Fixtures.message(Fixtures.entry(subject: subject, locale: locale)).rendered
        let lines = rawHeader("Subject", in: rendered)
        #expect(lines.count > 1, "a long subject is folded")
        for line in lines { #expect(line.utf8.count <= 76, "line too long: \(line)") }
        let value = MIMEDecoder.parse(rendered).header("Subject") ?? ""
        let words = try #require(MIMEDecoder.encodedWords(value))
        #expect(words.allSatisfy { String($0.encoding) == encoding })
        #expect(words.allSatisfy { $0.length <= 75 })
        #expect(MIMEDecoder.decodeHeader(value) == subject, "each word is whole UTF-8 and the words join to the subject")
    }

    @Test("known encodings: Q for Latin text, B for CJK, plain ASCII left alone")
    func knownEncodings() throws {
        func subject(_ text: String) throws -> String? {
            try Fixtures.message(Fixtures.entry(subject: text)).header("Subject")
        }
        #expect(try subject("¡Hola!") == "=?UTF-8?Q?=C2=A1Hola!?=")
        #expect(try subject("你好") == "=?UTF-8?B?5L2g5aW9?=")
        #expect(try subject("Pothole reported") == "Pothole reported")
        #expect(try subject("looks like =?UTF-8?B?x?= but is not") == "=?UTF-8?Q?looks_like_=3D=3FUTF-8=3FB=3Fx=3F=3D_but_is_not?=")
    }

    @Test("an emoji with a skin tone is never split between encoded-words")
    func graphemesStayWhole() throws {
        let subject = String(repeating: "👍🏽 ok ", count: 20)
        let value = try #require(try Fixtures.message(Fixtures.entry(subject: subject)).header("Subject"))
        #expect(MIMEDecoder.decodeHeader(value) == subject)
    }

    @Test("CRLF everywhere, no line over 998 octets, plain headers within 78 columns")
    func lineEndingsAndLengths() throws {
        let body = String(repeating: "A very long line of text without breaks, ", count: 60) + "\nsecond line\r\nthird\rfourth"
        let rendered = try Fixtures.message(Fixtures.entry(subject: String(repeating: "word ", count: 40), body: body)).rendered
        let bytes = Array(rendered.utf8)
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A { #expect(index > 0 && bytes[index - 1] == 0x0D, "bare LF at \(index)") }
            if byte == 0x0D { #expect(index + 1 < bytes.count && bytes[index + 1] == 0x0A, "bare CR at \(index)") }
        }
        #expect(bytes.allSatisfy { $0 < 0x80 }, "7-bit clean")
        let lines = rendered.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        let head = rendered.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        for line in head { #expect(line.utf8.count <= 78, "header line too long: \(line)") }
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "QP bodies and headers keep within 78 columns")
    }

    @Test("multipart/alternative: text/plain then text/html, both decode to the content; boundary absent from content")
    func multipartBody() throws {
        let body = "Línea uno\n.una línea con punto\n\n--=_CityLine_0000000000000000 is not the boundary\nfin "
        let message = try Fixtures.message(Fixtures.entry(body: body, locale: "es"))
        let parsed = MIMEDecoder.parse(message.rendered)
        #expect(parsed.header("MIME-Version") == "1.0")
        let contentType = try #require(parsed.header("Content-Type"))
        #expect(contentType.hasPrefix("multipart/alternative;"))
        let boundary = try #require(MIMEDecoder.boundary(contentType))
        let parts = MIMEDecoder.parts(of: parsed.body, boundary: boundary)
        #expect(parts.map { $0.header("Content-Type") } == ["text/plain; charset=utf-8", "text/html; charset=utf-8"])
        let text = try #require(MIMEDecoder.decodedText(parts[0]))
        #expect(text == MIMEEncoding.canonicalLineBreaks(body))
        let html = try #require(MIMEDecoder.decodedText(parts[1])).replacingOccurrences(of: "\r\n", with: "\n")
        #expect(html.contains("<p>Línea uno<br>\n.una línea con punto</p>"))
        for part in parts {
            #expect(!part.body.contains(boundary))
            #expect(!(MIMEDecoder.decodedText(part) ?? "").contains(boundary))
        }
        #expect(parsed.header("Content-Language") == "es")
    }

    @Test("Chinese bodies go base64 (shorter than quoted-printable) and decode back")
    func base64Body() throws {
        let body = String(repeating: "您好，我们已经收到您的报告。", count: 10)
        let parsed = MIMEDecoder.parse(try Fixtures.message(Fixtures.entry(body: body, locale: "zh-Hans")).rendered)
        let parts = MIMEDecoder.parts(of: parsed.body, boundary: try #require(MIMEDecoder.boundary(parsed.header("Content-Type") ?? "")))
        #expect(parts[0].header("Content-Transfer-Encoding") == "base64")
        #expect(MIMEDecoder.decodedText(parts[0]) == body)
    }

    @Test("two messages about one ticket share the thread root; each has its own Message-ID; a retry repeats it")
    func threading() throws {
        let first = try Fixtures.message(Fixtures.entry(id: 41))
        let second = try Fixtures.message(Fixtures.entry(id: 42, kind: .statusUpdate))
        let digits = Fixtures.ticket.digits
        let root = "<ticket-\(digits)@springfield.example>"
        for message in [first, second] {
            #expect(message.header("In-Reply-To") == root)
            #expect(message.header("References") == root)
        }
        #expect(first.messageID == "<outbox-41-1741097109.ticket-\(digits)@springfield.example>")
        #expect(second.messageID != first.messageID)
        #expect(second.header("Message-ID") == second.messageID)
        let retry = try MIMEMessage(entry: Fixtures.entry(id: 42, kind: .statusUpdate), from: Fixtures.from,
                                    date: Fixtures.date.addingTimeInterval(600), unsubscribeURL: "https://springfield.example/u/abc")
        #expect(retry.messageID == second.messageID)
        #expect(retry.header("Content-Type") == second.header("Content-Type"), "the boundary is deterministic")

        let noTicket = try Fixtures.message(Fixtures.entry(id: 7, ticket: nil))
        #expect(noTicket.header("In-Reply-To") == nil && noTicket.header("References") == nil)
        #expect(noTicket.messageID == "<outbox-7-1741097109@springfield.example>")
    }

    @Test("List-Unsubscribe with the HTTPS URL and a mailto, and the RFC 8058 one-click header")
    func listUnsubscribe() throws {
        let message = try Fixtures.message(Fixtures.entry())
        #expect(message.header("List-Unsubscribe")
            == "<https://springfield.example/u/abc>, <mailto:311@springfield.example?subject=unsubscribe>")
        #expect(message.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        #expect(message.header("Auto-Submitted") == "auto-generated")

        let none = try Fixtures.message(Fixtures.entry(), unsubscribe: nil)
        #expect(none.header("List-Unsubscribe") == nil && none.header("List-Unsubscribe-Post") == nil)
        #expect(none.header("Auto-Submitted") == "auto-generated")

        let plainHTTP = try Fixtures.message(Fixtures.entry(), unsubscribe: "http://springfield.example/u/abc")
        #expect(plainHTTP.header("List-Unsubscribe") != nil)
        #expect(plainHTTP.header("List-Unsubscribe-Post") == nil, "one-click needs HTTPS")
    }

    @Test("From, To, Date and the header order")
    func addressHeaders() throws {
        let message = try Fixtures.message(Fixtures.entry())
        #expect(message.header("From") == "Springfield 311 <311@springfield.example>")
        #expect(message.header("To") == "resident@example.org")
        #expect(message.header("Date") == "Tue, 04 Mar 2025 14:05:09 +0000")
        #expect(message.sender == "311@springfield.example" && message.recipient == "resident@example.org")
        #expect(message.headers.prefix(3).map(\.name) == ["From", "To", "Subject"])

        let spanishName = EmailAddress(address: "311@springfield.example", displayName: "Ciudad de Springfield — Atención 311")!
        let encoded = try #require(spanishName.headerValue.components(separatedBy: " <").first)
        #expect(MIMEDecoder.decodeHeader(encoded) == "Ciudad de Springfield — Atención 311")
        #expect(EmailAddress(address: "a@b.example", displayName: "Springfield, IL 311")!.headerValue
            == "\"Springfield, IL 311\" <a@b.example>")
    }

    @Test("HTML made from text: escaped, paragraphs, links, lang and dir", arguments: [
        ("ar", "rtl"), ("he", "rtl"), ("fa-IR", "rtl"), ("ur", "rtl"), ("en", "ltr"), ("zh-Hans", "ltr"), ("pa-Arab", "rtl"),
    ])
    func htmlFromText(locale: String, direction: String) throws {
        let body = "Hello <resident> & \"friends\"\nSee https://springfield.example/t/1000002.\n\n\nBye"
        let parsed = MIMEDecoder.parse(try Fixtures.message(Fixtures.entry(body: body, locale: locale)).rendered)
        let parts = MIMEDecoder.parts(of: parsed.body, boundary: try #require(MIMEDecoder.boundary(parsed.header("Content-Type") ?? "")))
        let html = try #require(MIMEDecoder.decodedText(parts[1])).replacingOccurrences(of: "\r\n", with: "\n")
        #expect(html.contains("<html lang=\"\(LanguageTag(locale).code)\" dir=\"\(direction)\">"))
        #expect(html.contains("<p>Hello &lt;resident&gt; &amp; &quot;friends&quot;<br>\nSee "
            + "<a href=\"https://springfield.example/t/1000002\">https://springfield.example/t/1000002</a>.</p>\n<p>Bye</p>"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
    }

    @Test("rendered HTML is used as given")
    func givenHTML() throws {
        let html = "<html><body><b>Ready</b></body></html>"
        let parsed = MIMEDecoder.parse(try Fixtures.message(Fixtures.entry(html: html)).rendered)
        let parts = MIMEDecoder.parts(of: parsed.body, boundary: try #require(MIMEDecoder.boundary(parsed.header("Content-Type") ?? "")))
        #expect(MIMEDecoder.decodedText(parts[1]) == html)
    }

    @Test("a subject cannot inject headers")
    func headerInjection() throws {
        let message = try Fixtures.message(Fixtures.entry(subject: "Hi\r\nBcc: victim@example.org\nX-Evil: 1"))
        let head = message.rendered.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(!head.contains { $0.hasPrefix("Bcc:") || $0.hasPrefix("X-Evil:") })
        #expect(message.header("Subject") == "Hi  Bcc: victim@example.org X-Evil: 1")
    }

    @Test("an invalid recipient is a permanent failure that does not repeat the address",
          arguments: ["not an address", "a@b\r\nRCPT TO:<x@y>", "<a@b.example>", "@example.org", "a@"])
    func invalidRecipient(address: String) {
        #expect {
            try Fixtures.message(Fixtures.entry(to: address))
        } throws: { error in
            guard let error = error as? TransportError else { return false }
            return error.kind == .permanent && !error.message.contains(address)
        }
    }

    @Test("an internationalized recipient needs SMTPUTF8")
    func internationalizedRecipient() throws {
        let message = try Fixtures.message(Fixtures.entry(to: "josé@ejemplo.es"))
        #expect(message.requiresSMTPUTF8)
        #expect(try !Fixtures.message(Fixtures.entry()).requiresSMTPUTF8)
    }

    @Test("DATA content is dot-stuffed, CRLF-normalized and terminated")
    func dotStuffing() {
        let content = String(decoding: SMTPClient.dataContent("a\r\n.b\n..c\r.\r\nend"), as: UTF8.self)
        #expect(content == "a\r\n..b\r\n...c\r\n..\r\nend\r\n.\r\n")
        #expect(String(decoding: SMTPClient.dataContent("x\r\n"), as: UTF8.self) == "x\r\n.\r\n")
    }

    @Test("quoted-printable: soft breaks within 76 columns, trailing spaces and '=' encoded")
    func quotedPrintable() {
        let text = String(repeating: "é=x ", count: 40) + "tail \nnext\t"
        let encoded = MIMEEncoding.quotedPrintable(text)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
        #expect(encoded.contains("tail=20\r\nnext=09"))
        #expect(String(decoding: MIMEDecoder.quotedPrintable(encoded), as: UTF8.self) == MIMEEncoding.canonicalLineBreaks(text))
    }
}
