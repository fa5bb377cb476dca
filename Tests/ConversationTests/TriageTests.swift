import CityModel
@testable import Conversation
import Localization
import Testing

@Suite struct TriageTests {
    let triage = Triage(city: Fixtures.city)

    @Test(arguments: [
        ("I smell gas in my basement", "gas"),
        ("GAS LEAK on 5th!!", "gas"),
        ("the house next door is on fire", "fire"),
        ("house fire by the fire hydrant", "fire"),   // an unless phrase hides only its own words
        ("I see flames", "fire"),
    ])
    func emergencies(text: String, code: String) {
        #expect(triage.emergency(in: text) == code)
    }

    @Test(arguments: [
        "fire hydrant leaking at 12 Pine St",
        "someone parked in the fire lane",
        "the gas station sign is down",
        "stop sign knocked down",
        "my trash was not picked up",
        "",
    ])
    func ordinaryReports(text: String) {
        #expect(triage.emergency(in: text) == nil)
    }
}

/// The concept rules themselves, on a small triage written here (the demo city's is scored by
/// Evaluation/triage_eval.py and its transcripts).
@Suite struct TriageRuleTests {
    static func list(_ en: [String], vi: [String] = []) -> LocalizedList {
        LocalizedList(vi.isEmpty ? [.english: en] : [.english: en, LanguageTag("vi"): vi])
    }

    static let triage: Triage = {
        var city = Fixtures.city
        city.emergencies = EmergencyTriage(
            concepts: [
                "person": list(["a man", "someone", "my dad", "he"]),
                "collapse": list(["collapsed", "not moving", "fell down"]),
                "grave": list(["not breathing", "overdos*", "drank the bug spray"]),
                "not-now": list(["last week", "could fall"]),
                "ongoing": list(["still not", "right now"]),
                "fire": list(["on fire", "flames"], vi: ["nhà đang cháy", "=đang cháy"]),
                "suicide": list(["kill myself"]),
            ],
            unless: list(["fire hydrant", "the sidewalk collapsed", "bug spray", "not breathing well"]),
            triggers: [
                EmergencyTrigger(code: "suicide", answer: .crisis, rules: [[ConceptTerm("suicide")]]),
                EmergencyTrigger(code: "medical", rules: [
                    [ConceptTerm("grave"), ConceptTerm("not-now", negated: true)],
                    [ConceptTerm("grave"), ConceptTerm("ongoing")],
                    [ConceptTerm("person"), ConceptTerm("collapse"), ConceptTerm("not-now", negated: true)],
                ], window: 4),
                EmergencyTrigger(code: "fire", rules: [[ConceptTerm("fire")]]),
            ]
        )
        return Triage(city: city)
    }()

    @Test(arguments: [
        ("a man collapsed on the sidewalk", "medical"),
        ("someone is not moving", "medical"),
        ("I think he overdosed", "medical"),           // overdos* matches overdosed, overdose, overdosing
        ("my dad fell down last week and is still not breathing", "medical"), // ongoing overrides the past
        ("I want to kill myself", "suicide"),
        ("nhà đang cháy", "fire"),
        ("Nhà đang CHÁY!", "fire"),
        ("nha dang chay", "fire"),                      // unmarked: the folded phrase
        ("xe đang cháy", "fire"),                       // "=đang cháy" typed with its marks
        ("my dad drank the bug spray", "medical"),      // a longer phrase holds the blanked "bug spray" whole
    ])
    func fires(_ text: String, _ code: String) {
        #expect(Self.triage.emergency(in: text) == code, "\(text)")
    }

    @Test(arguments: [
        "the sidewalk collapsed",                       // blanked: no person
        "a man called about the wall. The fence collapsed", // person and state in different sentences
        "a man from the city said the old shed in the yard collapsed", // too far apart (window 4)
        "a man fell down here last week",              // the past
        "someone overdosed here last week",
        "xe đang chạy",                                 // chạy (driving) is not cháy (burning)
        "xe dang chay",                                 // "=đang cháy" needs its marks
        "fire hydrant is leaking",
        "the bug spray is not breathing well",          // "not breathing" inside a longer blanked phrase
        "someone sprayed bug spray",                    // blanked, and no longer phrase holds it
    ])
    func staysQuiet(_ text: String) {
        #expect(Self.triage.emergency(in: text) == nil, "\(text)")
    }

    @Test func aCrisisAsksForTheCrisisAnswer() {
        #expect(Self.triage.assess(FoldedText("I want to kill myself"))?.answer == .crisis)
        #expect(Self.triage.assess(FoldedText("a man collapsed"))?.answer == .emergency)
    }

    @Test func theLanguageOfTheWordsIsReported() {
        #expect(Self.triage.assess(FoldedText("nhà đang cháy"))?.locale == LanguageTag("vi"))
        #expect(Self.triage.assess(FoldedText("flames"))?.locale == .english)
    }

    @Test func explainListsTheConceptsOfEachSentence() {
        #expect(Self.triage.explain(FoldedText("A man. He collapsed right now")) == ["person", "collapse ongoing person"])
    }
}

/// A `^` concept may be said in the sentence before: a resident asks about a CO detector, then says theirs is sounding.
@Suite struct TriageCarriedConceptTests {
    static func triage(carried: Bool) -> Triage {
        var city = Fixtures.city
        let list = { (phrases: [String]) in LocalizedList([.english: phrases]) }
        city.emergencies = EmergencyTriage(
            concepts: [
                "detector": list(["co detector*", "carbon monoxide detector*"]),
                "sounding": list(["beeping", "going off"]),
                "sick": list(["dizzy", "throwing up"]),
                "not-now": list(["last week"]),
            ],
            triggers: [
                EmergencyTrigger(code: "carbon-monoxide", rules: [
                    [ConceptTerm("detector", carried: carried), ConceptTerm("sounding"), ConceptTerm("sick"),
                     ConceptTerm("not-now", negated: true)],
                ], window: 20),
            ]
        )
        return Triage(city: city)
    }

    @Test func theSentenceBeforeLendsTheConcept() {
        let text = "Do you give out CO detectors? Mine is beeping and my wife is dizzy"
        #expect(Self.triage(carried: true).emergency(in: text) == "carbon-monoxide")
        #expect(Self.triage(carried: false).emergency(in: text) == nil)
        #expect(Self.triage(carried: true).emergency(in: "the CO detector is beeping and my wife is dizzy") == "carbon-monoxide")
    }

    @Test(arguments: [
        "Mine is beeping and my wife is dizzy",                                        // no detector at all
        "Do you give out CO detectors? The store was closed. Mine is beeping and my wife is dizzy", // two sentences back
        "Our CO detector was going off last week. Now it is beeping and my wife is dizzy", // the sentence before is past
        "Mine is beeping and my wife is dizzy. Do you give out CO detectors?",          // the sentence after does not lend
    ])
    func onlyTheSentenceJustBefore(_ text: String) {
        #expect(Self.triage(carried: true).emergency(in: text) == nil, "\(text)")
    }

    @Test func parsesAndPrints() {
        let term = ConceptTerm(parsing: "^carbon-monoxide")
        #expect(term == ConceptTerm("carbon-monoxide", carried: true))
        #expect(term.description == "^carbon-monoxide")
        #expect(ConceptTerm(parsing: "!not-now").carried == false)
        #expect(ConceptTerm("x", negated: true, carried: true).carried == false)
    }
}

/// How the window measures Chinese, and Arabic words with "and" written onto them.
@Suite struct TriageWordTests {
    static let triage: Triage = {
        var city = Fixtures.city
        let zh = LanguageTag("zh-Hans"), ar = LanguageTag("ar")
        city.emergencies = EmergencyTriage(
            concepts: [
                "person": LocalizedList([zh: ["阿姨"], ar: ["رفيق*"]]),
                "collapse": LocalizedList([zh: ["被公交车撞"], ar: ["دايخ", "طايح ارض"]]),
            ],
            unless: LocalizedList([:]),
            triggers: [
                EmergencyTrigger(code: "medical", rules: [[ConceptTerm("person"), ConceptTerm("collapse")]], window: 6),
            ]
        )
        return Triage(city: city)
    }()

    /// `cityline check` names the concept phrases an `unless` phrase covers whole, in any language and letter
    /// case, marks-only or not: they never count. A longer phrase that holds a blanked one still counts.
    @Test func phrasesAnUnlessPhraseCoversWholeAreNamed() {
        var city = Fixtures.city
        let emergencies = EmergencyTriage(
            concepts: [
                "fire": TriageRuleTests.list(["fire hydrant", "flames", "fire hydrant on fire"]),
                "gas-tank": TriageRuleTests.list(["Gas Tank", "propane tank", "=gas tank"], vi: ["gas tank", "bình gas"]),
            ],
            unless: TriageRuleTests.list(["fire hydrant", "gas tank"]),
            triggers: [EmergencyTrigger(code: "fire", rules: [[ConceptTerm("fire")]]),
                       EmergencyTrigger(code: "gas", rules: [[ConceptTerm("gas-tank")]])])
        city.emergencies = emergencies
        let triage = Triage(city: city)
        #expect(triage.deadPhrases(of: emergencies) == [
            .init(locale: .english, concept: "fire", phrase: "fire hydrant"),
            .init(locale: .english, concept: "gas-tank", phrase: "Gas Tank"),
            .init(locale: .english, concept: "gas-tank", phrase: "=gas tank"),
            .init(locale: LanguageTag("vi"), concept: "gas-tank", phrase: "gas tank"),
        ])
        #expect(triage.emergency(in: "the fire hydrant on fire at 5th") == "fire")
        #expect(triage.emergency(in: "the gas tank of my car is dented") == nil)
    }

    @Test func aHanCharacterIsHalfAWord() {
        // ten characters, five words' worth: within a window of 6 words
        #expect(Self.triage.emergency(in: "阿姨在路口被公交车撞了") == "medical")
        // twenty-three characters from the first to the last: too far
        #expect(Self.triage.emergency(in: "阿姨说上个月在那个很远很远的路口有车被公交车撞了") == nil)
    }

    @Test func traditionalCharactersMatchSimplifiedPhrases() {
        #expect(Self.triage.emergency(in: "阿姨在路口被公交車撞了") == "medical") // 車, the phrase has 车
    }

    @Test func aStarredPhraseMatchesAWordWithAndWrittenOn() {
        #expect(Self.triage.emergency(in: "ورفيقي دايخ") == "medical")
        #expect(Self.triage.emergency(in: "رفيقي دايخ") == "medical")
    }

    @Test func spokenOnTheComesOff() {
        // عالارض is على الارض ("on the ground") written as one word
        #expect(Self.triage.emergency(in: "رفيقي طايح عالارض") == "medical")
    }
}

/// The reserved concept `also`: what makes the words before it past ("since yesterday") does not silence a rule after
/// it, and the other way round; without the marker the sentence stays one matter.
@Suite struct AlsoTests {
    static let triage: Triage = {
        var city = Fixtures.city
        city.emergencies.concepts = [
            "power-line": LocalizedList([.english: ["wire"]]),
            "sparking": LocalizedList([.english: ["sparking"]]),
            "not-now": LocalizedList([.english: ["since yesterday", "last week"]]),
            EmergencyTriage.alsoConcept: LocalizedList([.english: ["also", "by the way"]]),
            "gas": LocalizedList([.english: ["smell gas"]]),
        ]
        city.emergencies.triggers = [
            EmergencyTrigger(code: "power-line", rules: [
                [ConceptTerm("power-line"), ConceptTerm("sparking"), ConceptTerm("not-now", negated: true)],
            ], window: 8),
            // no window: the whole sentence
            EmergencyTrigger(code: "gas", rules: [[ConceptTerm("gas"), ConceptTerm("not-now", negated: true)]]),
        ]
        return Triage(city: city)
    }()

    @Test(arguments: [
        ("the light is out since yesterday, also a wire is sparking", "power-line"),
        ("a wire is sparking, by the way the light is out since yesterday", "power-line"),
        ("the light is out since yesterday, a wire is sparking", nil),
        ("a wire was sparking last week, also the light is out", nil),
        ("also a wire was sparking last week", nil),
        ("the light is out since yesterday, also I smell gas in the hall", "gas"),
        ("the light is out since yesterday, I smell gas in the hall", nil),
        ("I smell gas, also the light was out last week", "gas"),
    ] as [(String, String?)])
    func excludedWordsStopAtAlso(text: String, code: String?) {
        #expect(Self.triage.emergency(in: text) == code)
    }

    @Test func separatedNeedsTheMarkerBetween() {
        #expect(Triage.separated(0..<2, from: 5, 8, by: [3..<4]))
        #expect(Triage.separated(9..<10, from: 2, 5, by: [5..<6]))
        #expect(!Triage.separated(0..<2, from: 5, 8, by: [9..<10]))
        #expect(!Triage.separated(0..<2, from: 5, 8, by: []))
    }
}

/// A `!!` concept silences its rule from anywhere in the sentence; a `!` one only near the rule's words.
@Suite struct TriageSentenceWideExclusionTests {
    static func triage(sentenceWide: Bool) -> Triage {
        var city = Fixtures.city
        let list = { (phrases: [String]) in LocalizedList([.english: phrases]) }
        city.emergencies = EmergencyTriage(
            concepts: [
                "person": list(["a person", "a man"]),
                "collapse": list(["laying in the ditch", "collapsed"]),
                "staged": list(["mannequin"]),
                "also": list(["also"]),
            ],
            triggers: [
                EmergencyTrigger(code: "medical", rules: [
                    [ConceptTerm("person"), ConceptTerm("collapse"), ConceptTerm("staged", negated: true, sentenceWide: sentenceWide)],
                ], window: 8),
            ]
        )
        return Triage(city: city)
    }

    static let far = "thought it was a person laying in the ditch on County Rd 8 but i turned around and looked again and its a mannequin"

    @Test func farAwayOnlyTheSentenceWideOneSilences() {
        #expect(Self.triage(sentenceWide: false).emergency(in: Self.far) == "medical")
        #expect(Self.triage(sentenceWide: true).emergency(in: Self.far) == nil)
    }

    @Test(arguments: [true, false])
    func nearBothSilence(_ sentenceWide: Bool) {
        #expect(Self.triage(sentenceWide: sentenceWide).emergency(in: "a person laying in the ditch, a mannequin") == nil)
    }

    @Test func neitherReachesAnotherSentenceOrAcrossAlso() {
        let wide = Self.triage(sentenceWide: true)
        #expect(wide.emergency(in: "We dumped a mannequin there last year. Now a man collapsed in the ditch") == "medical")
        #expect(wide.emergency(in: "the mannequin by the shop is gone, also a man collapsed by the bus stop") == "medical")
    }

    @Test func parsesAndPrints() {
        let term = ConceptTerm(parsing: "!!staged")
        #expect(term == ConceptTerm("staged", sentenceWide: true))
        #expect(term.negated && term.sentenceWide && !term.carried)
        #expect(term.description == "!!staged")
        #expect(ConceptTerm(parsing: "!staged").sentenceWide == false)
    }
}
