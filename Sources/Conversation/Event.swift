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
    /// A message sent while a person has the conversation: for the operator, not answered by the bot.
    case forwardedToAgent(String)
    case emergencyTriaged(trigger: String)
    case informationAnswered(code: String)
    case sessionEnded(EndReason)
}
