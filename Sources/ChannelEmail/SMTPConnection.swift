import NIOCore
import NIOPosix
import NIOSSL
import Transport

/// One open SMTP connection: writes command lines, awaits replies (each within the reply timeout) and upgrades to
/// TLS after `STARTTLS`. Failures of the connection itself come out as `TransportError(.retry)` naming the phase;
/// judging replies is the client's job.
struct SMTPConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<SMTPReplyHandler>
    let replyTimeout: TimeAmount
    /// `smtp.example.org:587`, for messages.
    let endpoint: String

    /// Connects, with TLS from the first byte when `implicitTLS` is given.
    static func connect(host: String, port: Int, implicitTLS: NIOSSLContext?, group: any EventLoopGroup,
                        connectTimeout: TimeAmount, replyTimeout: TimeAmount) async throws -> SMTPConnection {
        let endpoint = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let serverName = tlsServerName(host)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let implicitTLS {
                        let tls = try NIOSSLClientHandler(context: implicitTLS, serverHostname: serverName)
                        try channel.pipeline.syncOperations.addHandler(tls)
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            throw TransportError(.retry, "cannot connect to SMTP server \(endpoint): \(describe(error))")
        }
        do {
            let handler = try await channel.eventLoop.submit {
                NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self),
                             eventLoop: channel.eventLoop)
            }.get()
            return SMTPConnection(channel: channel, handler: handler, replyTimeout: replyTimeout, endpoint: endpoint)
        } catch {
            try? await channel.close()
            throw TransportError(.retry, "SMTP connection to \(endpoint) closed while setting up")
        }
    }

    /// The next reply from the server, within `timeout` (the reply timeout when nil).
    func reply(_ phase: String, timeout: TimeAmount? = nil) async throws -> SMTPReply {
        let handler = self.handler
        let timeout = timeout ?? replyTimeout
        do {
            return try await channel.eventLoop.flatSubmit { handler.value.nextReply(timeout: timeout) }.get()
        } catch SMTPReplyHandler.Failure.timeout {
            let seconds = Double(timeout.nanoseconds) / 1e9
            throw TransportError(.retry, "SMTP server \(endpoint) did not answer \(phase) within \(seconds)s")
        } catch SMTPReplyHandler.Failure.closed {
            throw TransportError(.retry, "SMTP server \(endpoint) closed the connection during \(phase)")
        } catch SMTPReplyHandler.Failure.malformedReply {
            throw TransportError(.retry, "SMTP server \(endpoint) sent something that is not an SMTP reply during \(phase)")
        } catch {
            throw Self.failure(error, during: phase, endpoint: endpoint)
        }
    }

    /// Writes `line` and CRLF. The line must not contain CR or LF (callers validate addresses first).
    func send(_ line: String, phase: String) async throws {
        precondition(!line.contains(where: \.isNewline), "SMTP command lines never contain line breaks")
        try await write(Array((line + "\r\n").utf8), phase: phase)
    }

    /// Sends a command line and awaits its reply.
    func command(_ line: String, phase: String) async throws -> SMTPReply {
        try await send(line, phase: phase)
        return try await reply(phase)
    }

    func write(_ bytes: [UInt8], phase: String) async throws {
        do {
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        } catch {
            let handler = self.handler
            let cause = try? await channel.eventLoop.submit { handler.value.recordedFailure }.get()
            if let cause, !(cause is SMTPReplyHandler.Failure) {
                throw Self.failure(cause, during: phase, endpoint: endpoint)
            }
            throw Self.failure(error, during: phase, endpoint: endpoint)
        }
    }

    /// Puts TLS under the SMTP handler after the server's `220` to `STARTTLS`. Anything the server sent after that
    /// reply, still in plain text, is a sign of command injection (RFC 3207 §4.2): the connection is abandoned.
    func startTLS(context: NIOSSLContext, host: String) async throws {
        let handler = self.handler
        let channel = self.channel
        let serverName = Self.tlsServerName(host)
        let injected = try await channel.eventLoop.submit {
            if handler.value.hasUnreadInput { return true }
            let tls = try NIOSSLClientHandler(context: context, serverHostname: serverName)
            try channel.pipeline.syncOperations.addHandler(tls, position: .first)
            return false
        }.get()
        if injected {
            throw TransportError(.retry, "SMTP server \(endpoint) sent data before TLS started; refusing to continue")
        }
    }

    func close() async {
        try? await channel.close()
    }

    /// The name for SNI and certificate checks: nil for an IP address (NIOSSL then checks the certificate
    /// against the peer's address).
    static func tlsServerName(_ host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    /// A connection or TLS failure as a retryable error that says which phase failed and why, in NIO's words
    /// (which name the server, never the message).
    static func failure(_ error: any Error, during phase: String, endpoint: String) -> TransportError {
        let tls = error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError
        return TransportError(.retry, (tls ? "TLS with SMTP server \(endpoint) failed during \(phase): "
            : "SMTP connection to \(endpoint) failed during \(phase): ") + describe(error))
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
