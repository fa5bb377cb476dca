import CityModel
import Foundation
import Localization

/// The resident's language: detected from what they write, chosen with LANGUAGE (in any of its
/// translations) or from the menu, kept on the session (and the contact) for every later message.
extension Engine {
    /// What the language of a message means for this turn.
    enum LanguageDecision { case keep, ask }

    /// A first message that is a command in only one city language ("AYUDA", "停止", "关注 1000002") sets it.
    func adoptCommandLanguage(_ turn: inout TurnBuilder, folded: String) {
        guard turn.session.locale == nil else { return }
        var phrase: String?
        if lexicon.command(exactly: folded, marked: turn.marked, locale: turn.locale) != nil {
            phrase = folded
        } else if lexicon.command(prefixOf: folded, marked: turn.marked, locale: turn.locale, among: [.status, .language, .follow, .alerts]) != nil {
            // The command words before the argument: the longest prefix that is a command word somewhere.
            let words = folded.split(separator: " ")
            phrase = (1..<max(words.count, 1)).reversed().map { words.prefix($0).joined(separator: " ") }
                .first { !lexicon.locales(saying: $0).isEmpty }
        }
        guard let phrase else { return }
        let saying = lexicon.locales(saying: phrase).filter { tag in city.locales.contains(tag) }
        if saying.count == 1, let locale = saying.first, locale != city.defaultLocale { adopt(&turn, locale) }
    }

    /// Whether the language detector places `text` in one of the city's languages: the learned model doubts a rule's
    /// "call 911 now" only then (`Triage.assess`).
    func isInCityLanguage(_ text: String) -> Bool {
        detector.detect(text).language.flatMap { LanguageDetector.locale(for: $0, among: city.locales) } != nil
    }

    /// Works out the language of `text` and adopts it when the evidence is clear.
    ///
    /// A first message clearly in one of the city's languages sets it, as does one torn between two languages the
    /// city answers in one locale (Cantonese or Mandarin, where the city has Chinese only). A first message in a
    /// language the city does not offer, or one that leans to another city language without saying so clearly,
    /// gets the language menu (when the city has more than one). Later, only a message that is clearly and strongly in another
    /// city language switches, so "ok" or "Oak St" never does.
    func noticeLanguage(_ turn: inout TurnBuilder, text: String) -> LanguageDecision {
        guard !text.isEmpty else { return .keep }
        // One plain ASCII word ("1", "skip", "yes", "monday") can never reach `switchScore` (a word weighs at most
        // 3, times 1.5 for a city language), so a resident whose language is known keeps it without a detection.
        if turn.session.locale != nil, turn.folded(text).count <= 1, text.utf8.allSatisfy({ $0 < 0x80 }) { return .keep }
        let detection = detector.detect(text)
        guard let language = detection.language else { return .keep }
        let detected = LanguageDetector.locale(for: language, among: city.locales)
        guard let current = turn.session.locale else {
            if detection.isConfident || LanguageDetector.sameLocale(detection, among: city.locales), let detected {
                adopt(&turn, detected)
                return .keep
            }
            if let detected {
                // A lean, not a finding: answer in that language this time, and ask unless it is the default.
                turn.locale = detected
                return detected == city.defaultLocale || !canAsk(turn) ? .keep : .ask
            }
            return canAsk(turn) ? .ask : .keep
        }
        let runnerUp = detection.runnerUp.flatMap { LanguageDetector.locale(for: $0, among: city.locales) }
        if detection.isConfident, detection.score >= Self.switchScore, let detected, detected != current,
           runnerUp != current || detection.lead >= 3 {
            adopt(&turn, detected)
        }
        return .keep
    }

    /// Evidence a message needs to switch a resident's known language (several clear words, not one).
    static let switchScore = 6.0

    private func canAsk(_ turn: TurnBuilder) -> Bool {
        city.locales.count > 1 && turn.session.state == .idle && turn.session.draft == nil
    }

    func adopt(_ turn: inout TurnBuilder, _ locale: LanguageTag) {
        turn.locale = locale
        guard turn.session.locale != locale else { return }
        turn.session.locale = locale
        turn.events.append(.languageChanged(locale))
    }

    /// "Which language?" with each city language in its own name.
    func askLanguage(_ turn: inout TurnBuilder, pending: String?) {
        let resume: DialogState
        if case .choosingLanguage(_, let previous) = turn.session.state { resume = previous } else { resume = turn.session.state }
        turn.session.state = .choosingLanguage(pending: pending, resume: resume)
        sayLanguageMenu(&turn)
    }

    func sayLanguageMenu(_ turn: inout TurnBuilder) {
        let rows: [[String: MessageArgument]] = city.locales.enumerated().map {
            ["n": .number($0.offset + 1), "name": .text(lexicon.names[$0.element] ?? $0.element.code)]
        }
        turn.say("language.choose", ["choices": .list(rows)])
    }

    /// The answer to the language menu: a number, a language's name or code, or a message clearly in one of
    /// the city's languages. Anything else keeps the default language and goes on, so nobody is stuck here.
    func readLanguageChoice(_ turn: inout TurnBuilder, text: String, folded: String, pending: String?, resume: DialogState,
                            context: TurnContext) {
        turn.session.state = resume
        var chosen = answers.choice(folded, count: city.locales.count, locale: turn.locale).map { city.locales[$0 - 1] }
            ?? locale(named: folded)
        var rest = pending
        if chosen == nil {
            // Not a menu answer: a new message. Its language decides if it can; it joins the pending one.
            rest = [pending, text].compactMap { $0 }.joined(separator: " ")
            let choice = detector.choose(text, among: city.locales)
            if case .locale(let locale) = choice { chosen = locale }
        }
        if let chosen {
            adopt(&turn, chosen)
            if rest == pending { turn.say("language.changed") }
        }
        if let rest, !rest.isEmpty {
            turn.marked = TextFolding.marked(rest)
            continueDialog(&turn, text: rest, folded: TextFolding.fold(rest), media: [], context: context)
            turn.session.welcomed = true
        } else {
            reprompt(&turn)
        }
    }

    /// LANGUAGE with an argument ("LANGUAGE es", "idioma español") or alone (the menu).
    func changeLanguage(_ turn: inout TurnBuilder, argument: String) {
        guard !argument.isEmpty else {
            askLanguage(&turn, pending: nil)
            return
        }
        if let match = locale(named: argument) {
            adopt(&turn, match)
            turn.say("language.changed")
            reprompt(&turn)
        } else {
            askLanguage(&turn, pending: nil)
        }
    }

    /// The city locale a folded name or code stands for: "es", "es-mx", "espanol", "spanish", "中 文".
    func locale(named folded: String) -> LanguageTag? {
        let compact = folded.replacingOccurrences(of: " ", with: "")
        let wanted = LanguageTag(folded.replacingOccurrences(of: " ", with: "-"))
        if let match = city.locales.first(where: { $0 == wanted }) ?? city.locales.first(where: { $0.language == wanted.language && wanted.code.count <= 7 && wanted.language.count <= 3 }) {
            return match
        }
        for locale in city.locales {
            let names = [lexicon.names[locale]].compactMap { $0 } + (LanguageNames.aliases[locale.language] ?? [])
            if names.contains(where: { TextFolding.fold($0).replacingOccurrences(of: " ", with: "") == compact }) { return locale }
        }
        return nil
    }
}

extension City {
    /// The catalog's own words per language (service names and keywords, FAQ questions; not the emergency
    /// phrases, whose long lists hold loanwords and names from other languages):
    /// evidence for the language detector that "bache" is Spanish in this city.
    public var wordsByLanguage: [String: [String]] {
        var words: [String: [String]] = [:]
        func add(_ list: LocalizedList) {
            for (tag, entries) in list.values { words[tag.language, default: []].append(contentsOf: entries) }
        }
        for service in services {
            add(service.keywords)
            for (tag, name) in service.name.values { words[tag.language, default: []].append(name) }
        }
        for entry in information { add(entry.keywords) }

        return words
    }
}
