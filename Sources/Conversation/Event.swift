import CityModel
import Foundation
import Localization

/// Why a dialog ended without a ticket.
public enum EndReason: String, Sendable, Codable {
    case completed, cancelled, restarted, expired, optedOut = "opted_out", emergency, handedOff = "handed_off"
}

/// Something that happened in a turn, in the past tense. The host performs them (stores the ticket, queues the
/// message); the engine itself never does I/O.
public enum Event: Hashable, Sendable, Codable {
    case messageCreated(OutboundMessage)
    case ticketRequested(TicketDraft)
    case languageChanged(LanguageTag)
    case optedOut
    case optedIn
    /// The resident asked for a person; `duringBusinessHours` tells whether someone answers now.
    case handedOff(duringBusinessHours: Bool)
    /// The report the resident was making when they went to a person, for the operator to file.
    case reportHandedOver(ReportDraft)
    /// A message sent while a person has the conversation: for the operator, not answered by the bot.
    case forwardedToAgent(String)
    case emergencyTriaged(trigger: String)
    /// Signs of danger short of an emergency (a `caution` trigger): the turn went on, told to call 911 if anyone is
    /// in danger now.
    case dangerCautioned(trigger: String)
    case informationAnswered(code: String)
    case sessionEnded(EndReason)
    /// The resident asked to hear about a ticket's progress (FOLLOW 1234567).
    case followRequested(TrackingNumber)
    case surveyStarted(TrackingNumber)
    case surveyAnswered(TrackingNumber, SurveyResponse)
    /// The survey is over: answered to the end, or left unanswered until it expired.
    case surveyEnded(TrackingNumber, expired: Bool)
    /// The resident says a closed ticket is not fixed: the host reopens it and tells the department.
    case reopenRequested(TrackingNumber)
    /// The resident asked for area notices about a place (`ALERTS 1423 Oak St`): their consent, from this channel.
    case alertsSubscribed(AlertPlace)
    /// The resident asked for no more area notices (`ALERTS OFF`), at any of their places.
    case alertsStopped
    /// A message past the city's `flood` limit: stored, not answered (unless STOP or an emergency).
    case tooFast
}

extension Event {
    /// The case's name, as stored and counted (`ticket_requested`).
    public var name: String {
        switch self {
        case .messageCreated: "message_created"
        case .ticketRequested: "ticket_requested"
        case .languageChanged: "language_changed"
        case .optedOut: "opted_out"
        case .optedIn: "opted_in"
        case .handedOff: "handed_off"
        case .reportHandedOver: "report_handed_over"
        case .forwardedToAgent: "forwarded_to_agent"
        case .emergencyTriaged: "emergency_triaged"
        case .dangerCautioned: "danger_cautioned"
        case .informationAnswered: "information_answered"
        case .sessionEnded: "session_ended"
        case .followRequested: "follow_requested"
        case .surveyStarted: "survey_started"
        case .surveyAnswered: "survey_answered"
        case .surveyEnded: "survey_ended"
        case .reopenRequested: "reopen_requested"
        case .alertsSubscribed: "alerts_subscribed"
        case .alertsStopped: "alerts_stopped"
        case .tooFast: "too_fast"
        }
    }
}
