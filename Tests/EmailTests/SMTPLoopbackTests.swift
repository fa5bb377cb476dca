@testable import ChannelEmail
import Foundation
import Logging
import NIOPosix
import Testing
import Storage
import Transport

/// Real SMTP on loopback against Python's aiosmtpd: plain, STARTTLS + AUTH, implicit TLS, and the failures a
/// dispatcher must tell apart.
@Suite("SMTP over loopback", .enabled(if: SMTPTestServer.isAvailable, SMTPTestServer.unavailableReason))
struct SMTPLoopbackTests {
    static let user = "mailer"
    static let password = "correct horse:battery@staple"

    func transport(_ server: SMTPTestServer, scheme: String = "smtp", query: String = "", user: String? = nil,
                   password: String? = nil, trust: Bool = true) throws -> EmailTransport {
        let encode = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
        let credentials = user.map { "\(encode($0)):\(encode(password ?? ""))@" } ?? ""
        var config = try SMTPConfiguration(url: "\(scheme)://\(credentials)localhost:\(server.port)\(query)",
                                           from: "Springfield 311 <311@springfield.example>",
                                           caFile: trust ? server.certificateFile : nil)
        config.replyTimeout = .seconds(10)
        return try EmailTransport(configuration: config, group: MultiThreadedEventLoopGroup.singleton,
                                  logger: Logger(label: "test.email"),
                                  unsubscribeLink: { _ in "https://springfield.example/unsubscribe/t0k3n" },
                                  now: { Fixtures.date })
    }

    @Test("plain SMTP (tls=none): the message arrives whole and parses with Python's email package")
    func plainSend() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let body = "Hola,\n\nRecibimos su reporte del bache.\n.Esta línea empieza con punto.\n..y esta con dos.\n\nGracias."
        let entry = Fixtures.entry(subject: Fixtures.spanishSubject, body: body, locale: "es")
        let id = try await transport(server, query: "?tls=none").send(entry)

        let received = try server.received()
        try #require(received.count == 1)
        let mail = received[0]
        #expect(mail.defects.isEmpty)
        #expect(!mail.tls && !mail.authenticated)
        #expect(mail.mailFrom == "311@springfield.example" && mail.rcptTos == ["resident@example.org"])
        #expect(mail.subject == Fixtures.spanishSubject)
        #expect(mail.contentType == "multipart/alternative" && mail.parts == ["text/plain", "text/html"])
        #expect(mail.text == body)
        #expect(mail.html?.contains("<p>Hola,</p>") == true)
        #expect(mail.html?.contains(".Esta línea empieza con punto.<br>\n..y esta con dos.") == true)
        #expect(mail.header("Message-ID") == id)
        #expect(mail.header("In-Reply-To") == "<ticket-\(Fixtures.ticket.digits)@springfield.example>")
        #expect(mail.header("From") == "Springfield 311 <311@springfield.example>")
        #expect(mail.header("Auto-Submitted") == "auto-generated")
        #expect(mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        #expect(mail.header("List-Unsubscribe")?.hasPrefix("<https://springfield.example/unsubscribe/t0k3n>") == true)
        #expect(mail.header("Content-Language") == "es")
        #expect(mail.mailOptions.contains { $0.hasPrefix("SIZE=") })
        #expect(mail.raw.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }

    @Test("STARTTLS + AUTH PLAIN against a self-signed certificate given as SMTP_CA_FILE")
    func startTLSWithAuthPlain() async throws {
        let server = try await SMTPTestServer.start(.init(tls: .starttls, user: Self.user, password: Self.password))
        defer { server.stop() }
        let entry = Fixtures.entry(subject: Fixtures.chineseSubject, body: "您好！\n我们已收到您的报告。", locale: "zh-Hans")
        _ = try await transport(server, user: Self.user, password: Self.password).send(entry)

        let mail = try #require(try server.received().first)
        #expect(mail.tls && mail.authenticated)
        #expect(mail.authMechanism == "PLAIN" && mail.authLogin == Self.user)
        #expect(mail.subject == Fixtures.chineseSubject)
        #expect(mail.text == "您好！\n我们已收到您的报告。")
        #expect(mail.html?.contains("<html lang=\"zh-Hans\" dir=\"ltr\">") == true)
        #expect(mail.defects.isEmpty)
    }

    @Test("AUTH LOGIN when the server does not offer PLAIN")
    func authLogin() async throws {
        let server = try await SMTPTestServer.start(
            .init(tls: .starttls, user: Self.user, password: Self.password, excludeAuth: ["PLAIN"]))
        defer { server.stop() }
        _ = try await transport(server, user: Self.user, password: Self.password).send(Fixtures.entry())
        #expect(try server.received().first?.authMechanism == "LOGIN")
    }

    @Test("implicit TLS (smtps://) with an Arabic message")
    func implicitTLS() async throws {
        let server = try await SMTPTestServer.start(.init(tls: .implicit))
        defer { server.stop() }
        let entry = Fixtures.entry(subject: Fixtures.arabicSubject, body: "شكراً لك.", locale: "ar")
        _ = try await transport(server, scheme: "smtps").send(entry)
        let mail = try #require(try server.received().first)
        #expect(mail.tls)
        #expect(mail.subject == Fixtures.arabicSubject)
        #expect(mail.html?.contains("dir=\"rtl\"") == true)
    }

    @Test("a 550 for the recipient is permanent, and the error does not repeat the server's text or the address")
    func rejectedRecipient() async throws {
        let server = try await SMTPTestServer.start(.init(reject: ["gone@example.org"]))
        defer { server.stop() }
        let error = await sendError(try transport(server, query: "?tls=none"), Fixtures.entry(to: "gone@example.org"))
        #expect(error?.kind == .permanent)
        #expect(error?.message.contains("550 5.1.1") == true)
        #expect(error?.message.contains("gone") == false)
        #expect(try server.received().isEmpty)
    }

    @Test("a wrong password is permanent with a clear message that does not contain the password")
    func wrongPassword() async throws {
        let server = try await SMTPTestServer.start(.init(tls: .starttls, user: Self.user, password: Self.password))
        defer { server.stop() }
        let error = await sendError(try transport(server, user: Self.user, password: "wrong-pw-123"), Fixtures.entry())
        #expect(error?.kind == .permanent)
        #expect(error?.message.contains("authentication failed") == true)
        #expect(error?.message.contains("wrong-pw-123") == false)
    }

    @Test("a certificate nobody trusts is a TLS failure, retried")
    func untrustedCertificate() async throws {
        let server = try await SMTPTestServer.start(.init(tls: .starttls))
        defer { server.stop() }
        let error = await sendError(try transport(server, trust: false), Fixtures.entry())
        #expect(error?.kind == .retry)
        #expect(error?.message.contains("TLS with SMTP server localhost:\(server.port) failed") == true)
        #expect(try server.received().isEmpty)
    }

    @Test("smtp:// refuses a server that does not offer STARTTLS")
    func startTLSRequired() async throws {
        let server = try await SMTPTestServer.start()
        defer { server.stop() }
        let error = await sendError(try transport(server), Fixtures.entry())
        #expect(error?.kind == .retry)
        #expect(error?.message.contains("does not offer STARTTLS") == true)
        #expect(try server.received().isEmpty)
    }
}

/// Failures that need a server misbehaving on cue: a scripted NIO server, so these run without Python too.
@Suite("SMTP failures")
struct SMTPFailureTests {
    func transport(port: Int, replyTimeout: Duration = .seconds(5)) throws -> EmailTransport {
        var config = try SMTPConfiguration(url: "smtp://127.0.0.1:\(port)?tls=none", from: "311@springfield.example")
        config.replyTimeout = replyTimeout
        config.connectTimeout = .seconds(2)
        return try EmailTransport(configuration: config, group: MultiThreadedEventLoopGroup.singleton,
                                  logger: Logger(label: "test.email"), unsubscribeLink: { _ in nil })
    }

    @Test("a server that is down (closed port) means retry")
    func serverDown() async throws {
        let server = try await ScriptedSMTPServer.start(greeting: nil)
        let port = server.port
        await server.stop()
        let error = await sendError(try transport(port: port), Fixtures.entry())
        #expect(error?.kind == .retry)
        #expect(error?.message.contains("cannot connect") == true)
    }

    /// The error itself proves the timeout fired (a silent server would otherwise hold the send forever); the time
    /// limit only stops a hang from stalling the suite, it measures nothing. It is minutes, not one: the whole suite
    /// starts at once on as many threads as cores, and on a loaded 2-core machine this test has waited over 60 s for
    /// a thread before its 300 ms timeout could fire.
    @Test("a server that never greets times out, and that means retry", .timeLimit(.minutes(5)))
    func silentServer() async throws {
        let server = try await ScriptedSMTPServer.start(greeting: nil)
        let error = await sendError(try transport(port: server.port, replyTimeout: .milliseconds(300)), Fixtures.entry())
        await server.stop()
        #expect(error?.kind == .retry)
        #expect(error?.message.contains("did not answer greeting") == true)
    }

    @Test("421 at the greeting is retried; 554 is permanent")
    func greetingRefused() async throws {
        for (greeting, kind) in [("421 4.3.2 busy\r\n", TransportError.Kind.retry), ("554 5.7.1 no\r\n", .permanent)] {
            let server = try await ScriptedSMTPServer.start(greeting: greeting)
            let error = await sendError(try transport(port: server.port), Fixtures.entry())
            await server.stop()
            #expect(error?.kind == kind)
        }
    }

    @Test("replies injected after STARTTLS's 220 abort the connection (RFC 3207 §4.2)")
    func startTLSInjection() async throws {
        let server = try await ScriptedSMTPServer.start(greeting: "220 scripted ESMTP\r\n") { line in
            switch line.uppercased() {
            case let command where command.hasPrefix("EHLO"): "250-scripted\r\n250-8BITMIME\r\n250 STARTTLS\r\n"
            case "STARTTLS": "220 2.0.0 go ahead\r\n250 injected\r\n"
            default: nil
            }
        }
        var config = try SMTPConfiguration(url: "smtp://127.0.0.1:\(server.port)", from: "311@springfield.example")
        config.replyTimeout = .seconds(5)
        let transport = try EmailTransport(configuration: config, group: MultiThreadedEventLoopGroup.singleton,
                                           logger: Logger(label: "test.email"), unsubscribeLink: { _ in nil })
        let error = await sendError(transport, Fixtures.entry())
        await server.stop()
        #expect(error?.kind == .retry)
        #expect(error?.message.contains("before TLS started") == true)
    }

    @Test("a server that only knows HELO still takes mail without extensions")
    func heloFallback() async throws {
        let server = try await ScriptedSMTPServer.start(greeting: "220 old\r\n") { line in
            switch line.uppercased() {
            case let command where command.hasPrefix("EHLO"): "502 5.5.2 what?\r\n"
            case let command where command.hasPrefix("HELO"): "250 old\r\n"
            case let command where command.hasPrefix("MAIL FROM:"): command.contains("SIZE=") ? "555 no\r\n" : "250 ok\r\n"
            case let command where command.hasPrefix("RCPT TO:"): "250 ok\r\n"
            case "DATA": "354 go\r\n"
            case ".": "250 queued\r\n"
            case "QUIT": "221 bye\r\n"
            default: nil
            }
        }
        let id = try await transport(port: server.port).send(Fixtures.entry())
        await server.stop()
        #expect(id?.hasPrefix("<outbox-42-") == true)
    }
}

/// The `TransportError` a send throws, or nil when it succeeds (recorded as a test failure).
func sendError(_ transport: EmailTransport, _ entry: OutboxEntry) async -> TransportError? {
    do {
        _ = try await transport.send(entry)
        Issue.record("expected the send to fail")
        return nil
    } catch let error as TransportError {
        return error
    } catch {
        Issue.record("expected a TransportError, got \(error)")
        return nil
    }
}
