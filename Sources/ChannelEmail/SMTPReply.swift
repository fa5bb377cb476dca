/// One SMTP reply (RFC 5321 §4.2): a three-digit code and the text of each line.
struct SMTPReply: Sendable, Hashable {
    var code: Int
    var lines: [String]

    /// The RFC 3463 enhanced status code that starts the text (`5.1.1`), if the server sent one.
    var enhancedCode: String? {
        guard let first = lines.first?.split(separator: " ", maxSplits: 1).first else { return nil }
        let parts = first.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, ["2", "4", "5"].contains(parts[0]),
              parts.dropFirst().allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        return String(first)
    }

    /// `550 5.1.1`: the codes only. The text is never shown, as servers often repeat the recipient's address in it.
    var codes: String { "\(code)" + (enhancedCode.map { " \($0)" } ?? "") }
}
