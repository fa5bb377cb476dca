import CityModel
import Foundation

/// Works out which language a short message is written in, offline, from the text alone.
///
/// Three kinds of evidence, in order of strength:
/// 1. **Script.** Han without kana is Chinese (with Cantonese-only characters, Cantonese), kana is Japanese,
///    Hangul Korean, Arabic script Arabic unless letters only Persian, Urdu, Pashto or Kurdish use appear;
///    Cyrillic, Greek, Hebrew, Thai, Devanagari and the others name their languages directly.
/// 2. **Letters** that only a few Latin-script languages use: ñ ¿ ¡ (Spanish), ơ ư and the stacked tone marks
///    (Vietnamese), ã õ (Portuguese), ł (Polish), ğ ı (Turkish) …
/// 3. **Frequent words** of ~40 Latin-script languages (`LanguageProfiles`), weighted by rank, plus the words
///    of the city's own catalog per locale ("bache" is Spanish here), so short reports count too.
///
/// It never guesses without evidence: "ok", "123 Oak St" or a lone emoji give `language == nil`, and a close
/// call between two languages gives `isConfident == false`, so the caller can ask instead of guessing wrong.
public struct LanguageDetector: Sendable {
    public struct Detection: Hashable, Sendable {
        /// The most likely language (ISO 639-1 where one exists: "en", "es", "zh", "vi", "ar", "fr", "yue" …),
        /// nil when the text carries no evidence of any language.
        public var language: String?
        /// The second most likely, when there was one.
        public var runnerUp: String?
        /// Evidence for the best language, and how far it leads.
        public var score: Double
        public var lead: Double
        /// Strong and clear enough to act on without asking.
        public var isConfident: Bool
    }

    /// Weights and thresholds (see `Evaluation/README.md` for how they were chosen).
    public struct Tuning: Sendable {
        /// A word's weight: `top` for the most frequent word of a language, falling with log rank to `bottom`.
        public var topWordWeight = 3.0
        public var bottomWordWeight = 1.0
        public var letterWeight = 1.5
        public var catalogWordWeight = 1.5
        /// The city's own languages are likelier than their neighbours: their scores are multiplied by this
        /// (a Spanish-speaking city hears Spanish more often than Galician or Portuguese).
        public var preferredFactor = 1.5
        public var unaccentedVietnameseFactor = 0.6
        /// A Swahili verb form ("ninapika", "wanaandika"): subject prefix, tense marker, stem ending in -a.
        public var swahiliVerbWeight = 1.0
        /// Confident when the best score reaches `confidentScore` and leads the runner-up by `lead` times.
        public var confidentScore = 1.8
        public var lead = 1.3
        public init() {}
    }

    let words: [String: [(language: Int, weight: Double)]]
    let letters: [Character: [Int]]
    let languages: [String]
    let preferred: Set<Int>
    let tuning: Tuning

    /// `catalogWords`: language → words residents use in that language for the city's services
    /// (from the catalog's keywords per locale). `preferred`: the city's languages (ISO codes).
    public init(catalogWords: [String: [String]] = [:], preferred: [String] = [], tuning: Tuning = Tuning()) {
        var languages: [String] = []
        var index: [String: Int] = [:]
        func id(_ code: String) -> Int {
            if let known = index[code] { return known }
            index[code] = languages.count
            languages.append(code)
            return languages.count - 1
        }
        var words: [String: [Int: Double]] = [:]
        /// A frequent-word list, most frequent first: a word weighs `top` at rank 1, falling with log rank to
        /// `bottom` at the end of the list, times `discount`.
        func addRanked(_ entries: [String], to language: Int, discount: Double = 1) {
            let span = log(Double(max(entries.count, 2)))
            for (rank, word) in entries.enumerated() {
                let weight = discount * (tuning.bottomWordWeight
                    + (tuning.topWordWeight - tuning.bottomWordWeight) * (1 - log(Double(rank + 1)) / span))
                words[word, default: [:]][language] = max(words[word]?[language] ?? 0, weight)
            }
        }
        for (code, list) in LanguageProfiles.latinWords.sorted(by: { $0.key < $1.key }) {
            // Vietnamese typed without its tone marks ("toi", "khong") is weaker evidence: such syllables are
            // often words of other languages too ("toi" is French).
            addRanked(list.split(separator: " ").map { $0.lowercased() }, to: id(code == "vi-ascii" ? "vi" : code),
                      discount: code == "vi-ascii" ? tuning.unaccentedVietnameseFactor : 1)
        }
        for (code, list) in LanguageProfiles.arabicScriptWords.sorted(by: { $0.key < $1.key }) {
            addRanked(list.split(separator: " ").map { TextFolding.normalizeArabic(String($0)) }, to: id(code))
        }
        for (code, list) in catalogWords.sorted(by: { $0.key < $1.key }) {
            let language = id(code)
            for phrase in list {
                for word in Self.tokens(phrase) where word.count >= 3 {
                    words[word, default: [:]][language] = max(words[word]?[language] ?? 0, tuning.catalogWordWeight)
                }
            }
        }
        // A word listed by many languages says little: share its weight.
        self.words = words.mapValues { byLanguage in
            let share = 1 / Double(byLanguage.count).squareRoot()
            return byLanguage.map { (language: $0.key, weight: $0.value * share) }.sorted { $0.language < $1.language }
        }
        var letters: [Character: [Int]] = [:]
        for (letter, codes) in LanguageProfiles.latinLetters {
            letters[letter] = codes.split(separator: " ").map { id(String($0)) }
        }
        self.letters = letters
        self.preferred = Set(preferred.map(id))
        self.languages = languages
        self.tuning = tuning
    }

    public func detect(_ text: String) -> Detection {
        let census = ScriptCensus(text)
        guard let script = census.dominant else { return Detection(language: nil, runnerUp: nil, score: 0, lead: 0, isConfident: false) }
        switch script {
        case .latin:
            let latin = scoreWords(text, script: .latin)
            // Street names in another script's message ("Kissena Blvd 靠近 Sanford Ave 有个大坑", "حفرة عند Warren
            // Ave"): the Latin letters outnumber the others, but only the other script says a language.
            if !latin.isConfident, let other = census.strongest(besides: .latin), census.letters(other) >= 2 {
                return detect(script: other, text: text, census: census)
            }
            return latin
        default: return detect(script: script, text: text, census: census)
        }
    }

    private func detect(script: Script, text: String, census: ScriptCensus) -> Detection {
        switch script {
        case .latin: return scoreWords(text, script: .latin)
        case .arabic: return arabicScript(text)
        case .han: return han(text, census: census)
        default:
            let sure = census.letters(script) >= 2
            return Detection(language: script.language, runnerUp: nil, score: sure ? 10 : 1, lead: 1, isConfident: sure)
        }
    }

    /// Cantonese words written with characters Mandarin also uses: 呢個 "this one", 邊個 "who", 屋企 "home".
    static let cantoneseWords = [
        "呢個", "呢度", "呢本", "呢間", "呢啲", "呢隻", "呢條", "呢位", "呢排", "邊個", "邊度", "邊間", "邊隻", "點樣",
        "屋企", "鍾意", "落雨", "好肚餓", "返屋", "琴日", "聽日", "今朝", "每朝", "成日", "即刻",
    ]

    // MARK: - Scripts

    /// How many times `word` occurs in `characters`, without overlapping.
    static func occurrences(of word: String, in characters: [Character]) -> Int {
        let needle = Array(word)
        guard !needle.isEmpty, needle.count <= characters.count else { return 0 }
        var count = 0
        var start = 0
        while start <= characters.count - needle.count {
            if characters[start] == needle[0], characters[start..<start + needle.count].elementsEqual(needle) {
                count += 1
                start += needle.count
            } else {
                start += 1
            }
        }
        return count
    }

    private func han(_ text: String, census: ScriptCensus) -> Detection {
        if census.letters(.kana) > 0 {
            return Detection(language: "ja", runnerUp: "zh", score: 10, lead: 1, isConfident: true)
        }
        let characters = Array(text)
        var cantonese = 0
        for (i, character) in characters.enumerated() where LanguageProfiles.cantoneseMarkers.contains(character) {
            // 係 is also Mandarin in 关系/關係 and 联系/聯係.
            if character == "係", i > 0, "關关聯联維维".contains(characters[i - 1]) { continue }
            cantonese += 1
        }
        cantonese += Self.cantoneseWords.reduce(0) { $0 + Self.occurrences(of: $1, in: characters) }
        // Sentence-final 喇 is Cantonese; Mandarin writes 了 or 啦 (and 喇 only in 喇叭, 喇嘛).
        for (i, character) in characters.enumerated() where character == "喇" {
            if i + 1 == characters.count || !"叭嘛".contains(characters[i + 1]) { cantonese += 1 }
        }
        let han = census.letters(.han)
        if cantonese > 0 {
            let sure = cantonese >= 2 || han <= 8
            return Detection(language: "yue", runnerUp: "zh", score: Double(cantonese) * 3, lead: 1, isConfident: sure)
        }
        return Detection(language: "zh", runnerUp: nil, score: Double(min(han, 10)), lead: 1, isConfident: han >= 2)
    }

    /// Street-type abbreviations of US addresses, written by residents of every language: no evidence of one ("ave"
    /// is also Spanish for bird, a word of the demo's catalog).
    /// (Not the compass points: "ne" and "se" are French, Spanish and Italian words.)
    static let addressWords: Set<String> = ["st", "ave", "av", "blvd", "rd", "ln", "ct", "hwy", "pkwy", "pky", "fwy",
                                            "expy", "sq", "apt", "ste", "bldg"]

    /// Letters Persian, Urdu or Kurdish use that Arabic dialects write too (Iraqi, Gulf, Maghrebi).
    static let arabicDialectLetters: Set<Character> = ["چ", "گ", "ڤ", "ڭ"]
    /// Letters the Arabic keyboard writes and the Persian and Urdu ones do not (they write ی and ک, and ه for ة).
    static let arabicOnlyLetters: Set<Character> = ["ة", "ي", "ك", "ى"]

    private func arabicScript(_ text: String) -> Detection {
        var detection = scoreWords(text, script: .arabic)
        var others: [String: Int] = [:]
        for character in text {
            for code in LanguageProfiles.nonArabicArabicScriptLetters[character]?.split(separator: " ") ?? [] {
                others[String(code), default: 0] += 1
            }
        }
        // Iraqi and Gulf Arabic write چ (ch) and گ (g), Maghrebi ڤ (v) and ڭ. With no other letter of Persian, Urdu,
        // Pashto or Kurdish (which all also write ی and ک in nearly every sentence), the text is Arabic when its words
        // are, or when it has a letter only the Arabic keyboard writes:
        // "الشارع مالتنا بيه حفرة چبيرة گدام البيت" is Arabic, "تام برگشت" stays Persian.
        let onlyDialectLetters = text.allSatisfy { LanguageProfiles.nonArabicArabicScriptLetters[$0] == nil || Self.arabicDialectLetters.contains($0) }
        let arabicKeyboard = text.contains { Self.arabicOnlyLetters.contains($0) }
        if !others.isEmpty, onlyDialectLetters, detection.language == "ar" || arabicKeyboard { others = [:] }
        if let (code, count) = others.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }) {
            // Letters Arabic does not use: Persian, Urdu, Pashto or Kurdish, whatever the words said.
            let language = detection.language.flatMap { others[$0] != nil ? $0 : nil } ?? code
            return Detection(language: language, runnerUp: "ar", score: Double(count) * 2, lead: 1, isConfident: true)
        }
        if let language = detection.language, language != "ar", !arabicKeyboard {
            // The words are Persian or Urdu ("تام شجاع بود"), even without their own letters: say so, sure or not.
            // Not when the text has letters only the Arabic keyboard writes and none of theirs: a Levantine "برا"
            // (outside) is also Urdu's "bad" ("طليقي برا عم يدق عالباب" is Arabic).
            return detection
        }
        detection.language = "ar"
        detection.isConfident = true
        detection.score = max(detection.score, tuning.confidentScore)
        return detection
    }

    // MARK: - Words and letters

    private func scoreWords(_ text: String, script: Script) -> Detection {
        var scores = [Double](repeating: 0, count: languages.count)
        let tokens = (script == .latin ? Self.tokens(text, droppingNames: true) : Self.tokens(text))
            .filter { !Self.addressWords.contains($0) }
        for token in tokens {
            let word = script == .arabic ? TextFolding.normalizeArabic(token) : token
            if let entries = words[word] { // tokens spell every apostrophe '.
                for entry in entries { scores[entry.language] += entry.weight }
            }
        }
        if script == .latin {
            // Each distinctive letter counts once per word: "ñañaña" is not three times as Spanish.
            for token in tokens {
                var seen = Set<Character>()
                for character in token where seen.insert(character).inserted {
                    guard let codes = letters[character] else { continue }
                    let weight = tuning.letterWeight / Double(codes.count).squareRoot()
                    for code in codes { scores[code] += weight }
                }
            }
            for character in text where character == "¿" || character == "¡" {
                for code in letters[character] ?? [] { scores[code] += tuning.letterWeight }
            }
            if let swahili = index(of: "sw") {
                for token in tokens where words[token] == nil && Self.mayBeSwahiliVerb(token)
                    && Self.swahiliVerb.firstMatch(in: token, range: NSRange(token.startIndex..., in: token)) != nil {
                    scores[swahili] += tuning.swahiliVerbWeight
                }
            }
        }
        for language in preferred { scores[language] *= tuning.preferredFactor }
        let ranked = scores.indices.filter { scores[$0] > 0 }.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : languages[$0] < languages[$1] }
        guard let best = ranked.first else {
            // Accented words of no language we know ("J'étais seul"): not English, whatever it is.
            let foreign = script == .latin && tokens.count >= 2 && tokens.contains { $0.unicodeScalars.contains { $0.value > 0x7F } }
            return Detection(language: foreign ? "und" : nil, runnerUp: nil, score: 0, lead: 0, isConfident: false)
        }
        let second = ranked.dropFirst().first
        let secondScore = second.map { scores[$0] } ?? 0
        let lead = secondScore > 0 ? scores[best] / secondScore : .infinity
        return Detection(
            language: languages[best], runnerUp: second.map { languages[$0] }, score: scores[best], lead: lead,
            isConfident: scores[best] >= tuning.confidentScore && lead >= tuning.lead
        )
    }

    private func index(of language: String) -> Int? { languages.firstIndex(of: language) }

    /// What `swahiliVerb` needs at least (six ASCII letters ending in "a"), checked before running it.
    static func mayBeSwahiliVerb(_ token: String) -> Bool {
        let bytes = token.utf8
        return bytes.count >= 6 && bytes.last == UInt8(ascii: "a") && bytes.allSatisfy { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
    }

    static let swahiliVerb = try! NSRegularExpression(pattern: "^(ni|u|a|tu|m|wa|ki|vi|li|ya|i|zi)(na|li|ta|me|ki)[a-z]{2,}a$")

    /// Lower-case words with their diacritics (diacritics are evidence here), split at anything but letters
    /// and apostrophes. `droppingNames` leaves out a capitalized word that does not start a sentence ("goc Bolsa va
    /// Magnolia": Bolsa is a street of Little Saigon and an Uzbek word, "if"), except in text typed all in capitals.
    static func tokens(_ text: String, droppingNames: Bool = false) -> [String] {
        let dropNames = droppingNames && text.contains(where: \.fastIsLowercase)
        var out: [String] = []
        var current = ""
        var capitalized = false, sentenceStart = true
        func finish() {
            guard !current.isEmpty else { return }
            let word = current.hasSuffix("'") ? String(current.dropLast()) : current
            if !(dropNames && capitalized && !sentenceStart && word.count >= 2) { out.append(word) }
            current = ""
            sentenceStart = false
        }
        for character in text {
            if character.fastIsLetter || character.unicodeScalars.allSatisfy({ !$0.isASCII && $0.properties.generalCategory == .nonspacingMark }) {
                if current.isEmpty { capitalized = character.fastIsUppercase }
                current.append(contentsOf: character.lowercased())
            } else if (character == "'" || character == "’"), !current.isEmpty {
                current.append("'")
            } else {
                finish()
                if ".!?\n".contains(character) { sentenceStart = true }
            }
        }
        finish()
        return out
    }
}

/// The writing systems the detector tells apart, with the language each one names when it names only one.
enum Script: CaseIterable {
    case latin, han, kana, hangul, arabic, hebrew, cyrillic, greek, devanagari, bengali, gurmukhi, gujarati
    case tamil, telugu, kannada, malayalam, sinhala, thai, lao, khmer, myanmar, ethiopic, georgian, armenian, tibetan

    var language: String {
        switch self {
        case .latin: "en"
        case .han: "zh"
        case .kana: "ja"
        case .hangul: "ko"
        case .arabic: "ar"
        case .hebrew: "he"
        case .cyrillic: "ru"
        case .greek: "el"
        case .devanagari: "hi"
        case .bengali: "bn"
        case .gurmukhi: "pa"
        case .gujarati: "gu"
        case .tamil: "ta"
        case .telugu: "te"
        case .kannada: "kn"
        case .malayalam: "ml"
        case .sinhala: "si"
        case .thai: "th"
        case .lao: "lo"
        case .khmer: "km"
        case .myanmar: "my"
        case .ethiopic: "am"
        case .georgian: "ka"
        case .armenian: "hy"
        case .tibetan: "bo"
        }
    }

    init?(_ scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF: self = .latin
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F: self = .han
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: self = .kana
        case 0xAC00...0xD7AF, 0x1100...0x11FF, 0x3130...0x318F: self = .hangul
        case 0x0600...0x06FF, 0x0750...0x077F, 0x08A0...0x08FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: self = .arabic
        case 0x0590...0x05FF, 0xFB1D...0xFB4F: self = .hebrew
        case 0x0400...0x052F: self = .cyrillic
        case 0x0370...0x03FF, 0x1F00...0x1FFF: self = .greek
        case 0x0900...0x097F: self = .devanagari
        case 0x0980...0x09FF: self = .bengali
        case 0x0A00...0x0A7F: self = .gurmukhi
        case 0x0A80...0x0AFF: self = .gujarati
        case 0x0B80...0x0BFF: self = .tamil
        case 0x0C00...0x0C7F: self = .telugu
        case 0x0C80...0x0CFF: self = .kannada
        case 0x0D00...0x0D7F: self = .malayalam
        case 0x0D80...0x0DFF: self = .sinhala
        case 0x0E00...0x0E7F: self = .thai
        case 0x0E80...0x0EFF: self = .lao
        case 0x1780...0x17FF: self = .khmer
        case 0x1000...0x109F: self = .myanmar
        case 0x1200...0x139F, 0x2D80...0x2DDF: self = .ethiopic
        case 0x10A0...0x10FF: self = .georgian
        case 0x0530...0x058F: self = .armenian
        case 0x0F00...0x0FFF: self = .tibetan
        default: return nil
        }
    }
}

/// How many letters of each script a text has.
struct ScriptCensus {
    private var counts: [Script: Int] = [:]

    init(_ text: String) {
        for scalar in text.unicodeScalars {
            guard scalar.fastIsAlphabetic || (!scalar.isASCII && scalar.properties.generalCategory == .nonspacingMark),
                  let script = Script(scalar) else { continue }
            counts[script, default: 0] += 1
        }
    }

    func letters(_ script: Script) -> Int { counts[script] ?? 0 }

    /// The script with the most letters other than `script` (kana aside: the Han reading looks at them itself).
    func strongest(besides script: Script) -> Script? {
        counts.filter { $0.key != script && $0.key != .kana }
            .max { $0.value != $1.value ? $0.value < $1.value : "\($0.key)" > "\($1.key)" }?.key
    }

    /// The script with the most weight; a Han character weighs as much as a short word (three letters),
    /// so "Oak街有个坑" is Chinese and "حفرة في شارع Oak" is Arabic.
    var dominant: Script? {
        var weighted = counts.mapValues(Double.init)
        let chinese = letters(.han) + letters(.kana)
        if chinese > 0 { weighted[.han] = Double(chinese) * 3 }
        return weighted.filter { $0.key != .kana }.max { $0.value != $1.value ? $0.value < $1.value : "\($0.key)" > "\($1.key)" }?.key
    }
}

/// What the detector's answer means for a city with a given set of locales.
public enum LanguageChoice: Hashable, Sendable {
    /// Clearly one of the city's locales.
    case locale(LanguageTag)
    /// Clearly a language the city does not offer (ISO code).
    case unsupported(String)
    /// Some evidence, not enough to act on: the likely languages, best first (city locales or ISO codes).
    case unsure(best: String, runnerUp: String?)
    /// Nothing in the text says which language it is ("ok", "123 Oak St", "👍").
    case noEvidence
}

extension LanguageDetector {
    /// The detection of `text`, mapped onto `locales` (the city's, most preferred first).
    public func choose(_ text: String, among locales: [LanguageTag]) -> LanguageChoice {
        let detection = detect(text)
        guard let language = detection.language else { return .noEvidence }
        guard detection.isConfident || Self.sameLocale(detection, among: locales) else {
            return .unsure(best: language, runnerUp: detection.runnerUp)
        }
        if let locale = Self.locale(for: language, among: locales) { return .locale(locale) }
        return .unsupported(language)
    }

    /// Whether a detection torn between two languages is torn between two the city answers in one locale
    /// (Cantonese or Mandarin, in a city with Chinese only): then it is as good as sure.
    public static func sameLocale(_ detection: Detection, among locales: [LanguageTag]) -> Bool {
        guard let language = detection.language, let runnerUp = detection.runnerUp,
              let locale = locale(for: language, among: locales) else { return false }
        return locale == Self.locale(for: runnerUp, among: locales)
    }

    /// The city locale for an ISO language code ("zh" → `zh-Hans`), if the city offers that language. Cantonese
    /// written in Chinese characters ("yue") goes to the city's Chinese locale when the city has no Cantonese one:
    /// its writers read written Chinese, and a menu of languages would be the wrong answer to "我以為漏煤氣".
    public static func locale(for language: String, among locales: [LanguageTag]) -> LanguageTag? {
        if let exact = locales.first(where: { $0.language == language }) { return exact }
        guard let written = writtenLanguage[language] else { return nil }
        return locales.first { $0.language == written }
    }

    /// Languages whose writers read another's written form: Cantonese reads written (Standard) Chinese.
    static let writtenLanguage = ["yue": "zh"]
}
