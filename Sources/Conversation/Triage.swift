import CityModel
import Localization

/// Spots messages that describe an emergency, so the engine answers "call 911" (and 988 for someone in crisis)
/// at once and opens no ticket.
///
/// It reads concepts, not a flat phrase list (see `EmergencyTriage`): the city's phrases for every concept and
/// every language are compiled once into one `PhraseIndex`; a message is matched once, `unless` phrases are
/// blanked, and each sentence's concepts are checked against the triggers' rules. "A man collapsed on the
/// sidewalk and isn't breathing" holds `person` + `collapse` (and `not-breathing` alone); "the sidewalk
/// collapsed" holds only `collapse`, which needs a person.
public struct Triage: Sendable {
    /// What the triage found.
    public struct Finding: Sendable, Hashable {
        public var code: String
        public var answer: EmergencyTrigger.Answer
        /// The language whose phrases matched (most of them), for answering a resident whose language is not
        /// known yet.
        public var locale: LanguageTag?

        /// The city locale that answers a resident whose language is not known yet: the one of the words that raised
        /// the alarm, when the city speaks it.
        public func answerLocale(among locales: [LanguageTag]) -> LanguageTag? {
            locale.flatMap { LanguageDetector.locale(for: $0.language, among: locales) }
        }
    }

    enum Entry: Sendable {
        case concept(Int, locale: Int)
        case unless
    }

    struct Rule: Sendable {
        var required: [Int]
        /// Concepts that silence the rule near its words (`!name`, within the trigger's window).
        var excluded: [Int]
        /// Concepts that silence the rule from anywhere in the sentence (`!!name`).
        var excludedAnywhere: [Int] = []
        /// Those of `required` that the sentence before may hold too (`^name`).
        var carried: [Int]
    }

    struct Trigger: Sendable {
        var code: String
        var answer: EmergencyTrigger.Answer
        var rules: [Rule]
        var window: Int?
    }

    /// Where each concept was found in one sentence: word ranges, by concept.
    typealias Spans = [[Range<Int>]]

    let conceptNames: [String]
    let index: PhraseIndex
    /// What each phrase of `index` stands for (its value is a position here).
    let entries: [Entry]
    let triggers: [Trigger]
    let locales: [LanguageTag]
    let conceptCount: Int
    /// The learned caution, read when no trigger holds.
    let model: DangerModel?
    /// The reserved concept `also` ("also", "además", "另外", "với lại", "وكمان"): a new matter in the same sentence.
    /// A rule's excluded concept does not reach across it ("the light has been out since yesterday, also a wire is
    /// down and sparking": "since yesterday" is the light's).
    let also: Int?

    public init(city: City) {
        let triage = city.emergencies
        let names = Set(triage.concepts.keys).union(triage.triggers.flatMap { $0.rules.flatMap { $0.map(\.concept) } }).sorted()
        let ids = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($0.element, $0.offset) })
        var locales: [LanguageTag] = []
        func localeID(_ tag: LanguageTag) -> Int {
            if let id = locales.firstIndex(of: tag) { return id }
            locales.append(tag)
            return locales.count - 1
        }
        var index = PhraseIndex(stemsArabic: true)
        var entries: [Entry] = [.unless]
        for name in names {
            guard let list = triage.concepts[name] else { continue }
            for tag in list.values.keys.sorted() {
                entries.append(.concept(ids[name]!, locale: localeID(tag)))
                for phrase in list.values[tag] ?? [] {
                    index.add(phrase, value: entries.count - 1, marksMatter: TextFolding.marksMatter(in: tag))
                }
            }
        }
        for tag in triage.unless.values.keys.sorted() {
            for phrase in triage.unless.values[tag] ?? [] {
                index.add(phrase, value: 0, marksMatter: TextFolding.marksMatter(in: tag))
            }
        }
        self.index = index
        self.entries = entries
        conceptNames = names
        self.locales = locales
        conceptCount = names.count
        model = triage.model
        also = ids[EmergencyTriage.alsoConcept]
        // Emergencies and crises first, then cautions, each in the city's order.
        let ordered = triage.triggers.filter { $0.answer != .caution } + triage.triggers.filter { $0.answer == .caution }
        triggers = ordered.map { trigger in
            Trigger(code: trigger.code, answer: trigger.answer, rules: trigger.rules.map { terms in
                Rule(required: terms.filter { !$0.negated }.map { ids[$0.concept]! },
                     excluded: terms.filter { $0.negated && !$0.sentenceWide }.map { ids[$0.concept]! },
                     excludedAnywhere: terms.filter(\.sentenceWide).map { ids[$0.concept]! },
                     carried: terms.filter(\.carried).map { ids[$0.concept]! })
            }, window: trigger.window)
        }
    }

    /// The code of the first emergency or crisis trigger `text` matches, or nil (cautions are not emergencies).
    public func emergency(in text: String) -> String? {
        assess(FoldedText(text)).flatMap { $0.answer == .caution ? nil : $0.code }
    }

    /// What `assess(words)` finds; else, when the city's learned model scores `text` (the message as written) at
    /// or above its threshold, a caution under the model's code. An emergency (never a crisis) the model doubts
    /// (`DangerModel.doubtBelow`, except the triggers in `neverDoubted`) is answered with the caution, under the
    /// rule's code — but only when `placed` says the message is in one of the city's languages (asked only then):
    /// the model has read nothing else, and its low score for text it cannot place ("fi 7ari2 bel binaye hala2",
    /// Arabic typed in Latin letters) is ignorance, not certainty.
    public func assess(_ words: FoldedText, text: String, placed: () -> Bool = { true }) -> Finding? {
        if var finding = assess(words) {
            if finding.answer == .emergency, let model, model.doubts(text, trigger: finding.code), placed() {
                finding.answer = .caution
            }
            return finding
        }
        guard let model, model.flags(text) else { return nil }
        return Finding(code: model.code, answer: .caution, locale: nil)
    }

    /// The model's score for `text` (0…1), or nil without a model or for a message too short to score.
    public func dangerScore(_ text: String) -> Double? { model?.score(text) }

    /// The first emergency or crisis trigger (in the city's order) whose rule holds in some sentence of `text`;
    /// else the first caution trigger that does.
    public func assess(_ text: FoldedText) -> Finding? {
        guard !text.isEmpty, !triggers.isEmpty else { return nil }
        let matches = index.matches(in: text)
        guard !matches.isEmpty else { return nil }
        return decide(concepts(text, matches), units: Self.units(text))
    }

    /// Where each word starts, in half words: a Han character or kana counts half a word (Chinese words are mostly
    /// two characters, each its own word here), anything else a whole one, so a window of 8 words spans about 8
    /// words of Chinese too, not 8 characters. One more entry than `text` has words.
    static func units(_ text: FoldedText) -> [Int] {
        var units = [0]
        units.reserveCapacity(text.count + 1)
        for word in text.words {
            let half = word.unicodeScalars.first.map(TextFolding.isIdeograph) ?? false
            units.append(units[units.count - 1] + (half ? 1 : 2))
        }
        return units
    }

    /// Why `text` is or is not an emergency: the concepts each sentence holds ("person collapse"), for a city
    /// tuning its phrases (`cityline classify --explain`).
    public func explain(_ text: FoldedText) -> [String] {
        guard !text.isEmpty else { return [] }
        let (present, _) = concepts(text, index.matches(in: text))
        return present.map { spans in conceptNames.indices.filter { !spans[$0].isEmpty }.map { conceptNames[$0] }.joined(separator: " ") }
    }

    /// A concept phrase that cannot match even its own words, in the language it was written for: an `unless`
    /// phrase (of any language: they are all blanked) covers it whole, being the same words or folding to them,
    /// so it never counts. `cityline check` names each one; removing it changes nothing a resident sees.
    public struct DeadPhrase: Sendable, Hashable {
        public var locale: LanguageTag
        public var concept: String
        public var phrase: String

        public init(locale: LanguageTag, concept: String, phrase: String) {
            self.locale = locale
            self.concept = concept
            self.phrase = phrase
        }
    }

    /// Every concept phrase of `emergencies` (the configuration this triage was built from) that `DeadPhrase`
    /// describes, by concept, language and the order written.
    public func deadPhrases(of emergencies: EmergencyTriage) -> [DeadPhrase] {
        var dead: [DeadPhrase] = []
        for (id, name) in conceptNames.enumerated() {
            guard let list = emergencies.concepts[name] else { continue }
            for tag in list.values.keys.sorted() {
                for phrase in list.values[tag] ?? [] {
                    let text = FoldedText(PhraseIndex.plainText(of: phrase))
                    guard !text.isEmpty else { continue }
                    let (present, _) = concepts(text, index.matches(in: text))
                    if !present.contains(where: { !$0[id].isEmpty }) { dead.append(DeadPhrase(locale: tag, concept: name, phrase: phrase)) }
                }
            }
        }
        return dead
    }

    /// The concepts present in each sentence (after `unless` phrases are blanked), and votes per language.
    private func concepts(_ text: FoldedText, _ matches: [PhraseIndex.Match]) -> (present: [Spans], votes: [Int]) {
        // The words `unless` phrases cover. A concept phrase that holds an `unless` phrase inside it and is longer
        // still counts: "喝了杀虫剂" (drank pesticide) is written to be read whole, though "杀虫" (pest control) alone
        // is blanked; so is Vietnamese typed without marks, "vẫn còn kẹt" (still stuck) over the Spanish "van con".
        var blanks: [Range<Int>] = []
        for match in matches {
            if case .unless = entries[match.value] { blanks.append(match.start..<match.end) }
        }
        // Concepts per sentence, and which language said them.
        let sentenceCount = (text.sentences.last ?? 0) + 1
        var present = [Spans](repeating: Spans(repeating: [], count: conceptCount), count: sentenceCount)
        var localeVotes = [Int](repeating: 0, count: locales.count)
        for match in matches {
            guard case .concept(let concept, let locale) = entries[match.value] else { continue }
            let sentence = text.sentences[match.start]
            guard text.sentences[match.end - 1] == sentence else { continue }
            let words = match.start..<match.end
            // Blanked unless every blank it touches lies inside it, and it is longer.
            guard blanks.allSatisfy({ !$0.overlaps(words) || ($0.clamped(to: words) == $0 && $0.count < words.count) })
            else { continue }
            present[sentence][concept].append(words)
            // A longer phrase is better evidence of its language: "yao dou mei fan ying" (pinyin, five words)
            // outweighs "chu" and "me", which Vietnamese typed without marks also has.
            localeVotes[locale] += words.count
        }
        return (present, localeVotes)
    }

    /// Whether one span of each list can be picked so that all lie within `window` words (first word of the
    /// first to last word of the last) and `accept` takes the words they cover. `units` measures the words (see
    /// `units(_:)`; without it every word counts one).
    static func near(_ lists: [[Range<Int>]], within window: Int, units: [Int]? = nil,
                     where accept: (Int, Int) -> Bool = { _, _ in true }) -> Bool {
        func width(_ low: Int, _ high: Int) -> Int { units.map { $0[high] - $0[low] } ?? 2 * (high - low) }
        func search(_ index: Int, _ low: Int, _ high: Int) -> Bool {
            guard index < lists.count else { return accept(low, high) }
            for span in lists[index] {
                let newLow = min(low, span.lowerBound), newHigh = max(high, span.upperBound)
                if width(newLow, newHigh) <= 2 * window, search(index + 1, newLow, newHigh) { return true }
            }
            return false
        }
        guard let first = lists.first else { return accept(0, 0) }
        return first.contains { search(1, $0.lowerBound, $0.upperBound) }
    }

    /// Whether an `also` phrase lies between `excluded` and the rule's words `low..<high` (word indices).
    static func separated(_ excluded: Range<Int>, from low: Int, _ high: Int, by also: [Range<Int>]) -> Bool {
        also.contains { marker in
            (marker.lowerBound >= excluded.upperBound && marker.upperBound <= low)
                || (marker.lowerBound >= high && marker.upperBound <= excluded.lowerBound)
        }
    }

    /// The first trigger whose rule holds in one of the sentences.
    private func decide(_ found: (present: [Spans], votes: [Int]), units: [Int]) -> Finding? {
        let (present, localeVotes) = found
        for trigger in triggers {
            for (sentence, here) in present.enumerated() {
                let holds = trigger.rules.contains { rule in
                    // A rule with a `^` concept reads the sentence before as well: that concept's words there, and its
                    // excluded concepts there too ("Last year our CO detector went off." does not lend its detector).
                    var spans = here
                    if sentence > 0, !rule.carried.isEmpty {
                        let before = present[sentence - 1]
                        for concept in rule.carried + rule.excluded + rule.excludedAnywhere {
                            spans[concept] = before[concept] + here[concept]
                        }
                    }
                    guard rule.required.allSatisfy({ !spans[$0].isEmpty }) else { return false }
                    let markers = also.map { spans[$0] } ?? []
                    // Whether one of `concepts` is anywhere in the sentence and no `also` parts it from the rule's words.
                    func silenced(by concepts: [Int], _ low: Int, _ high: Int) -> Bool {
                        concepts.contains { spans[$0].contains { !Self.separated($0, from: low, high, by: markers) } }
                    }
                    guard let window = trigger.window else {
                        // No window: every excluded concept counts anywhere in the sentence, `!name` as `!!name`.
                        let needed = rule.required.flatMap { spans[$0] }
                        let low = needed.map(\.lowerBound).min() ?? 0, high = needed.map(\.upperBound).max() ?? 0
                        return !silenced(by: rule.excluded + rule.excludedAnywhere, low, high)
                    }
                    return Self.near(rule.required.map { spans[$0] }, within: window, units: units) { low, high in
                        // An excluded concept counts only near the rule's words ("last year" three sentences'
                        // worth of words away does not silence "a man collapsed").
                        !rule.excluded.contains { spans[$0].contains { excluded in
                            units[excluded.upperBound] > units[low] - 2 * window && units[excluded.lowerBound] < units[high] + 2 * window
                                && !Self.separated(excluded, from: low, high, by: markers)
                        } } && !silenced(by: rule.excludedAnywhere, low, high)
                    }
                }
                if holds {
                    let best = localeVotes.indices.max { localeVotes[$0] < localeVotes[$1] }
                    return Finding(code: trigger.code, answer: trigger.answer, locale: best.map { locales[$0] })
                }
            }
        }
        return nil
    }
}
