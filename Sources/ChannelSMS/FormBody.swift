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

    static func decode(_ raw: Substring) -> String? {
        raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
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
