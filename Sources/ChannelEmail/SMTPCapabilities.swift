/// What the server said it can do in its `EHLO` reply (RFC 5321 §4.1.1.1).
struct SMTPCapabilities: Sendable, Equatable {
    var startTLS = false
    /// Upper-cased SASL mechanisms (`PLAIN`, `LOGIN`, `XOAUTH2` …).
    var authMechanisms: Set<String> = []
    /// `SIZE` (RFC 1870): nil when not offered, 0 when offered without a fixed limit.
    var size: Int?
    var eightBitMIME = false
    var smtpUTF8 = false

    init() {}

    init(ehlo reply: SMTPReply) {
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ").map { $0.uppercased() }
            guard let keyword = words.first else { continue }
            switch keyword {
            case "STARTTLS": startTLS = true
            case "SIZE": size = words.count > 1 ? Int(words[1]) ?? 0 : 0
            case "8BITMIME": eightBitMIME = true
            case "SMTPUTF8": smtpUTF8 = true
            case "AUTH": authMechanisms.formUnion(words.dropFirst())
            default:
                // Old servers write `AUTH=LOGIN PLAIN`.
                if keyword.hasPrefix("AUTH=") { authMechanisms.formUnion([String(keyword.dropFirst(5))] + words.dropFirst()) }
            }
        }
    }
}
