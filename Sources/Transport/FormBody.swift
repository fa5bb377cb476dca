import Foundation

/// An `application/x-www-form-urlencoded` body, decoded strictly: invalid percent escapes or bytes that are not
/// UTF-8 are an error, never silently replaced.
public struct FormBody: Sendable {
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parameters in the order received (names may repeat).
    public let parameters: [(String, String)]

    public init(_ body: [UInt8]) throws {
        guard let text = String(validating: body, as: UTF8.self) else { throw Malformed(description: "the body is not valid UTF-8") }
        var parameters: [(String, String)] = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { throw Malformed(description: "malformed parameter name") }
            guard let value = parts.count > 1 ? Self.decode(parts[1]) : "" else {
                throw Malformed(description: "parameter '\(name)' is not valid percent-encoded UTF-8")
            }
            parameters.append((name, value))
        }
        self.parameters = parameters
    }

    public subscript(name: String) -> String? { parameters.first { $0.0 == name }?.1 }

    /// `+` is a space; `%XX` are bytes, which together must be UTF-8.
    static func decode(_ raw: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Encodes parameters for a request body.
    public static func encode(_ parameters: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return parameters.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
    }
}
