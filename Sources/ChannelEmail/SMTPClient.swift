import Foundation
import Logging
import NIOCore
import NIOSSL
import Transport

/// Sends email over SMTP (RFC 5321) with SwiftNIO, one connection per message.
///
/// The dialog: greeting `220` → `EHLO` (falling back to `HELO`) → `STARTTLS` and `EHLO` again when the configuration
/// asks for it (sending fails when the server does not offer it) → `AUTH PLAIN` (or `AUTH LOGIN`) when credentials
/// are set → `MAIL FROM` (with `SIZE=` and `SMTPUTF8` when needed) → `RCPT TO` → `DATA` (dot-stuffed, ended by
/// CRLF.CRLF) → `QUIT`. Every reply is awaited within `replyTimeout`; connecting within `connectTimeout`.
///
/// Every failure is a `TransportError`: connection and TLS trouble, timeouts and `4xx` replies → `.retry`; `5xx`
/// replies (550 mailbox unavailable, 553 bad address, 535 authentication failed) → `.permanent`. Messages carry the
/// reply codes (`550 5.1.1`) but never the server's text, which often repeats the address.
///
/// The client owns no threads: it runs on the `EventLoopGroup` it is given, which the caller shuts down.
/// (Pooling connections across messages is future work; one connection per message is simple and enough for 311
/// volumes.)
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    let group: any EventLoopGroup
    let tlsContext: NIOSSLContext?

    /// Prepares TLS (loading `caFile`, if any). Throws `SMTPConfigurationError` when the CA file is unusable.
    public init(configuration: SMTPConfiguration, group: any EventLoopGroup) throws {
        self.configuration = configuration
        self.group = group
        guard configuration.security != .none else {
            tlsContext = nil
            return
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let caFile = configuration.caFile {
            let certificates = (try? NIOSSLCertificate.fromPEMFile(caFile)) ?? []
            guard !certificates.isEmpty else {
                throw SMTPConfigurationError("SMTP_CA_FILE \(caFile) holds no PEM certificate that can be read")
            }
            tls.additionalTrustRoots = [.certificates(certificates)]
        }
        do {
            tlsContext = try NIOSSLContext(configuration: tls)
        } catch {
            throw SMTPConfigurationError("cannot set up TLS for SMTP: \(error)")
        }
    }

    /// Delivers `message` to its recipient. Throws `TransportError` (see the type's documentation). `logger` gets
    /// the dialog's progress at trace level: phases and reply codes, never addresses, credentials or content.
    public func send(_ message: MIMEMessage, logger: Logger) async throws {
        let connection = try await SMTPConnection.connect(
            host: configuration.host, port: configuration.port,
            implicitTLS: configuration.security == .implicitTLS ? tlsContext : nil, group: group,
            connectTimeout: TimeAmount(configuration.connectTimeout),
            replyTimeout: TimeAmount(configuration.replyTimeout))
        do {
            try await withTaskCancellationHandler {
                try await dialog(message, connection, logger)
            } onCancel: {
                connection.channel.close(promise: nil)
            }
        } catch {
            await connection.close()
            throw error as? TransportError ?? TransportError(.retry, "SMTP send failed: \(type(of: error))")
        }
        await connection.close()
    }

    private func dialog(_ message: MIMEMessage, _ connection: SMTPConnection, _ logger: Logger) async throws {
        try Self.check(await connection.reply("greeting"), [220], "greeting")
        var capabilities = try await hello(connection)
        logger.trace("smtp connected", metadata: ["smtp.server": "\(connection.endpoint)"])

        if configuration.security == .startTLS, let tlsContext {
            guard capabilities.startTLS else {
                throw TransportError(.retry, "SMTP server \(connection.endpoint) does not offer STARTTLS, which smtp:// "
                    + "requires (use smtps:// for implicit TLS, or ?tls=none only for a relay on loopback)")
            }
            try Self.check(await connection.command("STARTTLS", phase: "STARTTLS"), [220], "STARTTLS")
            try await connection.startTLS(context: tlsContext, host: configuration.host)
            capabilities = try await hello(connection)  // RFC 3207 §4.2: forget what was said before TLS
            logger.trace("smtp tls started")
        }

        if let username = configuration.username {
            try await authenticate(username: username, password: configuration.password ?? "", capabilities, connection)
            logger.trace("smtp authenticated")
        }

        if message.requiresSMTPUTF8, !capabilities.smtpUTF8 {
            throw TransportError(.permanent, "the address is internationalized and the SMTP server does not offer SMTPUTF8")
        }
        let content = Self.dataContent(message.rendered)
        if let limit = capabilities.size, limit > 0, content.count > limit {
            throw TransportError(.permanent, "message is \(content.count) bytes, over the SMTP server's limit of \(limit)")
        }
        var mailFrom = "MAIL FROM:<\(message.sender)>"
        if capabilities.size != nil { mailFrom += " SIZE=\(content.count)" }
        if message.requiresSMTPUTF8 { mailFrom += " SMTPUTF8" }
        try Self.check(await connection.command(mailFrom, phase: "MAIL FROM"), [250], "MAIL FROM")
        try Self.check(await connection.command("RCPT TO:<\(message.recipient)>", phase: "RCPT TO"), [250, 251], "RCPT TO")
        try Self.check(await connection.command("DATA", phase: "DATA"), [354], "DATA")
        try await connection.write(content, phase: "message content")
        try Self.check(await connection.reply("end of message"), [250], "message")
        logger.trace("smtp message accepted", metadata: ["smtp.bytes": "\(content.count)"])

        // The message is accepted; a failing QUIT changes nothing.
        _ = try? await connection.send("QUIT", phase: "QUIT")
        _ = try? await connection.reply("QUIT", timeout: min(TimeAmount(configuration.replyTimeout), .seconds(5)))
    }

    /// `EHLO`, or `HELO` from a server that does not know `EHLO` (then no extensions).
    private func hello(_ connection: SMTPConnection) async throws -> SMTPCapabilities {
        let reply = try await connection.command("EHLO \(configuration.heloName)", phase: "EHLO")
        if reply.code == 250 { return SMTPCapabilities(ehlo: reply) }
        guard [500, 501, 502, 504, 550].contains(reply.code) else { throw Self.rejection(reply, "EHLO") }
        try Self.check(await connection.command("HELO \(configuration.heloName)", phase: "HELO"), [250], "HELO")
        return SMTPCapabilities()
    }

    /// `AUTH PLAIN` with an initial response (RFC 4954, RFC 4616), else `AUTH LOGIN`.
    private func authenticate(username: String, password: String, _ capabilities: SMTPCapabilities,
                              _ connection: SMTPConnection) async throws {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        if capabilities.authMechanisms.contains("PLAIN") {
            let token = base64("\u{0}\(username)\u{0}\(password)")
            var reply = try await connection.command("AUTH PLAIN \(token)", phase: "AUTH")
            if reply.code == 334 { reply = try await connection.command(token, phase: "AUTH") }
            try Self.check(reply, [235], "AUTH")
        } else if capabilities.authMechanisms.contains("LOGIN") {
            try Self.check(await connection.command("AUTH LOGIN", phase: "AUTH"), [334], "AUTH")
            try Self.check(await connection.command(base64(username), phase: "AUTH"), [334], "AUTH")
            try Self.check(await connection.command(base64(password), phase: "AUTH"), [235], "AUTH")
        } else {
            let offered = capabilities.authMechanisms.isEmpty ? "none" : capabilities.authMechanisms.sorted().joined(separator: " ")
            throw TransportError(.permanent, "SMTP_URL has credentials but the SMTP server \(connection.endpoint) offers "
                + "no AUTH PLAIN or LOGIN (offered: \(offered))")
        }
    }

    private static func check(_ reply: SMTPReply, _ expected: Set<Int>, _ phase: String) throws {
        guard !expected.contains(reply.code) else { return }
        throw rejection(reply, phase)
    }

    /// What an unwanted reply means for the message: 4xx → retry, 5xx → permanent.
    static func rejection(_ reply: SMTPReply, _ phase: String) -> TransportError {
        switch reply.code {
        case 535:
            TransportError(.permanent, "SMTP authentication failed (\(reply.codes)): check the user name and password in SMTP_URL")
        case 400..<500:
            TransportError(.retry, "SMTP server deferred \(phase) (\(reply.codes))")
        case 500..<600:
            TransportError(.permanent, "SMTP server rejected \(phase) (\(reply.codes))")
        default:
            TransportError(.retry, "SMTP server gave an unexpected reply to \(phase) (\(reply.codes))")
        }
    }

    /// The bytes after `DATA`: CRLF line endings (a bare CR or LF becomes CRLF), every line that starts with `.`
    /// given another `.` (RFC 5321 §4.5.2), a final CRLF, and the `.` line that ends the message.
    static func dataContent(_ rendered: String) -> [UInt8] {
        let bytes = Array(rendered.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var atLineStart = true
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == 0x0D || byte == 0x0A {
                if byte == 0x0D, index < bytes.count, bytes[index] == 0x0A { index += 1 }
                out += [0x0D, 0x0A]
                atLineStart = true
                continue
            }
            if atLineStart, byte == UInt8(ascii: ".") { out.append(byte) }
            out.append(byte)
            atLineStart = false
        }
        if !atLineStart { out += [0x0D, 0x0A] }
        return out + Array(".\r\n".utf8)
    }
}
