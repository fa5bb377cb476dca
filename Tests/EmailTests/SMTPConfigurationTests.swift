import ChannelEmail
import Foundation
import Logging
import NIOPosix
import Testing

@Suite("SMTP configuration")
struct SMTPConfigurationTests {
    let from = "Springfield 311 <311@springfield.example>"

    @Test("smtp:// is STARTTLS on 587 with percent-decoded credentials")
    func startTLSURL() throws {
        let config = try SMTPConfiguration(url: "smtp://mailer%2B311:p%40ss%3Aw0rd@smtp.example.org", from: from)
        #expect(config.security == .startTLS)
        #expect(config.host == "smtp.example.org" && config.port == 587)
        #expect(config.username == "mailer+311" && config.password == "p@ss:w0rd")
        #expect(config.from.address == "311@springfield.example" && config.from.displayName == "Springfield 311")
        #expect(config.heloName == "springfield.example")
        #expect(config.endpoint == "smtp.example.org:587, STARTTLS")
    }

    @Test("smtps:// is implicit TLS on 465; credentials are optional; ports and IPv6 hosts are kept")
    func otherURLs() throws {
        let implicit = try SMTPConfiguration(url: "smtps://mail.example.org", from: "311@springfield.example")
        #expect(implicit.security == .implicitTLS && implicit.port == 465)
        #expect(implicit.username == nil && implicit.password == nil && implicit.from.displayName == nil)
        let custom = try SMTPConfiguration(url: "smtps://u:p@mail.example.org:2465", from: from)
        #expect(custom.port == 2465)
        let local = try SMTPConfiguration(url: "smtp://127.0.0.1:2525?tls=none", from: from)
        #expect(local.security == .none && local.port == 2525 && local.host == "127.0.0.1")
        let ipv6 = try SMTPConfiguration(url: "smtp://[::1]:2525?tls=none", from: from)
        #expect(ipv6.host == "::1" && ipv6.endpoint == "[::1]:2525, no TLS")
    }

    @Test("malformed settings fail clearly and never echo the password", arguments: [
        "http://user:s3cret-pw@smtp.example.org",
        "smtp://user:s3cret-pw@",
        "smtps://user:s3cret-pw@smtp.example.org?tls=none",
        "smtp://user:s3cret-pw@smtp.example.org?verify=no",
        "smtp://user:s3cret-pw@smtp.example.org:70000",
        "smtp://user:s3cret-pw@smtp.example.org/path",
        "smtp://:s3cret-pw@smtp.example.org",
        "not a url s3cret-pw",
    ])
    func malformed(url: String) {
        #expect {
            try SMTPConfiguration(url: url, from: from)
        } throws: { error in
            let message = "\(error)"
            return error is SMTPConfigurationError && message.contains("SMTP_URL") && !message.contains("s3cret-pw")
        }
    }

    @Test("SMTP_FROM must be an ASCII address", arguments: ["Springfield 311", "<>", "311@", "José <josé@ejemplo.es>"])
    func badFrom(from: String) {
        #expect(throws: SMTPConfigurationError.self) { try SMTPConfiguration(url: "smtp://smtp.example.org", from: from) }
    }

    @Test("the environment: nothing set means no email; SMTP_URL without SMTP_FROM is an error")
    func environment() throws {
        #expect(try SMTPConfiguration.fromEnvironment([:]) == nil)
        #expect(throws: SMTPConfigurationError.self) {
            try SMTPConfiguration.fromEnvironment(["SMTP_URL": "smtp://smtp.example.org"])
        }
        let config = try #require(try SMTPConfiguration.fromEnvironment([
            "SMTP_URL": "smtp://smtp.example.org", "SMTP_FROM": from, "SMTP_CA_FILE": "/etc/ca.pem",
        ]))
        #expect(config.caFile == "/etc/ca.pem")
    }

    @Test("descriptions never show the password")
    func redaction() throws {
        let config = try SMTPConfiguration(url: "smtp://user:s3cret-pw@smtp.example.org", from: from)
        var dumped = ""
        dump(config, to: &dumped)
        for text in [config.description, "\(config)", String(reflecting: config), dumped] {
            #expect(!text.contains("s3cret-pw"))
        }
        let transport = try EmailTransport(configuration: config, group: MultiThreadedEventLoopGroup.singleton,
                                           logger: Logger(label: "test"), unsubscribeLink: { _ in nil })
        #expect(transport.description == "smtp (smtp.example.org:587, STARTTLS)")
    }

    @Test("an unreadable CA file is a configuration error")
    func badCAFile() throws {
        let config = try SMTPConfiguration(url: "smtp://smtp.example.org", from: from, caFile: "/nonexistent/ca.pem")
        #expect(throws: SMTPConfigurationError.self) {
            try SMTPClient(configuration: config, group: MultiThreadedEventLoopGroup.singleton)
        }
    }
}
