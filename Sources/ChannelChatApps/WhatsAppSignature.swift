import Crypto
import Foundation

/// Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` on a WhatsApp Cloud API webhook,
/// over the body's bytes exactly as received (never a re-encoding of the parsed JSON), in constant time.
public struct WhatsAppSignature: Sendable {
    let secret: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: secret) }

    /// - Parameter appSecret: the Meta app's secret (`WHATSAPP_APP_SECRET`).
    public init(appSecret: String) { secret = Array(appSecret.utf8) }

    public func isValid(_ header: String?, body: [UInt8]) -> Bool {
        guard let header, header.hasPrefix("sha256="), let mac = Self.bytes(hex: header.dropFirst(7)), mac.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key)
    }

    /// The header for `body` (for tests and fakes).
    public func header(for body: [UInt8]) -> String {
        "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: key).map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
