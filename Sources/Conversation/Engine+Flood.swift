import CityModel
import Foundation
import Localization

/// The flood gate: one resident writing faster than `city.flood` allows (a script, a stuck phone, two bots answering
/// each other) gets a bounded number of answers and one word that answers will wait, while everyone else is
/// unaffected. Every message is still stored by the host; STOP and START always work; an emergency is always
/// answered (at most once a minute past the limit, so a repeated alarm does not become a flood of our own).
extension Engine {
    /// Takes one message from the resident's bucket; false when they are past the limit.
    func admit(_ turn: inout TurnBuilder) -> Bool {
        let limit = city.flood
        let burst = Double(limit.burst)
        var pace = turn.session.pace ?? ResidentPace()
        let (bucket, wait) = TokenBucket.take(1, from: pace.bucket, rate: limit.perMinute / 60, burst: burst, now: turn.now)
        pace.bucket = bucket
        if bucket.tokens >= burst / 2 { pace.warned = false }
        turn.session.pace = pace
        return wait == 0
    }

    /// STOP and START (in any of the city's languages) are honoured however fast they come.
    func isConsentCommand(_ turn: TurnBuilder, folded: String) -> Bool {
        guard let command = lexicon.command(exactly: folded, marked: turn.marked, locale: turn.locale) else { return false }
        return command == .stop || command == .start
    }

    /// A message past the limit: kept, not answered by the bot.
    func answerTooFast(_ turn: inout TurnBuilder, words: FoldedText) {
        // (Signs of danger short of an emergency are not answered here: the notice says "Emergency? Call 911".)
        if let finding = triage.assess(words), finding.answer != .caution {
            let last = turn.session.pace?.emergencyAnsweredAt
            if last == nil || turn.now.timeIntervalSince(last!) >= 60 {
                if case .choosingLanguage(_, let resume) = turn.session.state { turn.session.state = resume }
                answerEmergency(&turn, finding)
                return
            }
        }
        turn.events.append(.tooFast)
        // A person has the conversation: they read every message (their pace is theirs to handle).
        if turn.session.state == .withAgent {
            if !turn.text.isEmpty { turn.events.append(.forwardedToAgent(turn.text)) }
            return
        }
        guard !turn.session.optedOut, turn.session.pace?.warned == false else { return }
        turn.session.pace?.warned = true
        turn.say("flood.wait", ["program": .text(program(turn))])
    }
}
