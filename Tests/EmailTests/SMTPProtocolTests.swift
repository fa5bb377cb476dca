@testable import ChannelEmail
import Testing
import Transport

@Suite("SMTP protocol pieces")
struct SMTPProtocolTests {
    @Test("EHLO extensions: STARTTLS, AUTH (both spellings), SIZE, 8BITMIME, SMTPUTF8")
    func capabilities() {
        let reply = SMTPReply(code: 250, lines: [
            "mail.example.org greets you", "STARTTLS", "AUTH PLAIN login XOAUTH2", "AUTH=CRAM-MD5", "SIZE 35882577",
            "8BITMIME", "SMTPUTF8", "PIPELINING",
        ])
        let capabilities = SMTPCapabilities(ehlo: reply)
        #expect(capabilities.startTLS && capabilities.eightBitMIME && capabilities.smtpUTF8)
        #expect(capabilities.authMechanisms == ["PLAIN", "LOGIN", "XOAUTH2", "CRAM-MD5"])
        #expect(capabilities.size == 35_882_577)
        #expect(SMTPCapabilities(ehlo: SMTPReply(code: 250, lines: ["hi", "SIZE"])).size == 0)
        #expect(SMTPCapabilities(ehlo: SMTPReply(code: 250, lines: ["hi"])) == SMTPCapabilities())
    }

    @Test("reply codes: 4xx retry, 5xx permanent, 535 names the credentials; the server's text is never shown")
    func rejections() {
        let deferred = SMTPClient.rejection(SMTPReply(code: 451, lines: ["4.7.1 <bob@example.org> greylisted"]), "RCPT TO")
        #expect(deferred.kind == .retry && deferred.message == "SMTP server deferred RCPT TO (451 4.7.1)")
        let rejected = SMTPClient.rejection(SMTPReply(code: 553, lines: ["5.1.3 bad address bob@example.org"]), "RCPT TO")
        #expect(rejected.kind == .permanent && rejected.message == "SMTP server rejected RCPT TO (553 5.1.3)")
        let auth = SMTPClient.rejection(SMTPReply(code: 535, lines: ["5.7.8 Authentication credentials invalid"]), "AUTH")
        #expect(auth.kind == .permanent && auth.message.contains("SMTP_URL"))
        #expect(SMTPReply(code: 250, lines: ["OK"]).enhancedCode == nil)
        #expect(SMTPReply(code: 550, lines: []).codes == "550")
    }
}
