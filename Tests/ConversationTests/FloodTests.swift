import CityModel
import Foundation
import Localization
import Testing

@testable import Conversation

/// The flood gate (`city.flood`: a burst of 20, then 10 a minute on the test city): a resident writing faster than
/// a person can gets a bounded number of answers and one word that answers will wait; STOP, START and emergencies
/// always get through; a person typing a report never meets it.
@Suite struct FloodTests {
    static let engine = SafetyTests.engine
    static let context = SafetyTests.context
    static let start = SafetyTests.now

    /// Sends `texts` one after another, `spacing` seconds apart from `at`; every turn, in order.
    func send(_ texts: [String], spacing: TimeInterval, from session: Session = Session(), at: Date = start) -> (Session, [Turn]) {
        var session = session
        var turns: [Turn] = []
        for (index, text) in texts.enumerated() {
            let turn = Self.engine.handle(session, Inbound(text: text), context: Self.context, now: at + Double(index) * spacing)
            session = turn.session
            turns.append(turn)
        }
        return (session, turns)
    }

    func replies(_ turns: [Turn]) -> [String] { turns.flatMap(\.messages).map(\.key) }

    @Test func threeHundredMessagesInTenSecondsGetABoundedAnswerAndOneWarning() {
        let (session, turns) = send(Array(repeating: "hello?", count: 300), spacing: 10.0 / 300)
        let keys = replies(turns)
        // 20 answered at once, one more refilled in 10 s at 10 a minute, and the warning once.
        #expect(keys.filter { $0 == "flood.wait" }.count == 1)
        let answered = turns.filter { !$0.events.contains(.tooFast) }.count
        #expect(answered == 21, "answered \(answered)")
        #expect(keys.count <= 21 * 2 + 1, "\(keys.count) messages")
        #expect(turns.filter { $0.events.contains(.tooFast) }.count == 279)
        #expect(session.pace?.warned == true)
        // The warning comes with the first message past the limit, in the resident's words nothing else.
        let first = turns.firstIndex { $0.events.contains(.tooFast) }!
        #expect(turns[first].messages.map(\.key) == ["flood.wait"])
        #expect(turns[(first + 1)...].allSatisfy { $0.messages.isEmpty || !$0.events.contains(.tooFast) })
    }

    @Test func aResidentWhoSlowsDownIsAnsweredAgainAndWarnedAgainOnlyAfterANewFlood() {
        let (flooded, _) = send(Array(repeating: "hello?", count: 40), spacing: 0.1)
        // Two minutes later the bucket holds 20 again: a report is answered as usual.
        let later = Self.start + 120
        let (calm, turns) = send(["pothole at 123 Oak St"], spacing: 1, from: flooded, at: later)
        #expect(!turns[0].events.contains(.tooFast))
        #expect(!turns[0].messages.isEmpty)
        #expect(calm.pace?.warned == false)
        // A second flood is told once more.
        let (_, again) = send(Array(repeating: "hello?", count: 40), spacing: 0.1, from: calm, at: later + 10)
        #expect(replies(again).filter { $0 == "flood.wait" }.count == 1)
    }

    @Test func stopIsHonouredPastTheLimitWithExactlyOneConfirmation() {
        let (session, turns) = send(Array(repeating: "hello?", count: 50) + ["stop", "stop", "hello?"], spacing: 0.05)
        #expect(session.optedOut)
        let confirmations = turns.flatMap(\.messages).filter { $0.kind == .optOutConfirmation }
        #expect(confirmations.count == 1)
        #expect(turns.last!.messages.isEmpty, "nothing after STOP")
        // START comes back in however fast.
        let (back, restarted) = send(["start"], spacing: 1, from: session, at: Self.start + 3)
        #expect(!back.optedOut && restarted[0].events.contains(.optedIn))
    }

    @Test func emergenciesPastTheLimitAreAnsweredAtMostOnceAMinute() {
        let flood = Array(repeating: "hello?", count: 30)
        let fire = Array(repeating: "my house is on fire", count: 5)
        let (session, turns) = send(flood + fire, spacing: 0.1)
        let emergencies = turns.filter { $0.messages.contains { $0.kind == .emergency } }
        #expect(emergencies.count == 1, "one call-911 answer for the five copies")
        #expect(turns[30].messages.map(\.key) == ["emergency"], "the first emergency past the limit is answered at once")
        // A minute later, past the limit again, the next alarm is answered again — once.
        let (_, later) = send(Array(flood.prefix(15)) + Array(fire.prefix(3)), spacing: 0.1, from: session, at: Self.start + 65)
        #expect(later[15].events.contains(.tooFast) == false && later[15].messages.map(\.key) == ["emergency"])
        #expect(later.suffix(2).allSatisfy { $0.messages.isEmpty && $0.events.contains(.tooFast) })
    }

    @Test func aPersonTypingAReportNeverMeetsTheLimit() {
        // A whole dialog at a fast typist's pace, every 5 s.
        let (_, turns) = send(["pothole at 123 Oak St", "yes", "yes", "skip", "yes", "status", "help", "menu", "1", "1"], spacing: 5)
        #expect(!turns.contains { $0.events.contains(.tooFast) })
    }

    @Test func anOperatorStillReadsEveryMessagePastTheLimitAndTheResidentHearsNoWarning() {
        let (session, turns) = send(["agent"] + Array(repeating: "are you there?", count: 40), spacing: 0.1)
        #expect(session.state == .withAgent)
        #expect(turns.dropFirst().allSatisfy { $0.events.contains(.forwardedToAgent("are you there?")) })
        #expect(!replies(turns).contains("flood.wait"))
    }

    @Test func anOptedOutResidentPastTheLimitHearsNothing() {
        let (session, turns) = send(["stop"] + Array(repeating: "hello?", count: 40), spacing: 0.1)
        #expect(session.optedOut)
        #expect(turns.dropFirst().allSatisfy { $0.messages.isEmpty })
    }
}
