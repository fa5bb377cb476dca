import Foundation
import Storage

/// A `postgres://user:password@host:port/database?sslmode=…` URL, read once; `redacted` is what logs, errors and the
/// start-up summary show (never the password).
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable { case disable, prefer, require }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// `?schema=name`: CityLine's tables in this schema of the database (created if missing) rather than `public` —
    /// for a database CityLine shares, and for the tests' stores (one schema each).
    public var schema: String?
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
        for item in components.queryItems ?? [] where item.name == "schema" {
            guard let name = item.value, Self.isIdentifier(name) else {
                throw PostgresStoreError("schema=\(item.value ?? "") in \(Self.mask(text)) is not a plain name (lower-case letters, digits, _)")
            }
            schema = name
        }
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
        var parameters: [String] = []
        if let schema { parameters.append("schema=\(schema)") }
        if tls != .prefer { parameters.append("sslmode=\(tls.rawValue)") }
        return "postgres://\(user)@\(host):\(port)/\(database)" + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }

    /// Whether `name` can be written in SQL as it is (no quoting): lower-case ASCII letters, digits and `_`, not first a digit.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.first, !first.isNumber, name.count <= 63 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }

    public var description: String { redacted }

    /// The same database, another schema (tests make one schema per store).
    public func schema(_ name: String) -> DatabaseURL {
        var copy = self
        copy.schema = name
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

/// The database cannot be reached right now (see `StoreUnavailable`); the description names the URL without its password.
public struct PostgresUnavailable: StoreUnavailable, CustomStringConvertible, Sendable {
    public var description: String
}
