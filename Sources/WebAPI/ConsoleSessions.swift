import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import Storage

/// Operators' console sign-in: a cookie naming the staff token (by its stored hash) until an expiry, signed with
/// the server's secret — no session table, valid on every instance, and the token is looked up on every request,
/// so a revoked token ends its sessions. HttpOnly and SameSite=Strict (Secure behind https); every request that
/// changes something also carries a CSRF token derived from the cookie (`X-CSRF-Token`, or a `csrf` form field).
public struct ConsoleSessions: Sendable {
    public static let cookieName = "cityline_console"
    public static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    /// How long a sign-in lasts: one shift.
    public static let lifetime: TimeInterval = 12 * 3600

    let secret: Data
    /// Whether cookies need https (the public URL is https).
    let secure: Bool
    var key: SymmetricKey { SymmetricKey(data: secret) }

    public init(secret: Data, secure: Bool) {
        self.secret = secret
        self.secure = secure
    }

    /// The cookie value for a signed-in token.
    func value(tokenHash: String, now: Date) -> String {
        let payload = "\(tokenHash)|\(Int((now + Self.lifetime).timeIntervalSince1970))"
        return UnsubscribeLinks.base64url(Data(payload.utf8)) + "." + UnsubscribeLinks.base64url(Data(mac("console:" + payload)))
    }

    /// The token hash a cookie value names, or nil when it is malformed, forged or expired.
    func tokenHash(from value: String, now: Date) -> String? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let raw = UnsubscribeLinks.data(base64url: String(parts[0])),
              let signature = UnsubscribeLinks.data(base64url: String(parts[1])),
              let payload = String(data: raw, encoding: .utf8),
              HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data("console:\(payload)".utf8), using: key) else { return nil }
        let fields = payload.split(separator: "|")
        guard fields.count == 2, let expiry = TimeInterval(fields[1]), now.timeIntervalSince1970 < expiry else { return nil }
        return String(fields[0])
    }

    /// The staff token a cookie value signs in, if it is valid, unexpired and the token still exists.
    func token(for value: String, in tokens: any TokenStore, now: Date) async throws -> StaffToken? {
        guard let hash = tokenHash(from: value, now: now) else { return nil }
        return try await tokens.token(hash: hash)
    }

    /// The CSRF token that goes with a cookie value.
    func csrf(for value: String) -> String { UnsubscribeLinks.base64url(Data(mac("csrf:" + value))) }

    func isValidCSRF(_ token: String?, for value: String) -> Bool {
        guard let token else { return false }
        let expected = Array(csrf(for: value).utf8), given = Array(token.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `Set-Cookie` for signing in (`value`) or out (nil).
    func setCookie(_ value: String?) -> String {
        var cookie = "\(Self.cookieName)=\(value ?? ""); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(value == nil ? 0 : Int(Self.lifetime))"
        if secure { cookie += "; Secure" }
        return cookie
    }

    /// The console cookie of a request, if any.
    static func cookie(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix(cookieName + "=") { return String(trimmed.dropFirst(cookieName.count + 1)) }
            }
        }
        return nil
    }

    private func mac(_ text: String) -> HMAC<SHA256>.MAC { HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key) }
}
