import ChannelEmail
import Testing

/// The SMTP listener's reader without a socket: the steps its bytes call for, however they are cut into reads.
@Suite struct SMTPCommandReaderTests {
    static func steps(_ chunks: [String], limit: Int = 1_000) -> [SMTPCommandReader.Step] {
        var reader = SMTPCommandReader(hostname: "test", maxMessageBytes: limit)
        return chunks.flatMap { reader.read(Array($0.utf8)) }
    }

    @Test func aPipelinedSessionCutAnywhere() {
        let session = "HELO mta\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nSubject: hi\r\n\r\n..dot\r\n.\r\nQUIT\r\nNOOP\r\n"
        let expected: [SMTPCommandReader.Step] = [
            .reply("250 test"), .reply("250 2.1.0 OK"), .reply("250 2.1.5 OK"), .reply("354 End data with <CR><LF>.<CR><LF>"),
            .deliver(Array("Subject: hi\r\n\r\n.dot\r\n".utf8)), .reply("221 2.0.0 Bye"), .close,
        ]
        #expect(Self.steps([session]) == expected)
        // The same bytes one at a time.
        #expect(Self.steps(session.map { String($0) }) == expected)
    }

    @Test func outOfOrderCommandsAreAnsweredAndChangeNothing() {
        #expect(Self.steps(["DATA\r\nMAIL FROM:<a@b>\r\nEHLO x\r\nRCPT TO:<c@d>\r\nMAIL TO:<a@b>\r\n"]) == [
            .reply("503 5.5.1 Need RCPT first"), .reply("503 5.5.1 Say EHLO first"),
            .reply("250-test\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES"),
            .reply("503 5.5.1 Need MAIL first"), .reply("501 5.5.4 Syntax: MAIL FROM:<address>"),
        ])
    }

    @Test func aMessageOverTheLimitIsReadToItsEndAndRefused() {
        let big = String(repeating: "x", count: 2_000)
        let steps = Self.steps(["HELO m\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n", big, "\r\nmore\r\n.\r\nNOOP\r\n"])
        #expect(steps.suffix(2) == [.reply("552 5.3.4 Message larger than 1000 bytes"), .reply("250 2.0.0 OK")])
    }

    @Test func aCommandLineOverTheLimitEndsTheConnection() {
        var reader = SMTPCommandReader(hostname: "test")
        #expect(reader.read(Array(String(repeating: "A", count: 3_000).utf8)) == [.reply("500 5.5.6 Line too long"), .close])
        #expect(reader.isClosed)
        #expect(reader.read(Array("NOOP\r\n".utf8)).isEmpty)
    }
}
