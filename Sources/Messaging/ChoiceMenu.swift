import Foundation

/// The numbered choices in a bot message, as every locale writes them ("1. Smaller than a dinner plate", one per
/// line), so a channel with buttons (the web chat, WhatsApp, Telegram) can show them as buttons while the text
/// still works where buttons do not: the resident may always type the number.
///
/// ```swift
/// ChoiceMenu("About how big is it?\n1. Smaller than a dinner plate\n2. Bigger")
/// // prompt "About how big is it?", choices [("1", "Smaller than a dinner plate"), ("2", "Bigger")]
/// ```
public struct ChoiceMenu: Hashable, Sendable {
    public struct Choice: Hashable, Sendable {
        /// What the resident would type: the number.
        public var key: String
        public var label: String
        public init(key: String, label: String) {
            self.key = key
            self.label = label
        }
    }

    /// The text without the choice lines.
    public var prompt: String
    public var choices: [Choice]

    public init(_ text: String) {
        var prompt: [Substring] = []
        var choices: [Choice] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let choice = Self.choice(line) { choices.append(choice) } else { prompt.append(line) }
        }
        self.prompt = prompt.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        self.choices = choices
    }

    /// "12. Label" → ("12", "Label"); nil for any other line.
    static func choice(_ line: Substring) -> Choice? {
        let parts = line.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
              parts[1].hasPrefix(" ") else { return nil }
        let label = parts[1].trimmingCharacters(in: .whitespaces)
        return label.isEmpty ? nil : Choice(key: String(parts[0]), label: label)
    }

    /// The key of the choice a tapped button sent back: its label, or "N. label" as a keyboard shows it.
    public func key(answering text: String) -> String? {
        let answer = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return choices.first { $0.label == answer || "\($0.key). \($0.label)" == answer }?.key
    }
}
