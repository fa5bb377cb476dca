import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A small SMTP server (RFC 5321) for mail relayed by the city's own MTA: each message is handed to `deliver`
/// (an `EmailIntake`), and `250` is answered only once the resident's turn is durably stored — so the MTA keeps
/// the message and retries (`451`) when it could not be, and bounces it (`554`) when it cannot be read.
///
/// It speaks EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffing, a size limit announced as `SIZE`), RSET, NOOP, VRFY and
/// QUIT, with pipelined commands. It offers no TLS and no AUTH: it is meant to sit behind the MTA on a private
/// address, not to face the internet. Nothing about senders, recipients or content is logged.
///
/// A client that is slow or silent is not waited for forever (RFC 5321 § 4.5.3.2): each command line must arrive
/// whole within `commandTimeout` of the last reply, a message's content within `dataTimeout` of the `354`; then the
/// listener answers `421` and closes. At most `maxConnections` are open at once; one more is answered `421` (the
/// MTA retries).
public struct SMTPListener: Sendable {
    public typealias Deliver = @Sendable ([UInt8]) async throws -> EmailIntake.Outcome

    let host: String
    let port: Int
    let hostname: String
    let maxMessageBytes: Int
    let group: any EventLoopGroup
    let logger: Logger
    let deliver: Deliver
    let commandTimeout: Duration
    let dataTimeout: Duration
    let maxConnections: Int
    private let open = OpenConnections()

    public static let defaultCommandTimeout: Duration = .seconds(300)
    public static let defaultDataTimeout: Duration = .seconds(600)

    public init(host: String, port: Int, hostname: String = "cityline", maxMessageBytes: Int = InboundEmail.maxBytes,
                commandTimeout: Duration = defaultCommandTimeout, dataTimeout: Duration = defaultDataTimeout, maxConnections: Int = 100,
                group: any EventLoopGroup, logger: Logger, deliver: @escaping Deliver) {
        self.host = host
        self.port = port
        self.hostname = hostname
        self.maxMessageBytes = maxMessageBytes
        self.commandTimeout = commandTimeout
        self.dataTimeout = dataTimeout
        self.maxConnections = maxConnections
        self.group = group
        self.logger = logger
        self.deliver = deliver
    }

    /// How many connections are open.
    final class OpenConnections: Sendable {
        let count = Atomic<Int>(0)
    }

    /// When the client's current command (or message) must have arrived whole. Behind an `NSLock`, not a `Mutex`:
    /// the reader and the watchdog contend for it, and ThreadSanitizer cannot see a contended `Mutex` hand-over on
    /// Linux (README, "Sanitizers").
    final class Deadline: @unchecked Sendable {
        private let lock = NSLock()
        private var instant: ContinuousClock.Instant
        init(_ instant: ContinuousClock.Instant) { self.instant = instant }
        var value: ContinuousClock.Instant { lock.withLock { instant } }
        func set(_ new: ContinuousClock.Instant) { lock.withLock { instant = new } }
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

    /// One SMTP conversation: the bytes go through an `SMTPCommandReader`; its steps are answered here, while a
    /// watchdog closes the connection when the client keeps it waiting past the current deadline.
    func session(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let admitted = open.count.wrappingAdd(1, ordering: .relaxed).newValue <= maxConnections
        defer { open.count.wrappingSubtract(1, ordering: .relaxed) }
        do {
            try await connection.executeThenClose { inbound, outbound in
                let reply: @Sendable (String) async throws -> Void = { line in try await outbound.write(ByteBuffer(string: line + "\r\n")) }
                guard admitted else {
                    return try await reply("421 4.3.2 \(hostname) Too many connections, try again later")
                }
                let clock = ContinuousClock()
                let deadline = Deadline(clock.now.advanced(by: commandTimeout))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // Looks at the deadline at least once a second: it moves both ways (to a day while a
                        // message is stored, back to the command deadline after), and a sleep until an old, later
                        // deadline would let a client that went quiet after a message hold the connection that long.
                        while case let due = deadline.value, due > clock.now {
                            try await Task.sleep(until: min(due, clock.now.advanced(by: .seconds(1))), clock: clock)
                        }
                        try? await reply("421 4.4.2 \(hostname) Timeout waiting for the client, closing connection")
                        connection.channel.close(promise: nil)
                    }
                    group.addTask {
                        try await reply("220 \(hostname) CityLine ESMTP")
                        var reader = SMTPCommandReader(hostname: hostname, maxMessageBytes: maxMessageBytes)
                        for try await chunk in inbound {
                            for step in reader.read(chunk.readableBytesView) {
                                switch step {
                                case .reply(let answer):
                                    try await reply(answer)
                                    // After 354 the message's content is awaited; after any other reply, a command.
                                    let wait = answer.hasPrefix("354") ? dataTimeout : commandTimeout
                                    deadline.set(clock.now.advanced(by: wait))
                                case .deliver(let message):
                                    deadline.set(clock.now.advanced(by: .seconds(86_400))) // storing is ours to wait for
                                    try await reply(await finish(message))
                                    deadline.set(clock.now.advanced(by: commandTimeout))
                                case .close:
                                    return
                                }
                            }
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch {
            logger.debug("SMTP session ended", metadata: ["error.type": "\(type(of: error))"])
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
