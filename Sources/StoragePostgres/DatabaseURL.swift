import Foundation

/// A `postgres://user:password@host:port/database?sslmode=…` URL, read once; `redacted` is what logs, errors and the
/// start-up summary show (never the password).
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Reads `text`; throws `PostgresStoreError` naming what is wrong (with the password masked).
    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              ["postgres", "postgresql"].contains(scheme.lowercased()) else {
            throw PostgresStoreError("the database URL must look like postgres://user:password@host:5432/database (got \(Self.mask(text)))")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresStoreError("the database URL \(Self.mask(text)) names no host")
        }
        self.host = host
        port = components.port ?? 5432
        user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : path
        tls = .prefer
        for item in components.queryItems ?? [] where item.name == "sslmode" {
            switch item.value ?? "" {
            case "disable": tls = .disable
            case "allow", "prefer": tls = .prefer
            case "require", "verify-ca", "verify-full": tls = .require
            default:
                throw PostgresStoreError("sslmode=\(item.value ?? "") in \(Self.mask(text)) is not one of disable, prefer, require, verify-full")
            }
        }
    }

    /// The URL without its password.
    public var redacted: String {
        var text = "postgres://\(user)@\(host):\(port)/\(database)"
        if tls != .prefer { text += "?sslmode=\(tls.rawValue)" }
        return text
    }

    public var description: String { redacted }

    /// The same server and credentials, another database (tests make one database per store).
    public func database(_ name: String) -> DatabaseURL {
        var copy = self
        copy.database = name
        return copy
    }

    /// `text` with anything between `://user:` and `@` replaced, for errors about URLs that do not parse.
    static func mask(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text.range(of: "@", options: .backwards), scheme.upperBound < at.lowerBound else {
            return text
        }
        let credentials = text[scheme.upperBound..<at.lowerBound]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at.lowerBound...])
    }
}

/// Why the PostgreSQL store could not do something, in words an operator can act on (no password in it).
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
