import ChannelEmail
import Foundation
import Testing

/// Reading residents' email: what is new in a reply, in whatever MIME shape mail clients send it.
@Suite struct InboundEmailTests {
    static func parse(_ text: String) throws -> InboundEmail {
        try InboundEmail.parse(Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
    }

    @Test func aPlainReplyKeepsOnlyTheNewText() throws {
        let email = try Self.parse("""
            From: "María López" <Maria.Lopez@Example.org>
            To: 311@springfield.example
            Subject: Re: Springfield 311: report #1000002
            Message-ID: <CAF=abc123@mail.example.org>
            Content-Type: text/plain; charset=utf-8

            3

            On Mon, Nov 23, 2026 at 9:00 AM Springfield 311 <311@springfield.example> wrote:
            > Is it fixed? Reply 1 for yes, 2 for partly, 3 for no.
            """)
        #expect(email.from == "maria.lopez@example.org")
        #expect(email.messageID == "CAF=abc123@mail.example.org")
        #expect(email.body == "3")
        #expect(email.text == "3", "a reply's subject is not part of what the resident says")
        #expect(!email.isAutomatic)
    }

    @Test func aNewMessageReadsSubjectAndBodyTogether() throws {
        let email = try Self.parse("""
            From: resident@example.org
            Subject: Broken streetlight
            Content-Type: text/plain

            at 5th and Oak, out for a week

            --\u{20}
            Sent from my phone
            """)
        #expect(email.text == "Broken streetlight\nat 5th and Oak, out for a week")
        #expect(try Self.parse("From: r@example.org\nSubject: STOP\n\n").text == "STOP")
        #expect(try Self.parse("From: r@example.org\nSubject: RE: AW: Report\n\n").text == "Report")
    }

    @Test func multipartAlternativeWithQuotedPrintableAndAnEncodedSubject() throws {
        let email = try Self.parse("""
            From: =?UTF-8?Q?Jos=C3=A9?= <jose@example.org>
            Subject: =?utf-8?B?QmFjaGUgZW4gbGEgY2FsbGU=?= Oak
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary="b1"

            --b1
            Content-Type: text/plain; charset="utf-8"
            Content-Transfer-Encoding: quoted-printable

            Hay un bache muy grande en la calle Oak 123, cerca del parque. Est=C3=A1 cr=
            eciendo.
            --b1
            Content-Type: text/html; charset="utf-8"

            <p>Hay un bache</p>
            --b1--
            """)
        #expect(email.subject == "Bache en la calle Oak")
        #expect(email.body == "Hay un bache muy grande en la calle Oak 123, cerca del parque. Está creciendo.")
    }

    @Test func htmlOnlyBase64AndLatin1() throws {
        let html = Data("<html><body><p>Graffiti on the wall &amp; the door</p><blockquote>old message</blockquote></body></html>".utf8)
            .base64EncodedString()
        let email = try Self.parse("""
            From: a@example.org
            Subject: Re: x
            Content-Type: multipart/mixed; boundary=outer

            --outer
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: base64

            \(html)
            --outer
            Content-Type: image/jpeg
            Content-Disposition: attachment; filename=wall.jpg
            Content-Transfer-Encoding: base64

            /9j/4AAQSkZJRg==
            --outer--
            """)
        #expect(email.body == "Graffiti on the wall & the door")
        let latin = try InboundEmail.parse(Array("From: b@example.org\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\nCa".utf8) + [0xF1, 0x6F])
        #expect(latin.body == "Caño")
    }

    @Test(arguments: [
        "Auto-Submitted: auto-replied", "Precedence: bulk", "X-Autoreply: yes", "List-Id: <news.example.org>",
    ])
    func robotsAreRecognised(_ header: String) throws {
        #expect(try Self.parse("From: someone@example.org\n\(header)\nSubject: Out of office\n\nAway").isAutomatic)
    }

    @Test func bouncesAreRecognised() throws {
        #expect(try Self.parse("From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered\n\nsorry").isAutomatic)
        #expect(try Self.parse("From: x@example.org\nContent-Type: multipart/report; boundary=r\n\n--r\n\nfailed\n--r--").isAutomatic)
        #expect(!(try Self.parse("From: x@example.org\nAuto-Submitted: no\n\nhello").isAutomatic))
    }

    @Test(arguments: [
        ("", "no headers"),
        ("just some text without headers\n\nbody", "a header line has no name"),
        ("Subject: no sender\n\nhi", "no From header"),
        ("From: not an address\n\nhi", "no valid address"),
        ("From: a@example.org\nContent-Type: text/plain; charset=koi8-r\n\nhi", "unsupported charset 'koi8-r'"),
        ("From: a@example.org\nContent-Type: multipart/mixed\n\nhi", "no boundary"),
        ("From: a@example.org\nContent-Transfer-Encoding: uuencode\n\nhi", "unknown Content-Transfer-Encoding"),
    ])
    func unreadableMessagesSayWhy(_ text: String, _ reason: String) {
        #expect {
            _ = try Self.parse(text)
        } throws: { error in
            (error as? InboundEmail.ParseError)?.description.contains(reason) == true
        }
    }

    @Test func invalidUTF8IsAnError() {
        #expect(throws: InboundEmail.ParseError.self) {
            _ = try InboundEmail.parse(Array("From: a@example.org\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n".utf8) + [0xC3, 0x28])
        }
    }
}
