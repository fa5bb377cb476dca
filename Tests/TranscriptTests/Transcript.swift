import CityModel
import Conversation
import Foundation
import Yams

/// A dialog written as data: what the resident sends, turn by turn, and what CityLine answers.
///
/// ```yaml
/// description: A resident reports a pothole with the address in the first message.
/// turns:
/// - send: There's a big pothole at 123 Oak St
///   replies: ["Pothole: got it. About how big is it? …"]
///   events: []
/// ```
/// `replies` and `events` are the expectations; run the tests with `CITYLINE_RECORD=1` to rewrite them from
/// what the engine does now, then review the diff.
struct Transcript: Codable {
    var description: String
    /// The resident's language at the start (default: the city's).
    var locale: String?
    var channel: String?
    var from: String?
    /// Local start time (ISO 8601 with offset); default Monday 2026-11-23 10:00 in Springfield.
    var start: String?
    var turns: [TranscriptTurn]
}

struct TranscriptTurn: Codable {
    /// What the resident sends (absent for a staff action).
    var send: String?
    /// Photos attached to the message.
    var media: [String]?
    /// Time since the previous turn, as a short duration (default 30s).
    var wait: String?
    /// Staff change a ticket's status before this turn: `{ticket: "1000009", status: in_progress, note: …}`.
    var staff: StaffAction?
    /// The scheduler starts the satisfaction survey of this (closed) ticket before this turn; its question is
    /// the turn's first reply.
    var survey: String?
    /// An operator acts on the resident's conversation (they asked for a person) before this turn: `{reply: …}`
    /// sends the operator's words, `{close: …}` hands the resident back to the bot (with a last message, or "").
    /// What the resident receives is the turn's first replies.
    var operatorAction: OperatorAction?
    var replies: [String]?
    var events: [String]?

    enum CodingKeys: String, CodingKey {
        case send, media, wait, staff, survey, operatorAction = "operator", replies, events
    }
}

struct OperatorAction: Codable {
    var reply: String?
    var close: String?
}

struct StaffAction: Codable {
    var ticket: String
    var status: String
    var note: String?
}

extension Event {
    /// A one-line description for transcripts (messages are checked as rendered text instead).
    var transcriptLine: String? {
        switch self {
        case .messageCreated: return nil
        case .ticketRequested(let t):
            var line = "ticket \(t.trackingNumber) \(t.serviceCode) dept=\(t.department) jurisdiction=\(t.jurisdiction)"
            if let location = t.location {
                line += " location=\(location.kind.rawValue):\"\(location.text)\""
                // What the city's address data made of it, and its point to about 10 m.
                if let matched = location.matched { line += " matched=\"\(matched)\"" }
                if let point = location.coordinate, location.matched != nil {
                    line += String(format: " at=%.4f,%.4f", point.latitude, point.longitude)
                }
            }
            for answer in t.attributes { line += " \(answer.code)=\(answer.value.transcriptText)" }
            if !t.media.isEmpty { line += " photos=\(t.media.count)" }
            return line
        case .languageChanged(let locale): return "language \(locale.code)"
        case .optedOut: return "opted out"
        case .optedIn: return "opted in"
        case .handedOff(let open): return "handed off (\(open ? "open" : "closed"))"
        case .reportHandedOver(let draft): return "report handed over (\(draft.serviceCode ?? "no service yet"))"
        case .forwardedToAgent: return "forwarded to agent"
        case .emergencyTriaged(let trigger): return "emergency \(trigger)"
        case .dangerCautioned(let trigger): return "caution \(trigger)"
        case .informationAnswered(let code): return "information \(code)"
        case .sessionEnded(let reason): return "session ended: \(reason.rawValue)"
        case .followRequested(let number): return "follow \(number)"
        case .surveyStarted(let number): return "survey started \(number)"
        case .surveyAnswered(let number, let response): return "survey \(number) \(response)"
        case .surveyEnded(let number, let expired): return "survey ended \(number)\(expired ? " (expired)" : "")"
        case .reopenRequested(let number): return "reopen \(number)"
        case .alertsSubscribed(let place):
            return "alerts \(place.topic.map { "[\($0)] " } ?? "")\"\(place.matched)\" at=\(String(format: "%.4f,%.4f", place.point.latitude, place.point.longitude))"
        case .alertsStopped: return "alerts stopped"
        case .tooFast: return "too fast: kept, not answered"
        }
    }
}

extension AttributeValue {
    var transcriptText: String {
        switch self {
        case .text(let text): return "\"\(text)\""
        case .number(let number): return number.rounded() == number ? String(Int(number)) : String(number)
        case .datetime(let date): return ISO8601DateFormatter().string(from: date)
        case .options(let keys): return keys.joined(separator: ",")
        case .unreadable(let text): return "unreadable:\"\(text)\""
        case .skipped: return "skipped"
        }
    }
}
