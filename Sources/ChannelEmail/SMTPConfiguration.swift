import Foundation

/// Where and how to send email: the SMTP server, its TLS mode, credentials and the sender, read from environment variables.
///
/// Environment keys:
/// - `SMTP_URL` — `smtp://user:password@host:port` (STARTTLS required, default port 587) or
///   `smtps://user:password@host:port` (implicit TLS, default port 465). User and password are optional and
///   percent-decoded, so reserved characters in them must be percent-encoded (`p%40ss` for `p@ss`).
///   `?tls=none` (only with `smtp://`) sends in plain text without TLS: **unsafe**, meant for a relay on loopback
///   and for tests.
/// - `SMTP_FROM` — the sender, `Springfield 311 <311@springfield.example>` or a bare `311@springfield.example`. Its
///   domain also names the Message-IDs and thread ids.
/// - `SMTP_CA_FILE` — optional PEM file with extra trusted CA certificates (a private relay, a test's self-signed
///   certificate); the system trust store still applies.
///
/// The password never appears in `description`, in errors or in logs.
public struct SMTPConfiguration: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    /// How the connection is protected.
    public enum Security: String, Sendable, Hashable {
        /// Plain connect, then `STARTTLS`; sending fails when the server does not offer it.
        case startTLS = "STARTTLS"
        /// TLS from the first byte (`smtps://`, port 465).
        case implicitTLS = "TLS"
        /// No TLS at all (`?tls=none`): only for loopback relays and tests.
        case none = "no TLS"
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The sender shown in `From` and used as the envelope sender (`MAIL FROM`).
    public var from: EmailAddress
    /// A PEM file of extra trusted CA certificates.
    public var caFile: String?
    /// The name we give in `EHLO`; defaults to the sender's domain.
    public var heloName: String
    public var connectTimeout: Duration
    /// How long to wait for each server reply (the greeting, each command, the end of DATA).
    public var replyTimeout: Duration

    /// Builds a configuration from already-split parts (tests, or a caller with its own settings source).
    public init(host: String, port: Int, security: Security, username: String? = nil, password: String? = nil,
                from: EmailAddress, caFile: String? = nil, heloName: String? = nil,
                connectTimeout: Duration = .seconds(10), replyTimeout: Duration = .seconds(60)) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.from = from
        self.caFile = caFile
        self.heloName = heloName ?? from.domain
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
    }

    /// Parses `SMTP_URL` and `SMTP_FROM` (see the type's documentation). Throws `SMTPConfigurationError`, whose
    /// message never contains the password.
    public init(url: String, from: String, caFile: String? = nil) throws {
        guard let parsedFrom = EmailAddress(parsing: from), parsedFrom.address.allSatisfy(\.isASCII) else {
            throw SMTPConfigurationError("SMTP_FROM must be an ASCII email address, optionally with a name: "
                + "\"Springfield 311 <311@springfield.example>\"")
        }
        let shape = "expected smtp://user:password@host:port (STARTTLS) or smtps://user:password@host:port "
            + "(implicit TLS), with reserved characters in the user and password percent-encoded"
        guard let components = URLComponents(string: url.trimmingCharacters(in: .whitespaces)),
              let scheme = components.scheme?.lowercased() else {
            throw SMTPConfigurationError("SMTP_URL is not a valid URL: \(shape)")
        }
        var security: Security
        switch scheme {
        case "smtp": security = .startTLS
        case "smtps": security = .implicitTLS
        default: throw SMTPConfigurationError("SMTP_URL has scheme \"\(scheme.prefix(12))\": \(shape)")
        }
        var host = components.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw SMTPConfigurationError("SMTP_URL has no host: \(shape)") }
        guard components.path.isEmpty || components.path == "/" else {
            throw SMTPConfigurationError("SMTP_URL must not have a path: \(shape)")
        }
        guard components.fragment == nil else { throw SMTPConfigurationError("SMTP_URL must not have a fragment") }
        for item in components.queryItems ?? [] {
            switch (item.name.lowercased(), item.value?.lowercased()) {
            case ("tls", "none"?):
                guard security == .startTLS else {
                    throw SMTPConfigurationError("SMTP_URL: tls=none contradicts smtps:// (implicit TLS)")
                }
                security = .none
            default:
                throw SMTPConfigurationError("SMTP_URL has an unknown option \"\(item.name.prefix(20))\" "
                    + "(the only option is tls=none, for a relay on loopback)")
            }
        }
        let port: Int
        if let given = components.port {
            guard (1...65_535).contains(given) else { throw SMTPConfigurationError("SMTP_URL port must be 1…65535") }
            port = given
        } else {
            port = security == .implicitTLS ? 465 : 587
        }
        let username = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        if components.percentEncodedUser != nil, username == nil {
            throw SMTPConfigurationError("SMTP_URL user name has invalid percent-encoding")
        }
        if components.percentEncodedPassword != nil, password == nil {
            throw SMTPConfigurationError("SMTP_URL password has invalid percent-encoding")
        }
        if password != nil, (username ?? "").isEmpty {
            throw SMTPConfigurationError("SMTP_URL has a password but no user name")
        }
        self.init(host: host, port: port, security: security, username: username.flatMap { $0.isEmpty ? nil : $0 },
                  password: password, from: parsedFrom,
                  caFile: caFile.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Reads `SMTP_URL`, `SMTP_FROM` and `SMTP_CA_FILE` from `environment` (the caller's settings, read once by
    /// the application's configuration). Returns nil when `SMTP_URL` is unset or empty (email is not configured);
    /// throws `SMTPConfigurationError` when it is set but unusable or `SMTP_FROM` is missing.
    public static func fromEnvironment(_ environment: [String: String]) throws -> SMTPConfiguration? {
        guard let url = environment["SMTP_URL"], !url.isEmpty else { return nil }
        guard let from = environment["SMTP_FROM"], !from.isEmpty else {
            throw SMTPConfigurationError("SMTP_URL is set but SMTP_FROM is not: set the sender, "
                + "e.g. SMTP_FROM=\"Springfield 311 <311@springfield.example>\"")
        }
        return try SMTPConfiguration(url: url, from: from, caFile: environment["SMTP_CA_FILE"])
    }

    /// `smtp.example.org:587, STARTTLS` — for start-up output; never the user name or password.
    public var endpoint: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(shownHost):\(port), \(security.rawValue)"
    }

    public var description: String {
        "SMTPConfiguration(\(endpoint), user: \(username == nil ? "none" : "set"), "
            + "password: \(password == nil ? "none" : "redacted"))"
    }

    public var debugDescription: String { description }

    /// `dump(configuration)` shows the endpoint, not the credentials.
    public var customMirror: Mirror {
        Mirror(self, children: ["endpoint": endpoint, "from": from.address, "caFile": caFile as Any], displayStyle: .struct)
    }
}

/// Why `SMTP_URL`, `SMTP_FROM` or `SMTP_CA_FILE` could not be used. The message names the setting and what is
/// expected, never the password.
public struct SMTPConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
