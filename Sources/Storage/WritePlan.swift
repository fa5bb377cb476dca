import CityModel
import Conversation
import Foundation
import Localization
import Messaging
import Outreach

/// Everything a turn, a job or a staff action changes, decided by the switchboard — the one place that
/// interprets engine events — and persisted by a store in one transaction, without deciding anything.
///
/// Every part is a plain write: rows to insert, rows to insert when absent, an update guarded by a condition
/// the switchboard chose. A store that persists plans (memory, SQLite, PostgreSQL) holds no business rule, so a
/// rule is written once for all of them.
public struct WritePlan: Sendable {
    /// The resident's session after the change, guarded by the version it was read at.
    public var session: SessionWrite?
    /// The contact behind an address: made on first contact; its language; its consent.
    public var contact: ContactWrite?
    /// New tickets. A number in use throws `StoreError.trackingNumberTaken`.
    public var tickets: [Ticket]
    /// Changes to existing tickets, each applied only when its condition holds.
    public var ticketUpdates: [TicketUpdate]
    /// Residents who follow a ticket's progress (kept once; a ticket that does not exist is skipped).
    public var follows: [Follow]
    /// Survey records as they are after the change (inserted or replaced).
    public var surveys: [SurveyRecord]
    /// Messages for the durable outbox, in the order they must leave.
    public var outbox: [RenderedMessage]
    /// Jobs to schedule (a key already scheduled is skipped).
    public var jobs: [NewJob]
    /// "Call 911" answers, for the KPIs.
    public var emergencies: [EmergencyRecord]
    /// The engine events behind the change, kept for the KPIs and for operators.
    public var events: [Event]
    /// Changes to the operators' queue, in order.
    public var handoffs: [HandoffWrite]
    /// Area-notice subscriptions added or ended, in order.
    public var alerts: [AlertWrite]
    public var at: Date

    public init(session: SessionWrite? = nil, contact: ContactWrite? = nil, tickets: [Ticket] = [], ticketUpdates: [TicketUpdate] = [],
                follows: [Follow] = [], surveys: [SurveyRecord] = [], outbox: [RenderedMessage] = [], jobs: [NewJob] = [],
                emergencies: [EmergencyRecord] = [], events: [Event] = [], handoffs: [HandoffWrite] = [], alerts: [AlertWrite] = [], at: Date) {
        self.session = session
        self.contact = contact
        self.tickets = tickets
        self.ticketUpdates = ticketUpdates
        self.follows = follows
        self.surveys = surveys
        self.outbox = outbox
        self.jobs = jobs
        self.emergencies = emergencies
        self.events = events
        self.handoffs = handoffs
        self.alerts = alerts
        self.at = at
    }
}

/// A session to store for an address.
public struct SessionWrite: Sendable {
    /// When the write may happen.
    public enum Condition: Hashable, Sendable {
        /// Only if the stored session is still at this version (0: there is none yet); otherwise the store throws
        /// `StoreError.sessionChanged` and nothing of the plan is written. How one resident's turns stay in order
        /// across processes: two turns read the same version, only the first one commits.
        case version(Int)
        /// Only if the address has no session yet; an existing one is kept as it is (no error).
        case absent
    }

    public var address: ChannelAddress
    public var session: Session
    public var condition: Condition

    public init(_ address: ChannelAddress, _ session: Session, _ condition: Condition) {
        self.address = address
        self.session = session
        self.condition = condition
    }
}

/// The contact behind an address, made on first contact.
public struct ContactWrite: Hashable, Sendable {
    public var address: ChannelAddress
    /// The contact's language from now on; nil leaves it.
    public var locale: LanguageTag?
    /// A change of consent: true when the resident opted out now, false when they opted back in; nil: unchanged.
    public var optedOut: Bool?

    public init(_ address: ChannelAddress, locale: LanguageTag?, optedOut: Bool? = nil) {
        self.address = address
        self.locale = locale
        self.optedOut = optedOut
    }
}

/// A change to a stored ticket, made only when the ticket is still in the state the rule expects.
public struct TicketUpdate: Hashable, Sendable {
    public var ticket: TrackingNumber
    /// The change is made only if the ticket has this status (a ticket staff reopened meanwhile is left alone).
    public var ifStatus: TicketStatus
    public var change: TicketChange
    public var actor: String
    /// History entries to add after the change's own (an internal note saying why).
    public var notes: [TicketEvent]
    /// Jobs to schedule with the change (the department hears of it).
    public var jobs: [NewJob]

    public init(ticket: TrackingNumber, ifStatus: TicketStatus, change: TicketChange, actor: String, notes: [TicketEvent] = [],
                jobs: [NewJob] = []) {
        self.ticket = ticket
        self.ifStatus = ifStatus
        self.change = change
        self.actor = actor
        self.notes = notes
        self.jobs = jobs
    }
}

/// A resident following a ticket.
public struct Follow: Hashable, Sendable {
    public var ticket: TrackingNumber
    public var follower: ChannelAddress

    public init(_ ticket: TrackingNumber, by follower: ChannelAddress) {
        self.ticket = ticket
        self.follower = follower
    }
}

extension WritePlan {
    /// The history and new state of `ticket` after `update`, or nil when its condition does not hold. Stores use
    /// it so the change is made the same way everywhere.
    public static func applying(_ update: TicketUpdate, to ticket: Ticket, at date: Date) -> (Ticket, [TicketEvent])? {
        guard ticket.status == update.ifStatus else { return nil }
        var changed = ticket
        let history = update.change.apply(to: &changed, at: date, actor: update.actor) + update.notes
        return (changed, history)
    }
}
