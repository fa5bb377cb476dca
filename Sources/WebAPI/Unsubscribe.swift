import CityModel
import Crypto
import Foundation
import Hummingbird
import Storage

/// One-click unsubscribe links for email (RFC 8058): `POST {public}/unsubscribe/{token}` with the body
/// `List-Unsubscribe=One-Click` opts that address out exactly as STOP does; `GET` only shows a page with a
/// button, because mail scanners follow links and must not unsubscribe anyone.
///
/// A token is the address and an HMAC-SHA256 of it under the server's secret, both base64url: it cannot be
/// forged for another address, and needs no table.
public struct UnsubscribeLinks: Sendable {
    let secret: Data
    let publicURL: String
    var key: SymmetricKey { SymmetricKey(data: secret) }

    public init(secret: Data, publicURL: String) {
        self.secret = secret
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
    }

    /// The one-click URL for an email address.
    public func link(for address: String) -> String { "\(publicURL)/unsubscribe/\(token(for: address))" }

    public func token(for address: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("email:\(address)".utf8), using: key)
        return Self.base64url(Data(address.utf8)) + "." + Self.base64url(Data(mac))
    }

    /// The address a token was made for, or nil when it is malformed or forged.
    public func address(from token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let raw = Self.data(base64url: String(parts[0])), let mac = Self.data(base64url: String(parts[1])),
              let address = String(data: raw, encoding: .utf8),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data("email:\(address)".utf8), using: key) else { return nil }
        return address
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64url text: String) -> Data? {
        var base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base.count % 4 != 0 { base += "=" }
        return Data(base64Encoded: base)
    }

    func register(on router: Router<WebContext>, optOut: @escaping @Sendable (ChannelAddress, Date) async throws -> Void,
                  clock: @escaping @Sendable () -> Date) {
        router.get("/unsubscribe/:token") { _, context -> Response in
            guard self.address(from: context.parameters.get("token") ?? "") != nil else { return Self.page(404, "This link is not valid.") }
            return Self.page(200, """
                <form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">\
                <button type="submit">Unsubscribe from these emails</button></form>
                """)
        }
        router.post("/unsubscribe/:token") { _, context -> Response in
            guard let address = self.address(from: context.parameters.get("token") ?? "") else {
                return Self.page(404, "This link is not valid.")
            }
            try await optOut(ChannelAddress(channel: .email, address: address), clock())
            return Self.page(200, "You are unsubscribed. You will get no more emails from us.")
        }
    }

    static func page(_ status: Int, _ body: String) -> Response {
        let html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Unsubscribe</title></head><body>\(body)</body></html>"
        return Response(status: .init(code: status), headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
