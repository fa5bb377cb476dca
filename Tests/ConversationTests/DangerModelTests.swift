import CityModel
import Conversation
import Foundation
import Localization
import Testing

/// The learned caution (`DangerModel`): its features are the trainer's (Evaluation/train_danger_model.py), scalar
/// for scalar, and the triage reads it only where no rule holds.
@Suite struct DangerModelTests {
    /// A small model whose every bucket has a weight, so each feature counts: bucket i weighs (i mod 7 − 3) / 10.
    static let small = DangerModel(code: "learned-danger", weights: (0..<97).map { Float($0 % 7 - 3) / 10 }, bias: -0.5,
                                   ngrams: [2, 3], threshold: 0.4, minimumWords: 1)

    /// The scores the trainer's own functions give these texts with the same model (computed with Python 3.11:
    /// `features(text, 97)` with NGRAMS = (2, 3)): case, punctuation, Han, Vietnamese marks, Arabic, NFKC
    /// ligatures and numerals, and a capital that lowercases to two scalars (İ).
    @Test(arguments: [
        ("A man COLLAPSED on Oak St!!", 0.437518),
        ("mi abuela no respira", 0.38965),
        ("我爸刚才在厨房突然倒下了", 0.353681),
        ("bà em vừa té xỉu", 0.340659),
        ("ابويا وقع في المطبخ", 0.354163),
        ("İstanbul ﬁre Ⅻ café", 0.380374),
    ])
    func scoresAreTheTrainers(text: String, expected: Double) throws {
        let score = try #require(Self.small.score(text))
        #expect(abs(score - expected) < 0.000_01, "\(text): \(score)")
    }

    @Test func shortMessagesAreNotScored() {
        var model = Self.small
        model.minimumWords = 4
        #expect(model.score("yes") == nil)
        #expect(model.score("1423 Oak St") == nil)
        #expect(model.score("路灯坏了") == nil, "four Han characters are two words")
        #expect(model.score("a man fell down") != nil)
        #expect(model.score("我爸刚才在厨房倒下") != nil)
    }

    /// No rule holds and the model flags it: a caution under the model's code. A rule's finding comes first.
    @Test func theModelCautionsOnlyWhereNoRuleHolds() throws {
        var city = Fixtures.city
        var model = Self.small
        model.threshold = 0.01
        city.emergencies.model = model
        let text = "I smell gas in the hallway"
        let ruled = try #require(Triage(city: city).assess(FoldedText(text)), "the fixture's rules catch this one")
        #expect(Triage(city: city).assess(FoldedText(text), text: text) == ruled)

        let quiet = "the swing at Lincoln park squeaks all day"
        #expect(Triage(city: city).assess(FoldedText(quiet)) == nil)
        let finding = try #require(Triage(city: city).assess(FoldedText(quiet), text: quiet))
        #expect(finding.code == "learned-danger" && finding.answer == .caution && finding.locale == nil)
        model.threshold = 0.99
        city.emergencies.model = model
        #expect(Triage(city: city).assess(FoldedText(quiet), text: quiet) == nil, "below the threshold")
        city.emergencies.model = nil
        #expect(Triage(city: city).assess(FoldedText(quiet), text: quiet) == nil, "no model")
    }

    /// A city that sets `doubt-below` has a rule's "call 911 now" answered with the caution when the model is sure
    /// the message is routine; a crisis (988) and a message too short to score keep their answer.
    @Test func aDoubtedEmergencyIsAnsweredWithTheCaution() throws {
        var city = Fixtures.city
        city.emergencies.triggers.append(EmergencyTrigger(code: "suicide", answer: .crisis, rules: [[ConceptTerm("suicide")]]))
        city.emergencies.concepts["suicide"] = LocalizedList([.english: ["kill myself"]])
        var model = Self.small
        city.emergencies.model = model
        let text = "I smell gas in the hallway"
        let score = try #require(model.score(text))
        #expect(Triage(city: city).assess(FoldedText(text), text: text)?.answer == .emergency, "no doubt set")

        model.doubtBelow = score + 0.01
        city.emergencies.model = model
        let doubted = try #require(Triage(city: city).assess(FoldedText(text), text: text))
        #expect(doubted.code == "gas" && doubted.answer == .caution, "the rule's code, the caution's answer")
        // Text the language detector cannot place in one of the city's languages is not doubted: the model has not
        // read its like. The question is asked only when the model would doubt.
        var asked = 0
        let unplaced = Triage(city: city).assess(FoldedText(text), text: text, placed: { asked += 1; return false })
        #expect(unplaced?.answer == .emergency && asked == 1, "not placed: the rule's call stands")
        model.doubtBelow = score - 0.01
        city.emergencies.model = model
        #expect(Triage(city: city).assess(FoldedText(text), text: text)?.answer == .emergency, "scored above the doubt")
        asked = 0
        _ = Triage(city: city).assess(FoldedText(text), text: text, placed: { asked += 1; return true })
        #expect(asked == 0, "no doubt, no question")

        model.doubtBelow = 0.99
        model.minimumWords = 4
        city.emergencies.model = model
        let crisis = "I want to kill myself"
        #expect(Triage(city: city).assess(FoldedText(crisis), text: crisis)?.answer == .crisis, "a crisis is never doubted")
        #expect(Triage(city: city).assess(FoldedText("gas leak!"), text: "gas leak!")?.answer == .emergency, "too short to score")

        model.neverDoubted = ["gas"]
        city.emergencies.model = model
        #expect(Triage(city: city).assess(FoldedText(text), text: text)?.answer == .emergency, "a trigger never doubted")
    }
}
