/// An email mailbox: an address and an optional display name (`Springfield 311 <311@springfield.example>`).
///
/// Validation is deliberately plain: one `@`, a dot-atom local part and domain, no spaces, angle brackets, quotes or
/// control characters — enough that the address can never break a header or an SMTP command line. Non-ASCII
/// (internationalized) addresses are accepted; sending to one needs a server that offers SMTPUTF8.
///
/// `description` masks the address to its last two characters (`email:…rg`), so an address printed by accident
/// reveals nothing about a resident; `address` and `headerValue` are the real thing.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public var displayName: String?
    public var address: String

    /// Nil when `address` is not a plain `local@domain` address.
    public init?(address: String, displayName: String? = nil) {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        guard Self.isValid(trimmed) else { return nil }
        self.address = trimmed
        let name = displayName?.trimmingCharacters(in: .whitespaces)
        self.displayName = (name?.isEmpty ?? true) ? nil : name
    }

    /// Parses `Name <local@domain>`, `"Name, Inc." <local@domain>`, `<local@domain>` or a bare `local@domain`.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else {
            self.init(address: trimmed)
            return
        }
        let inner = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
        guard !name.contains(where: { $0.isNewline }) else { return nil }
        self.init(address: inner, displayName: name)
    }

    /// The part after the last `@`.
    public var domain: String { String(address[address.index(after: address.lastIndex(of: "@")!)...]) }

    /// True when the address itself is ASCII (otherwise SMTPUTF8 is needed to send to or from it).
    public var isASCII: Bool { address.unicodeScalars.allSatisfy(\.isASCII) }

    /// The address in a header: `Springfield 311 <311@springfield.example>`, with a non-ASCII name as RFC 2047
    /// encoded-words and a name with specials as a quoted string.
    public var headerValue: String {
        guard let name = displayName else { return address }
        return "\(MIMEEncoding.phrase(name)) <\(address)>"
    }

    public var description: String { "email:…\(address.suffix(2))" }

    static func isValid(_ address: String) -> Bool {
        guard address.utf8.count <= 254, let at = address.lastIndex(of: "@") else { return false }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard (1...64).contains(local.utf8.count), !domain.isEmpty else { return false }
        return isDotAtom(local) && isDotAtom(domain)
    }

    /// RFC 5322 dot-atom: atext runs separated by single dots; non-ASCII letters allowed (RFC 6532).
    private static func isDotAtom(_ text: Substring) -> Bool {
        guard !text.hasPrefix("."), !text.hasSuffix("."), !text.contains("..") else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            if !scalar.isASCII { return !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control }
            return scalar == "." || MIMEEncoding.isAtext(UInt8(scalar.value))
        }
    }
}
