import CityModel
import Foundation

/// Scheduled work, kept durably until done: a status update to fan out or send, a survey to start, remind or
/// expire, an event to post to a department's system.
///
/// ```json
/// {"notify": {"ticket": "1000002", "status": "closed", "note": "Patched today.", "to": {"channel": "sms", "address": "+1…"}}}
/// ```
public enum Work: Hashable, Sendable, Codable {
    /// "We got your report": to a resident whose ticket staff or a back-end system created (not in a dialog,
    /// where the reply says it).
    case acknowledge(ticket: TrackingNumber)
    /// A status change: becomes one `notify` job per recipient (the reporter and every follower).
    case ticketUpdate(ticket: TrackingNumber, status: TicketStatus, note: String?)
    /// One recipient's copy of a status update.
    case notify(ticket: TrackingNumber, status: TicketStatus, note: String?, to: ChannelAddress)
    /// "Is it fixed?" to the reporter, some time after closure.
    case surveyStart(ticket: TrackingNumber)
    case surveyReminder(ticket: TrackingNumber)
    case surveyExpiry(ticket: TrackingNumber)
    /// A ticket event for the department's own system (signed webhook), e.g. `reopened`.
    case departmentEvent(ticket: TrackingNumber, event: String)

    /// The ticket the work is about.
    public var ticket: TrackingNumber {
        switch self {
        case .acknowledge(let ticket), .ticketUpdate(let ticket, _, _), .notify(let ticket, _, _, _), .surveyStart(let ticket),
             .surveyReminder(let ticket), .surveyExpiry(let ticket), .departmentEvent(let ticket, _):
            ticket
        }
    }

    /// Short name for logs and the jobs table.
    public var kind: String {
        switch self {
        case .acknowledge: "acknowledge"
        case .ticketUpdate: "ticket_update"
        case .notify: "notify"
        case .surveyStart: "survey_start"
        case .surveyReminder: "survey_reminder"
        case .surveyExpiry: "survey_expiry"
        case .departmentEvent: "department_event"
        }
    }
}

/// A job to schedule. `dedupeKey` makes scheduling idempotent: a second job with the same key is ignored, so
/// "one survey per ticket" and "one update per status change per recipient" hold even when the cause repeats.
public struct NewJob: Hashable, Sendable {
    public var work: Work
    public var dedupeKey: String
    public var dueAt: Date

    public init(_ work: Work, key: String, dueAt: Date) {
        self.work = work
        self.dedupeKey = key
        self.dueAt = dueAt
    }
}

