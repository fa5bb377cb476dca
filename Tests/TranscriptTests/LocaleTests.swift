import CityModel
import Conversation
import Foundation
import Localization
import Rendering
import Testing

/// The locale files as a whole: every key everywhere and used, command words that cannot be confused,
/// opt-out words that work in every language and ordinary reports that must not trip them, and plurals.
@Suite struct LocaleTests {
    static let locales = ["en", "es", "zh-Hans", "vi", "ar"]

    @Test func everyLocaleHasExactlyTheEnglishKeys() throws {
        let catalog = try DemoCity.shared.renderer.catalog
        let english = Set(catalog.strings[.english]?.keys.map { $0 } ?? [])
        #expect(Set(catalog.locales.map(\.code)) == Set(Self.locales))
        for code in Self.locales {
            let keys = Set(catalog.strings[LanguageTag(code)]?.keys.map { $0 } ?? [])
            #expect(english.subtracting(keys).sorted() == [], "\(code) is missing messages")
            #expect(keys.subtracting(english).sorted() == [], "\(code) has messages English does not have")
        }
    }

    /// Every key is sent by the engine (written as a literal in `Sources/`, or built from a status or datatype) or
    /// shown by a template (`{{strings.<key>}}` in `Templates/`).
    @Test func everyKeyIsUsed() throws {
        let catalog = try DemoCity.shared.renderer.catalog
        var code = "", templates = ""
        for (folder, suffix) in [("Sources", ".swift"), ("Templates", ".mustache")] {
            let root = DemoCity.root.appendingPathComponent(folder)
            for case let file as String in FileManager.default.enumerator(atPath: root.path)! where file.hasSuffix(suffix) {
                let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
                if suffix == ".swift" { code += text } else { templates += text }
            }
        }
        let derived = Set(TicketStatus.allCases.map { "status.name.\($0.rawValue)" } + AttributeDatatype.allCases.map { "hint.\($0.rawValue)" })
        let unused = (catalog.strings[.english]?.keys.map { $0 } ?? []).filter {
            !derived.contains($0) && !code.contains("\"\($0)\"") && !templates.contains("{{strings.\($0)}}")
        }
        #expect(unused.sorted() == [], "messages no code sends")
    }

    @Test func configurationCheckIsClean() throws {
        let demo = try DemoCity.shared
        let check = ConfigurationCheck(city: demo.city, catalog: demo.renderer.catalog, composer: demo.composer)
        #expect(check.problems() == [])
    }

    /// Within a locale a word means one command — compared with its marks in a language whose marks tell words
    /// apart (Vietnamese), folded elsewhere; across locales the same word means the same command.
    @Test func commandWordsCannotBeConfused() throws {
        let lexicon = try DemoCity.shared.lexicon
        var meaning: [String: (CommandWord, LanguageTag)] = [:]
        for locale in lexicon.locales {
            var own: [String: CommandWord] = [:]
            let table = TextFolding.marksMatter(in: locale) ? lexicon.markedWords[locale] : lexicon.words[locale]
            for (command, words) in table ?? [:] {
                for word in words {
                    if let other = own[word], other != command {
                        Issue.record("\(locale.code): '\(word)' is both \(other) and \(command)")
                    }
                    own[word] = command
                    if let (other, where_) = meaning[word], other != command {
                        Issue.record("'\(word)' is \(other) in \(where_.code) but \(command) in \(locale.code)")
                    }
                    meaning[word] = (command, locale)
                }
            }
        }
    }

    /// Typed without its marks, a Vietnamese word that could be two commands ("dung": dừng STOP, đúng YES) is read
    /// as neither — in every locale of the demo, so no other language's word can stand in for it either.
    @Test func unmarkedWordsThatCouldBeTwoCommandsAreNeither() throws {
        let lexicon = try DemoCity.shared.lexicon
        let vi = LanguageTag("vi")
        var commands: [String: Set<CommandWord>] = [:]
        for (command, words) in lexicon.words[vi] ?? [:] {
            for word in words { commands[word, default: []].insert(command) }
        }
        let ambiguous = commands.filter { $0.value.count > 1 }.keys.sorted()
        #expect(ambiguous.contains("dung"), "dừng (stop) and đúng (yes) both fold to dung")
        for word in ambiguous {
            #expect(lexicon.command(exactly: word, marked: nil, locale: vi) == nil, "'\(word)' typed without marks")
        }
        #expect(lexicon.command(exactly: "dung", marked: "dừng", locale: vi) == .stop)
        #expect(lexicon.command(exactly: "dung", marked: "đúng", locale: vi) == .yes)
        #expect(lexicon.command(exactly: "dung", marked: "dùng", locale: vi) == nil)
    }

    /// Vietnamese loses its tone marks when folded: "dừng" (stop) and "dùng" (use) meet as "dung". Marks are read
    /// where typed, and an unmarked word that could be two commands is neither, so no ordinary one-word message
    /// becomes STOP.
    /// ("hủy" is an opt-out word, as Vietnamese carriers treat it, and so is its unmarked "huy".)
    @Test(arguments: ["dùng", "Dũng", "dung", "dụng", "đúng rồi", "Đúng", "dung roi"])
    func vietnameseWordsThatFoldLikeCommandsAreNotStop(_ text: String) throws {
        let turn = try Self.send(text, locale: "vi")
        #expect(!turn.events.contains(.optedOut), "'\(text)' must not unsubscribe")
    }

    /// Every opt-out word of every locale opts out, with one confirmation in that language.
    @Test(arguments: locales)
    func everyStopWordOptsOut(_ code: String) throws {
        let demo = try DemoCity.shared
        // As written in the locale file, with their marks: Vietnamese "dừng" stops, its unmarked "dung" does not.
        let words = demo.lexicon.markedWords[LanguageTag(code)]?[.stop] ?? []
        #expect(!words.isEmpty)
        for word in words + ["STOP"] {
            let turn = try Self.send(word, locale: code)
            #expect(turn.events.contains(.optedOut), "\(code): '\(word)' does not opt out")
            #expect(turn.messages.map(\.key) == ["optout.confirmed"], "\(code): '\(word)'")
        }
    }

    /// A first message that is only a command word of one language answers in that language.
    @Test(arguments: [("AYUDA", "es"), ("停止", "zh-Hans"), ("Trợ giúp", "vi"), ("مساعدة", "ar"), ("HELP", "en")])
    func aCommandWordSetsTheLanguage(_ text: String, _ code: String) throws {
        let turn = try Self.send(text, locale: nil)
        #expect(turn.locale == LanguageTag(code))
    }

    /// Reports that contain an opt-out or command word are reports.
    @Test(arguments: [
        ("stop sign down at Oak and 5th", "en"), ("the stop sign is knocked over", "en"),
        ("la señal de alto está caída en Oak y 5th", "es"), ("Alto total: la señal de pare se cayó", "es"),
        ("停车标志倒了", "zh-Hans"), ("停止标志被撞倒了，在Oak和5th路口", "zh-Hans"),
        ("Biển báo dừng lại bị đổ ở Oak và 5th", "vi"), ("Đèn giao thông không hoạt động", "vi"),
        ("إشارة قف مكسورة عند تقاطع Oak و5th", "ar"), ("توقف عامل النظافة عن جمع القمامة", "ar"),
    ])
    func reportsWithCommandWordsAreNotCommands(_ text: String, _ code: String) throws {
        let turn = try Self.send(text, locale: code)
        #expect(!turn.events.contains(.optedOut), "'\(text)' must not unsubscribe")
        #expect(!turn.messages.map(\.key).contains("optout.confirmed"))
    }

    /// Plural forms come from ICU's CLDR rules: Arabic has six, English two, Chinese and Vietnamese one.
    @Test func pluralCategoriesComeFromICU() {
        let rules = PluralRules.shared
        #expect(rules.categories(locale: LanguageTag("ar")) == ["zero", "one", "two", "few", "many", "other"])
        #expect(rules.categories(locale: .english) == ["one", "other"])
        #expect(rules.categories(locale: LanguageTag("zh-Hans")) == ["other"])
        #expect(rules.categories(locale: LanguageTag("vi")) == ["other"])
        #expect([0, 1, 2, 3, 10, 11, 99, 100, 102].map { rules.category($0, locale: LanguageTag("ar")) }
            == ["zero", "one", "two", "few", "few", "many", "many", "other", "other"])
        #expect([0, 1, 2].map { rules.category($0, locale: .english) } == ["other", "one", "other"])
        #expect(rules.category(1_000_000, locale: LanguageTag("es")) == "many")
        #expect(rules.category(1, locale: LanguageTag("es-MX")) == "one")
    }

    /// Every turn renders through the one shared cache: many tasks at once all get ICU's answers. (Run under
    /// ThreadSanitizer by `Reliability/sanitizers.sh`: its lock must be one the sanitizer sees.)
    @Test func pluralCategoriesFromManyTasksAtOnce() async {
        let rules = PluralRules.shared
        let locales = ["ar", "en", "es", "vi", "zh-Hans"].map { LanguageTag($0) }
        let answers = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { locales.flatMap { locale in (0..<3_000).map { rules.category($0, locale: locale) } } }
            }
            return await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(answers.count == 8 && Set(answers).count == 1)
        #expect(answers.first?.prefix(4) == ["zero", "one", "two", "few"])
    }

    @Test func arabicCountsAgreeWithTheirNumber() throws {
        let renderer = try DemoCity.shared.renderer
        let forms = [0, 1, 2, 3, 11, 100].map { n in
            renderer.render("status.list", ["count": .number(n), "tickets": .list([])], locale: LanguageTag("ar"))
        }
        #expect(Set(forms.map { $0.replacingOccurrences(of: #"\d+"#, with: "N", options: .regularExpression) }).count == 6,
                "each Arabic plural category has its own wording: \(forms)")
        let english = [1, 2].map { renderer.render("status.list", ["count": .number($0), "tickets": .list([])], locale: .english) }
        #expect(english[0].contains("1 open report:") && english[1].contains("2 open reports:"))
    }

    /// es-MX → es → the city default → en, for messages and catalog texts.
    @Test func fallbackChain() throws {
        let demo = try DemoCity.shared
        let args: [String: MessageArgument] = ["program": .text("Springfield 311")]
        #expect(demo.renderer.render("welcome", args, locale: LanguageTag("es-MX")) == demo.renderer.render("welcome", args, locale: LanguageTag("es")))
        #expect(demo.renderer.render("welcome", args, locale: LanguageTag("fr")) == demo.renderer.render("welcome", args, locale: .english))
        let pothole = try #require(demo.city.service("pothole"))
        #expect(pothole.name.resolve(LanguageTag("es-MX"), fallbacks: demo.city.fallbackLocales) == "Bache")
        #expect(pothole.name.resolve(LanguageTag("fr"), fallbacks: demo.city.fallbackLocales) == "Pothole")
    }

    static func send(_ text: String, locale: String?) throws -> Turn {
        let engine = try DemoCity.shared.engine
        return engine.handle(
            Session(locale: locale.map(LanguageTag.init)), Inbound(text: text),
            context: TurnContext(newTrackingNumber: TrackingNumber(serial: 100_000)), now: Date(timeIntervalSince1970: 1_795_464_000)
        )
    }
}
