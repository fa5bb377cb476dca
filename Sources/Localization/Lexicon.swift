import CityModel

/// A command a resident can send at any point of a conversation.
public enum CommandWord: String, Sendable, CaseIterable, Codable {
    case status, help, stop, start, cancel, restart, agent, language, menu, follow
    case yes, no, skip, done
}

/// The words that mean each command, per locale, read from the `commands:` section of `Locales/*.yaml`.
///
/// Words are stored folded (see `TextFolding`), so "Ayúda", "AYUDA" and "ayuda!" all match `ayuda`.
/// English STOP/START/HELP work in every locale, as carriers require.
public struct Lexicon: Sendable, Equatable {
    /// locale → command → folded phrases.
    public private(set) var words: [LanguageTag: [CommandWord: [String]]]
    /// Each locale's name in its own language ("Español", "中文"), for the language menu.
    public var names: [LanguageTag: String]

    public init(words: [LanguageTag: [CommandWord: [String]]] = [:], names: [LanguageTag: String] = [:]) {
        self.words = [:]
        self.names = names
        for (locale, table) in words {
            for (command, phrases) in table { add(phrases, for: command, in: locale) }
        }
    }

    public mutating func add(_ phrases: [String], for command: CommandWord, in locale: LanguageTag) {
        let folded = phrases.map(TextFolding.fold).filter { !$0.isEmpty }
        words[locale, default: [:]][command, default: []].append(contentsOf: folded)
    }

    /// Locales that define any command word.
    public var locales: [LanguageTag] { words.keys.sorted() }

    /// Which commands `folded` text is, exactly (the whole message), looking in `locale` first, then every
    /// other locale, since residents mix languages. Carrier words (STOP, START, HELP) in English always count.
    public func command(exactly folded: String, locale: LanguageTag) -> CommandWord? {
        for tag in searchOrder(locale) {
            guard let table = words[tag] else { continue }
            for command in CommandWord.allCases where table[command]?.contains(folded) == true {
                return command
            }
        }
        return nil
    }

    /// A command at the start of the text followed by an argument ("status 1234567", "language es").
    public func command(prefixOf folded: String, locale: LanguageTag, among commands: [CommandWord]) -> (CommandWord, String)? {
        for tag in searchOrder(locale) {
            guard let table = words[tag] else { continue }
            for command in commands {
                for phrase in table[command] ?? [] where folded.hasPrefix(phrase + " ") {
                    let rest = folded.dropFirst(phrase.count + 1).trimmingCharacters(in: .whitespaces)
                    return (command, rest)
                }
            }
        }
        return nil
    }

    /// The locales in which `folded` is a command word ("ayuda" → es; "no" → en, es).
    public func locales(saying folded: String) -> [LanguageTag] {
        words.keys.sorted().filter { tag in words[tag]?.values.contains { $0.contains(folded) } == true }
    }

    /// Whether `folded` is one of `command`'s words in any locale.
    public func matches(_ folded: String, _ command: CommandWord, locale: LanguageTag) -> Bool {
        searchOrder(locale).contains { words[$0]?[command]?.contains(folded) == true }
    }

    /// The first word for `command` in `locale` (used in messages: "Reply YES to send").
    public func display(_ command: CommandWord, locale: LanguageTag) -> String {
        for tag in locale.parents + [.english] {
            if let first = words[tag]?[command]?.first { return first.uppercased() }
        }
        return command.rawValue.uppercased()
    }

    private func searchOrder(_ locale: LanguageTag) -> [LanguageTag] {
        var order = locale.parents
        for tag in words.keys.sorted() where !order.contains(tag) { order.append(tag) }
        return order
    }
}
