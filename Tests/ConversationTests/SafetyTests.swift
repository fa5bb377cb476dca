import CityModel
import Foundation
import Localization
import Testing

@testable import Conversation

/// Emergencies, opt-outs and requests for a person at every step of a conversation, on the small test city.
@Suite struct SafetyTests {
    static let vi = LanguageTag("vi")

    static let lexicon: Lexicon = {
        var lexicon = Lexicon(words: [
            .english: [
                .stop: ["stop", "cancel", "revoke", "opt out"], .start: ["start"], .help: ["help"],
                .cancel: ["never mind"], .restart: ["restart", "new"], .agent: ["agent"], .yes: ["yes"], .no: ["no"],
                .skip: ["skip"], .menu: ["menu"], .language: ["language"], .status: ["status"],
            ],
            vi: [.stop: ["dừng", "hủy", "ngừng"], .yes: ["có", "đúng"], .cancel: ["thôi"]],
        ])
        lexicon.addPersonRequests(["talk to someone", "talk to a person"], in: .english)
        lexicon.addPersonRequests(["gặp nhân viên"], in: vi)
        return lexicon
    }()

    static let engine = Engine(city: Fixtures.city, lexicon: lexicon)
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let context = TurnContext(newTrackingNumber: TrackingNumber(serial: 1))

    func send(_ texts: [String], from session: Session = Session()) -> (Session, Turn) {
        Self.play(Self.engine, texts, from: session)
    }

    /// `texts` through `engine`, 30 s apart: the session after them and the last turn.
    static func play(_ engine: Engine, _ texts: [String], from session: Session = Session()) -> (Session, Turn) {
        var session = session
        var last: Turn?
        for (index, text) in texts.enumerated() {
            let turn = engine.handle(session, Inbound(text: text), context: context, now: now + Double(index * 30))
            session = turn.session
            last = turn
        }
        return (session, last!)
    }

    @Test func anEmergencyMidReportEndsTheReport() {
        let (session, turn) = send(["pothole at 123 Oak St", "I smell gas"])
        #expect(turn.events.contains(.emergencyTriaged(trigger: "gas")))
        #expect(turn.events.contains(.sessionEnded(.emergency)))
        #expect(turn.messages.map(\.key) == ["emergency"])
        #expect(session.draft == nil && session.state == .idle)
    }

    /// Nothing goes out after STOP — but someone who writes about an emergency is told to call 911, and stays
    /// opted out.
    @Test func anEmergencyAfterStopStillGetsTheAnswer() {
        let (session, turn) = send(["stop", "my house is on fire"])
        #expect(turn.messages.map(\.key) == ["emergency"])
        #expect(session.optedOut)
        let (_, quiet) = send(["stop", "pothole at 123 Oak St"])
        #expect(quiet.messages.isEmpty)
    }

    @Test func anEmergencyWhileWithAnOperatorIsAnsweredAndTheOperatorKeepsTheConversation() {
        let (session, turn) = send(["agent", "there are flames in the kitchen"])
        #expect(turn.messages.map(\.key) == ["emergency"])
        #expect(turn.events.contains(.forwardedToAgent("there are flames in the kitchen")), "the operator sees it too")
        #expect(session.state == .withAgent)
    }

    @Test func carrierOptOutWordsOptOutWithOneConfirmation() {
        for word in ["CANCEL", "Revoke", "opt out", "HỦY", "DỪNG", "ngừng"] {
            let (session, turn) = send(["pothole at 123 Oak St", word])
            #expect(session.optedOut, "\(word)")
            #expect(turn.messages.map(\.key) == ["optout.confirmed"], "\(word)")
        }
    }

    @Test func neverMindDropsTheReportWithoutOptingOut() {
        let (session, turn) = send(["pothole at 123 Oak St", "never mind"])
        #expect(!session.optedOut)
        #expect(turn.events == [.sessionEnded(.cancelled), .messageCreated(OutboundMessage("cancel.done"))])
    }

    /// Vietnamese marks tell words apart: "dừng" stops, "dùng" (use) and "đúng" (correct) do not; "dung" typed
    /// without marks could be any of them, so it is read as none.
    @Test(arguments: [("DỪNG", CommandWord?.some(.stop)), ("dừng", .stop), ("dùng", nil), ("đúng", .yes), ("Đúng", .yes),
                      ("dung", nil), ("huy", .stop), ("hủy", .stop), ("ngung", .stop)])
    func vietnameseIsReadWithItsMarks(_ text: String, _ command: CommandWord?) {
        let words = FoldedText(text)
        #expect(Self.lexicon.command(exactly: words.folded, marked: words.hasMarks ? words.markedText : nil, locale: Self.vi) == command,
                "\(text)")
    }

    @Test func aPlainRequestForAPersonHandsOff() {
        let (session, turn) = send(["pothole at 123 Oak St", "can I talk to someone please"])
        #expect(turn.events.contains(.handedOff(duringBusinessHours: Fixtures.city.businessHours.isOpen(at: Self.now + 30, in: Fixtures.city.timeZone))))
        #expect(session.state == .withAgent)
        let (_, vietnamese) = send(["cho tôi gặp nhân viên"])
        #expect(vietnamese.session.state == .withAgent)
    }

    /// Triage comes before the request for a person: "talk to someone, my house is on fire" is answered first.
    @Test func anEmergencyBeatsARequestForAPerson() {
        let (_, turn) = send(["I need to talk to someone, my house is on fire"])
        #expect(turn.messages.map(\.key) == ["emergency"])
        #expect(!turn.events.contains { if case .handedOff = $0 { true } else { false } })
    }
}

/// Signs of danger short of an emergency (a `caution` trigger): "if anyone is in danger now, call 911 first", then
/// the turn as usual.
@Suite struct CautionTests {
    /// The test city with a caution trigger listed first: a person who feels dizzy.
    static let engine: Engine = {
        var city = Fixtures.city
        city.emergencies.concepts["person"] = LocalizedList([.english: ["my dad", "someone"]])
        city.emergencies.concepts["sick"] = LocalizedList([.english: ["dizzy"]])
        city.emergencies.triggers.insert(EmergencyTrigger(code: "possible-danger", answer: .caution,
                                                          rules: [[ConceptTerm("person"), ConceptTerm("sick")]]), at: 0)
        return Engine(city: city, lexicon: SafetyTests.lexicon)
    }()

    func send(_ texts: [String]) -> (Session, Turn) { SafetyTests.play(Self.engine, texts) }

    @Test func theCautionComesFirstAndTheReportGoesOn() {
        let (plain, plainTurn) = send(["pothole at 123 Oak St"])
        let (session, turn) = send(["pothole at 123 Oak St, my dad is dizzy"])
        #expect(turn.messages.map(\.key) == ["caution"] + plainTurn.messages.map(\.key))
        #expect(turn.messages.first?.kind == .emergency)
        #expect(turn.events.contains(.dangerCautioned(trigger: "possible-danger")))
        #expect(!turn.events.contains { if case .emergencyTriaged = $0 { true } else { false } })
        #expect(session.draft?.serviceCode == plain.draft?.serviceCode && session.draft != nil, "the report goes on")
        #expect(session.state == plain.state)
    }

    @Test func midReportTheQuestionIsAskedAgainAfterTheCaution() {
        let (_, turn) = send(["pothole at 123 Oak St", "someone here is dizzy"])
        #expect(turn.messages.first?.key == "caution")
        #expect(turn.messages.count >= 2)
        #expect(!turn.events.contains(.sessionEnded(.emergency)))
    }

    @Test func anEmergencyBeatsACautionListedBeforeIt() {
        let (_, turn) = send(["my dad is dizzy and I smell gas"])
        #expect(turn.messages.map(\.key) == ["emergency"])
        #expect(turn.events.contains(.emergencyTriaged(trigger: "gas")))
        #expect(Self.engine.triage.emergency(in: "my dad is dizzy") == nil, "a caution is not an emergency")
        #expect(Self.engine.triage.assess(FoldedText("my dad is dizzy"))?.answer == .caution)
    }

    /// After STOP the resident who writes about signs of danger hears the caution and nothing else, and stays
    /// opted out.
    @Test func afterStopOnlyTheCautionGoesOut() {
        let (session, turn) = send(["stop", "my dad is dizzy, the pothole at 123 Oak St"])
        #expect(turn.messages.map(\.key) == ["caution"])
        #expect(session.optedOut)
    }
}
