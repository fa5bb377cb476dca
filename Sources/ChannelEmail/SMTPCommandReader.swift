import Foundation
import NIOCore

/// The SMTP listener's reader (RFC 5321), without I/O: the bytes a client sends go in, in chunks as they arrive; the
/// listener's answers come out, in order, as steps. It holds one connection's state: the line being read, the mail
/// transaction, the message being collected. `SMTPListener` answers the steps on the socket (and hands each message
/// to the intake); the fuzzer (`Fuzz/`) feeds it any bytes at all.
///
/// Commands: EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffing, a size limit announced as `SIZE`), RSET, NOOP, VRFY, QUIT,
/// pipelined. A command line over 2,048 bytes ends the connection (`500`); a message over `maxMessageBytes` is read
/// to its end, kept nowhere, and answered `552`.
public struct SMTPCommandReader: Sendable {
    public enum Step: Hashable, Sendable {
        /// An answer: one or more reply lines, joined by CRLF, without the last CRLF.
        case reply(String)
        /// A whole message (DATA, dot-unstuffed, CRLF line ends): the answer is the intake's.
        case deliver([UInt8])
        /// The connection ends here; nothing more is read.
        case close
    }

    /// The longest command line read.
    public static let maxLine = 2_048

    let hostname: String
    let maxMessageBytes: Int
    var pending = ByteBuffer()
    var transaction = Transaction()
    public private(set) var isClosed = false

    public init(hostname: String = "cityline", maxMessageBytes: Int = InboundEmail.maxBytes) {
        self.hostname = hostname
        self.maxMessageBytes = maxMessageBytes
    }

    /// Reads the next bytes from the client; the steps they call for, in order.
    public mutating func read(_ bytes: some Collection<UInt8>) -> [Step] {
        guard !isClosed else { return [] }
        pending.writeBytes(bytes)
        var steps: [Step] = []
        while let line = Self.nextLine(&pending) {
            if transaction.inData {
                guard line != [UInt8(ascii: ".")] else {
                    steps.append(transaction.tooLarge ? .reply("552 5.3.4 Message larger than \(maxMessageBytes) bytes") : .deliver(transaction.data))
                    transaction.reset()
                    continue
                }
                transaction.append(line.first == UInt8(ascii: ".") ? Array(line.dropFirst()) : line, limit: maxMessageBytes)
                continue
            }
            let (answer, close) = command(String(decoding: line, as: UTF8.self))
            steps.append(.reply(answer))
            if close { return finish(steps) }
        }
        if transaction.inData, pending.readableBytes > maxMessageBytes {
            // An endless line in a message: the message is too large; read on, keeping nothing, until its end, and
            // answer 552 then (the client is still sending, so it could not read an answer now).
            transaction.append([], limit: 0)
            pending.moveReaderIndex(forwardBy: pending.readableBytes)
        } else if !transaction.inData, pending.readableBytes > Self.maxLine {
            steps.append(.reply("500 5.5.6 Line too long"))
            return finish(steps)
        }
        return steps
    }

    private mutating func finish(_ steps: [Step]) -> [Step] {
        isClosed = true
        pending = ByteBuffer()
        transaction.reset()
        return steps + [.close]
    }

    /// The state of one mail transaction.
    struct Transaction {
        var greeted = false
        var hasSender = false
        var recipients = 0
        var inData = false
        var data: [UInt8] = []
        var tooLarge = false

        mutating func append(_ line: [UInt8], limit: Int) {
            guard !tooLarge else { return }
            if data.count + line.count + 2 > limit {
                tooLarge = true
                data = []
                return
            }
            data += line
            data += [0x0D, 0x0A]
        }

        mutating func reset() {
            hasSender = false
            recipients = 0
            inData = false
            data = []
            tooLarge = false
        }
    }

    /// The answer to one command line, and whether to close the connection after it.
    mutating func command(_ line: String) -> (String, Bool) {
        let verb = line.prefix { $0 != " " }.uppercased()
        let argument = line.dropFirst(verb.count).trimmingCharacters(in: .whitespaces)
        switch verb {
        case "EHLO":
            transaction.reset()
            transaction.greeted = true
            return ("250-\(hostname)\r\n250-SIZE \(maxMessageBytes)\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES", false)
        case "HELO":
            transaction.reset()
            transaction.greeted = true
            return ("250 \(hostname)", false)
        case "MAIL":
            guard transaction.greeted else { return ("503 5.5.1 Say EHLO first", false) }
            guard argument.uppercased().hasPrefix("FROM:") else { return ("501 5.5.4 Syntax: MAIL FROM:<address>", false) }
            if let size = argument.uppercased().split(separator: " ").first(where: { $0.hasPrefix("SIZE=") }),
               let bytes = Int(size.dropFirst(5)), bytes > maxMessageBytes {
                return ("552 5.3.4 Message larger than \(maxMessageBytes) bytes", false)
            }
            transaction.reset()
            transaction.hasSender = true
            return ("250 2.1.0 OK", false)
        case "RCPT":
            guard transaction.hasSender else { return ("503 5.5.1 Need MAIL first", false) }
            guard argument.uppercased().hasPrefix("TO:") else { return ("501 5.5.4 Syntax: RCPT TO:<address>", false) }
            guard transaction.recipients < 100 else { return ("452 4.5.3 Too many recipients", false) }
            transaction.recipients += 1
            return ("250 2.1.5 OK", false)
        case "DATA":
            guard transaction.recipients > 0 else { return ("503 5.5.1 Need RCPT first", false) }
            transaction.inData = true
            return ("354 End data with <CR><LF>.<CR><LF>", false)
        case "RSET":
            transaction.reset()
            return ("250 2.0.0 OK", false)
        case "NOOP": return ("250 2.0.0 OK", false)
        case "VRFY": return ("252 2.5.2 Cannot verify", false)
        case "QUIT": return ("221 2.0.0 Bye", true)
        default: return ("502 5.5.2 Command not recognized", false)
        }
    }

    /// The next CRLF- (or LF-) terminated line, without its terminator; nil until a whole line is there.
    static func nextLine(_ buffer: inout ByteBuffer) -> [UInt8]? {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: 0x0A) else { return nil }
        var line = Array(view[view.startIndex..<newline])
        if line.last == 0x0D { line.removeLast() }
        buffer.moveReaderIndex(forwardBy: newline - view.startIndex + 1)
        return line
    }
}
