import Crypto
import Foundation

/// Twilio's request signature (`X-Twilio-Signature`): base64 of HMAC-SHA1, keyed with the auth token, over the
/// full URL Twilio called followed by every POST parameter's name and value, sorted by name.
///
/// Twilio does not always sign the URL exactly as configured: with and without the default port (`:443`,
/// `:80`) both occur, so both are accepted. Comparison is constant-time.
public struct TwilioSignature: Sendable {
    let authToken: String

    public init(authToken: String) { self.authToken = authToken }

    /// The signature Twilio sends for `url` and `parameters`.
    public func sign(url: String, parameters: [(String, String)]) -> String {
        var payload = url
        for (name, value) in parameters.sorted(by: { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }) {
            payload += name + value
        }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(payload.utf8), using: SymmetricKey(data: Data(authToken.utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Whether `signature` is valid for `url` (or its twin with/without the default port) and `parameters`.
    public func isValid(_ signature: String, url: String, parameters: [(String, String)]) -> Bool {
        guard let given = Data(base64Encoded: signature) else { return false }
        return Self.urlVariants(url).contains { variant in
            guard let expected = Data(base64Encoded: sign(url: variant, parameters: parameters)) else { return false }
            return Self.constantTimeEqual(given, expected)
        }
    }

    /// The URL as given, plus the same URL with the scheme's default port added or removed.
    static func urlVariants(_ url: String) -> [String] {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else { return [url] }
        let defaultPort = scheme == "https" ? 443 : scheme == "http" ? 80 : nil
        guard let defaultPort else { return [url] }
        if components.port == nil {
            components.port = defaultPort
        } else if components.port == defaultPort {
            components.port = nil
        } else {
            return [url]
        }
        return [url, components.string ?? url]
    }

    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
