import CityModel
import Conversation
import Foundation
import Localization
import Messaging
import Outreach

/// Everything one turn changes, committed at once: the inbound message, the replies given inline, and the plan
/// the switchboard made of the turn's events.
public struct TurnRecord: Sendable {
    public var inbound: InboundMessage
    /// Replies delivered in the channel's own response (TwiML, the chat socket, the terminal): logged, not queued.
    public var replies: [RenderedMessage]
    public var plan: WritePlan

    public init(inbound: InboundMessage, replies: [RenderedMessage] = [], plan: WritePlan) {
        self.inbound = inbound
        self.replies = replies
        self.plan = plan
    }
}

/// Why a store refused a commit.
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    enum Code: Equatable, Sendable { case trackingNumberTaken, duplicateInbound, sessionChanged, handoffClosed }
    let code: Code
    public static let trackingNumberTaken = StoreError(code: .trackingNumberTaken)
    public static let duplicateInbound = StoreError(code: .duplicateInbound)
    /// The session changed since it was read (another turn of the same resident committed first): nothing was
    /// written; read again and redo the turn.
    public static let sessionChanged = StoreError(code: .sessionChanged)
    /// The handoff a write named is closed (or does not exist): nothing was written.
    public static let handoffClosed = StoreError(code: .handoffClosed)
    public var description: String {
        switch code {
        case .trackingNumberTaken: "tracking number already in use"
        case .duplicateInbound: "inbound message already stored"
        case .sessionChanged: "the session changed since it was read"
        case .handoffClosed: "the conversation is closed"
        }
    }
}

/// An error that says the database cannot be reached right now (down, restarting, out of connections) — not that
/// the request was wrong: nothing was stored, and the same request may be retried as it is. The HTTP edge answers
/// `503` with `Retry-After`, so carriers and clients retry (Twilio through its fallback URL).
public protocol StoreUnavailable: Error {}

/// A session as read, with the version a write must name to replace it (0: there is none).
public struct StoredSession: Sendable {
    public var session: Session?
    public var version: Int

    public init(_ session: Session?, version: Int) {
        self.session = session
        self.version = version
    }
}

/// The conversation side of storage: sessions, the resident's tickets, and the atomic commit of a turn.
///
/// `commit` stores the inbound message, the replies and the turn's plan in one transaction: all or nothing. A
/// second commit of the same inbound `externalID` on the same channel throws `StoreError.duplicateInbound`; a
/// tracking number already used throws `.trackingNumberTaken`; a session written since it was read throws
/// `.sessionChanged`.
public protocol ConversationStore: Sendable {
    func session(for address: ChannelAddress) async throws -> Session?
    /// Tickets this address reported, newest first.
    func tickets(reportedBy address: ChannelAddress) async throws -> [Ticket]
    func ticket(_ number: TrackingNumber) async throws -> Ticket?
    /// Several tickets in one read (a batch of updates about them); unknown numbers are left out.
    func tickets(_ numbers: [TrackingNumber]) async throws -> [TrackingNumber: Ticket]
    /// The inline replies stored for an earlier inbound message with this id, if it was handled (possibly none).
    func replies(toExternalID id: String, channel: Channel) async throws -> [RenderedMessage]?
    func commit(_ record: TurnRecord) async throws
    /// Persists a plan made outside a turn (a carrier's opt-out, an unsubscribe link), in one transaction.
    func apply(_ plan: WritePlan) async throws
    /// Everything a turn reads, at once: the session with its version, the resident's tickets, and the tickets
    /// `numbers` name.
    func turnContext(for address: ChannelAddress, referencing numbers: [TrackingNumber]) async throws -> (StoredSession, [Ticket])
    /// A new message's first read: the inline replies of an earlier delivery of the same `externalID` when there
    /// was one (a redelivery, answered the same), else `turnContext` — in one read where the store can (one trip
    /// to the database per message instead of two).
    func turnStart(for address: ChannelAddress, externalID: String?, referencing numbers: [TrackingNumber]) async throws -> TurnStart
    /// Open tickets of `query.serviceCode` within `query.radius` metres of its point, requested since `query.since`,
    /// nearest first (at most `limit`): a new report there may be the same problem.
    func openTickets(near query: NearbyQuery, limit: Int) async throws -> [NearbyTicket]
    /// The survey records of these tickets (a survey being answered or expired).
    func surveys(of tickets: [TrackingNumber]) async throws -> [TrackingNumber: SurveyRecord]
    /// Emergencies answered with "call 911" (or 988) since `date`, oldest first: for the KPIs (emergencies
    /// diverted). No address or text is kept, only the trigger, channel, language and time.
    func emergencies(since date: Date) async throws -> [EmergencyRecord]
    /// The engine events stored since `date`, oldest first (for the KPIs and operators).
    func events(since date: Date) async throws -> [EventRecord]
}

/// What a store read first for a message (see `ConversationStore.turnStart`).
public enum TurnStart: Sendable {
    /// The message was handled before: these are the replies it got.
    case redelivered([RenderedMessage])
    /// A new message: the resident's session and tickets.
    case new(StoredSession, [Ticket])
}

extension ConversationStore {
    /// Two reads, for a store that has nothing to gain from one (the in-memory twin).
    public func turnStart(for address: ChannelAddress, externalID: String?, referencing numbers: [TrackingNumber]) async throws -> TurnStart {
        if let externalID, let earlier = try await replies(toExternalID: externalID, channel: address.channel) {
            return .redelivered(earlier)
        }
        let (session, tickets) = try await turnContext(for: address, referencing: numbers)
        return .new(session, tickets)
    }
}

/// An engine event as stored with the turn or job that caused it.
public struct EventRecord: Hashable, Sendable {
    public var event: Event
    public var channel: Channel?
    public var at: Date

    public init(event: Event, channel: Channel?, at: Date) {
        self.event = event
        self.channel = channel
        self.at = at
    }
}

/// One emergency answer, as counted for the KPIs.
public struct EmergencyRecord: Hashable, Sendable {
    public var trigger: String
    public var channel: Channel
    public var locale: LanguageTag?
    public var at: Date

    public init(trigger: String, channel: Channel, locale: LanguageTag?, at: Date) {
        self.trigger = trigger
        self.channel = channel
        self.locale = locale
        self.at = at
    }
}

/// Hands out tracking numbers, each to one ticket.
///
/// The switchboard asks only when a turn or a filing creates a ticket. A number may still turn out to be taken
/// (a ticket from before the sequence existed, with a random number): the store refuses it with
/// `StoreError.trackingNumberTaken` and the switchboard asks again.
public protocol TrackingNumberSource: Sendable {
    func next() async throws -> TrackingNumber
}

/// The store's side of tracking numbers: a durable sequence, shared by every process using the store.
public protocol TrackingNumberStore: Sendable {
    /// Reserves `count` consecutive indexes of the tracking-number sequence (`TrackingNumber(sequence:)`), never
    /// handed out again, even to another process or after a crash.
    func reserveTrackingNumbers(_ count: Int) async throws -> Range<Int>
}

/// Tracking numbers from the store's sequence, reserved a block at a time (a block's unused numbers are skipped
/// when the process stops: gaps are harmless, and the numbers are shuffled anyway).
public actor SequenceTrackingNumbers: TrackingNumberSource {
    private let store: any TrackingNumberStore
    private let block: Int
    private var reserved: Range<Int> = 0..<0

    public init(store: any TrackingNumberStore, block: Int = 32) {
        self.store = store
        self.block = max(1, block)
    }

    public func next() async throws -> TrackingNumber {
        if reserved.isEmpty { reserved = try await store.reserveTrackingNumbers(block) }
        return TrackingNumber(sequence: reserved.popFirst()!)
    }
}

extension ConversationStore {
    public func tickets(_ numbers: [TrackingNumber]) async throws -> [TrackingNumber: Ticket] {
        var found: [TrackingNumber: Ticket] = [:]
        for number in numbers { found[number] = try await ticket(number) }
        return found
    }
}
