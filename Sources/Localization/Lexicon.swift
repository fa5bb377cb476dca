import CityModel

/// A command a resident can send at any point of a conversation.
public enum CommandWord: String, Sendable, CaseIterable, Codable {
    case status, help, stop, start, cancel, restart, agent, language, menu, follow
    case yes, no, skip, done
    /// `ALERTS <address>`: area notices for that address; `ALERTS OFF` (`alertsOff`): no more of them.
    case alerts
    case alertsOff = "alerts_off"
}

/// The words that mean each command, per locale, read from the `commands:` section of `Locales/*.yaml`, and the
/// phrases that ask for a person (`person:`), matched anywhere in a message.
///
/// Words are stored folded (see `TextFolding`), so "Ayúda", "AYUDA" and "ayuda!" all match `ayuda`. In a language
/// whose marks tell words apart (Vietnamese, `TextFolding.marksMatter`) a word typed with marks must carry the
/// command's marks: "DỪNG" stops, "dùng" (use) and "đúng" (correct: YES) do not; typed without marks ("dung") it
/// counts only when it can mean one command of the language. English STOP/START/HELP work in every locale, as
/// carriers require. Lookups are dictionary reads, built once when the locales are loaded.
public struct Lexicon: Sendable, Equatable {
    /// locale → command → folded phrases.
    public private(set) var words: [LanguageTag: [CommandWord: [String]]]
    /// locale → command → phrases lower-cased with their marks (as written in the locale file).
    public private(set) var markedWords: [LanguageTag: [CommandWord: [String]]]
    /// Each locale's name in its own language ("Español", "中文"), for the language menu.
    public var names: [LanguageTag: String]
    /// locale → folded phrase → the commands it may be, with the marked words of each spelling.
    private var index: [LanguageTag: [String: [Spelling]]] = [:]
    /// Phrases that ask for a person, in any locale ("can I talk to someone", "quiero hablar con una persona").
    private var personRequests = PhraseIndex(stemsArabic: true)
    /// The locale of each person-request phrase (the phrase's value).
    private var personRequestLocales: [LanguageTag] = []
    /// Every locale with command words, sorted (the order other locales are searched in).
    private var sortedLocales: [LanguageTag] = []
    /// The first word of every command phrase: a text starting with another word is no "STATUS 123".
    private var firstWords: Set<Substring> = []

    struct Spelling: Sendable, Equatable {
        var command: CommandWord
        var marked: [String]
    }

    public init(words: [LanguageTag: [CommandWord: [String]]] = [:], names: [LanguageTag: String] = [:]) {
        self.words = [:]
        self.markedWords = [:]
        self.names = names
        for (locale, table) in words.sorted(by: { $0.key < $1.key }) {
            for command in CommandWord.allCases {
                if let phrases = table[command] { add(phrases, for: command, in: locale) }
            }
        }
    }

    public static func == (a: Lexicon, b: Lexicon) -> Bool {
        a.words == b.words && a.markedWords == b.markedWords && a.names == b.names
    }

    public mutating func add(_ phrases: [String], for command: CommandWord, in locale: LanguageTag) {
        for phrase in phrases {
            let text = FoldedText(phrase)
            guard !text.isEmpty else { continue }
            words[locale, default: [:]][command, default: []].append(text.folded)
            markedWords[locale, default: [:]][command, default: []].append(text.markedText)
            index[locale, default: [:]][text.folded, default: []].append(Spelling(command: command, marked: text.markedWords))
            firstWords.insert(Substring(text.words[0]))
        }
        if !sortedLocales.contains(locale) { sortedLocales = (sortedLocales + [locale]).sorted() }
    }

    /// Adds phrases that ask for a person; they count anywhere in a message ("hi, can I talk to someone?").
    public mutating func addPersonRequests(_ phrases: [String], in locale: LanguageTag) {
        personRequestLocales.append(locale)
        for phrase in phrases {
            personRequests.add(phrase, value: personRequestLocales.count - 1, marksMatter: TextFolding.marksMatter(in: locale))
        }
    }

    /// Locales that define any command word.
    public var locales: [LanguageTag] { words.keys.sorted() }

    /// Which commands `folded` text is, exactly (the whole message), looking in `locale` first, then every
    /// other locale, since residents mix languages. Carrier words (STOP, START, HELP) in English always count.
    /// `marked` is the message with its marks (`TextFolding.marked`), nil when it had none.
    public func command(exactly folded: String, marked: String? = nil, locale: LanguageTag) -> CommandWord? {
        let typed = marked.map { $0.split(separator: " ").map(String.init) }
        var found: CommandWord?
        forEachLocale(startingWith: locale) { tag in
            found = lookup(folded, typed: typed, in: tag)
            return found != nil
        }
        return found
    }

    /// A command at the start of the text followed by an argument ("status 1234567", "language es").
    public func command(prefixOf folded: String, marked: String? = nil, locale: LanguageTag,
                        among commands: [CommandWord]) -> (CommandWord, String)? {
        let typed = marked.map { $0.split(separator: " ").map(String.init) }
        let words = folded.split(separator: " ")
        guard words.count >= 2, firstWords.contains(words[0]) else { return nil }
        // The phrases the text may start with, longest first: "trạng thái 1234567" before "trạng".
        let prefixes = (1...min(words.count - 1, 4)).reversed().map { ($0, words.prefix($0).joined(separator: " ")) }
        var found: (CommandWord, String)?
        forEachLocale(startingWith: locale) { tag in
            for (length, phrase) in prefixes {
                guard let command = lookup(phrase, typed: typed.map { Array($0.prefix(length)) }, in: tag),
                      commands.contains(command) else { continue }
                found = (command, words.dropFirst(length).joined(separator: " "))
                return true
            }
            return false
        }
        return found
    }

    /// The locales in which `folded` is a command word ("ayuda" → es; "no" → en, es).
    public func locales(saying folded: String) -> [LanguageTag] {
        sortedLocales.filter { index[$0]?[folded] != nil }
    }

    /// Whether `folded` (with `marked`, its marks) is one of `command`'s words in any locale.
    public func matches(_ folded: String, _ command: CommandWord, locale: LanguageTag, marked: String? = nil) -> Bool {
        let typed = marked.map { $0.split(separator: " ").map(String.init) }
        var found = false
        forEachLocale(startingWith: locale) { tag in
            found = lookup(folded, typed: typed, in: tag) == command
            return found
        }
        return found
    }

    /// Whether `text` asks for a person anywhere in it, and in which language.
    public func personRequest(in text: FoldedText) -> LanguageTag? {
        personRequests.matches(in: text).first.map { personRequestLocales[$0.value] }
    }

    /// The first word for `command` in `locale` (used in messages: "Reply YES to send").
    public func display(_ command: CommandWord, locale: LanguageTag) -> String {
        for tag in locale.parents + [.english] {
            if let first = markedWords[tag]?[command]?.first { return first.uppercased() }
        }
        return command.rawValue.uppercased()
    }

    /// The command `folded` is in locale `tag`. Where marks matter, every word typed with marks must be spelled
    /// with the same marks; when the spellings that remain mean different commands, it is none of them.
    private func lookup(_ folded: String, typed: [String]?, in tag: LanguageTag) -> CommandWord? {
        guard let spellings = index[tag]?[folded] else { return nil }
        guard TextFolding.marksMatter(in: tag) else { return spellings[0].command }
        let foldedWords = typed == nil ? nil : folded.split(separator: " ").map(String.init)
        let fitting = spellings.filter { spelling in
            guard let typed, let foldedWords, typed.count == spelling.marked.count, foldedWords.count == typed.count else {
                return true // typed without marks: every spelling fits
            }
            return typed.indices.allSatisfy { typed[$0] == foldedWords[$0] || typed[$0] == spelling.marked[$0] }
        }
        guard let first = fitting.first, fitting.allSatisfy({ $0.command == first.command }) else { return nil }
        return first.command
    }

    /// Calls `body` with `locale` and its parents, then every other locale, until it returns true.
    private func forEachLocale(startingWith locale: LanguageTag, _ body: (LanguageTag) -> Bool) {
        let first = locale.parents
        for tag in first where index[tag] != nil {
            if body(tag) { return }
        }
        for tag in sortedLocales where !first.contains(tag) {
            if body(tag) { return }
        }
    }
}
