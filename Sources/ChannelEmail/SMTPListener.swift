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

    /// One SMTP conversation: the bytes go through an `SMTPCommandReader`; its steps are answered here.
    func session(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                func reply(_ lines: String...) async throws {
                    try await outbound.write(ByteBuffer(string: lines.map { $0 + "\r\n" }.joined()))
                }
                try await reply("220 \(hostname) CityLine ESMTP")
                var reader = SMTPCommandReader(hostname: hostname, maxMessageBytes: maxMessageBytes)
                for try await chunk in inbound {
                    for step in reader.read(chunk.readableBytesView) {
                        switch step {
                        case .reply(let answer): try await reply(answer)
                        case .deliver(let message): try await reply(await finish(message))
                        case .close: return
                        }
                    }
                }
            }
        } catch {
            logger.debug("SMTP session ended", metadata: ["error": "\(error)"])
        }
    }

    /// The end of DATA: the message goes to the intake; the answer says whether the MTA may forget it.
    func finish(_ message: [UInt8]) async -> String {
        do {
            switch try await deliver(message) {
            case .accepted, .redelivered: return "250 2.0.0 OK: stored"
            case .ignored: return "250 2.0.0 OK: automatic mail, not answered"
            case .rejected(let reason): return "554 5.6.0 \(reason.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " "))"
            }
        } catch {
            logger.error("email could not be stored; the MTA will retry", metadata: ["error": "\(error)"])
            return "451 4.3.0 Could not store the message, try again later"
        }
    }
}
