import Foundation
import Logging
import NIOCore
import NIOPosix

/// A small SMTP server (RFC 5321) for mail relayed by the city's own MTA: each message is handed to `deliver`
/// (an `EmailIntake`), and `250` is answered only once the resident's turn is durably stored — so the MTA keeps
/// the message and retries (`451`) when it could not be, and bounces it (`554`) when it cannot be read.
///
/// It speaks EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffing, a size limit announced as `SIZE`), RSET, NOOP, VRFY and
/// QUIT, with pipelined commands. It offers no TLS and no AUTH: it is meant to sit behind the MTA on a private
/// address, not to face the internet. Nothing about senders, recipients or content is logged.
public struct SMTPListener: Sendable {
    public typealias Deliver = @Sendable ([UInt8]) async throws -> EmailIntake.Outcome

    let host: String
    let port: Int
    let hostname: String
    let maxMessageBytes: Int
    let group: any EventLoopGroup
    let logger: Logger
    let deliver: Deliver

    public init(host: String, port: Int, hostname: String = "cityline", maxMessageBytes: Int = InboundEmail.maxBytes,
                group: any EventLoopGroup, logger: Logger, deliver: @escaping Deliver) {
        self.host = host
        self.port = port
        self.hostname = hostname
        self.maxMessageBytes = maxMessageBytes
        self.group = group
        self.logger = logger
        self.deliver = deliver
    }

    public typealias Server = NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>

    /// Binds the listening socket (port 0: any free port; `server.channel.localAddress` tells which).
    public func bind() async throws -> Server {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Serves connections until the task is cancelled.
    public func serve(_ server: Server) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await self.session(connection) }
                }
            }
        }
    }

    /// One SMTP conversation.
    func session(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                func reply(_ lines: String...) async throws {
                    try await outbound.write(ByteBuffer(string: lines.map { $0 + "\r\n" }.joined()))
                }
                try await reply("220 \(hostname) CityLine ESMTP")
                var pending = ByteBuffer()
                var transaction = Transaction()
                for try await var chunk in inbound {
                    pending.writeBuffer(&chunk)
                    while let line = Self.nextLine(&pending) {
                        if transaction.inData {
                            guard line != [UInt8(ascii: ".")] else {
                                try await reply(await finish(&transaction))
                                continue
                            }
                            transaction.append(line.first == UInt8(ascii: ".") ? Array(line.dropFirst()) : line, limit: maxMessageBytes)
                            continue
                        }
                        let (answer, close) = command(String(decoding: line, as: UTF8.self), &transaction)
                        try await reply(answer)
                        if close { return }
                    }
                    if transaction.inData, pending.readableBytes > maxMessageBytes {
                        // An endless line in a message: the message is too large; read on, keeping nothing, until its
                        // end, and answer 552 then (the client is still sending, so it could not read an answer now).
                        transaction.append([], limit: 0)
                        pending.moveReaderIndex(forwardBy: pending.readableBytes)
                    } else if !transaction.inData, pending.readableBytes > 2_048 {
                        try await reply("500 5.5.6 Line too long")
                        return
                    }
                }
            }
        } catch {
            logger.debug("SMTP session ended", metadata: ["error": "\(error)"])
        }
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
    func command(_ line: String, _ transaction: inout Transaction) -> (String, Bool) {
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

    /// The end of DATA: the message goes to the intake; the answer says whether the MTA may forget it.
    func finish(_ transaction: inout Transaction) async -> String {
        defer { transaction.reset() }
        if transaction.tooLarge { return "552 5.3.4 Message larger than \(maxMessageBytes) bytes" }
        do {
            switch try await deliver(transaction.data) {
            case .accepted, .redelivered: return "250 2.0.0 OK: stored"
            case .ignored: return "250 2.0.0 OK: automatic mail, not answered"
            case .rejected(let reason): return "554 5.6.0 \(reason.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " "))"
            }
        } catch {
            logger.error("email could not be stored; the MTA will retry", metadata: ["error": "\(error)"])
            return "451 4.3.0 Could not store the message, try again later"
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
