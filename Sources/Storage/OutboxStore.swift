import CityModel
import Foundation
import Localization
import Messaging

/// A message waiting in (or gone through) the durable outbox.
public struct OutboxEntry: Hashable, Sendable, Codable {
    /// `held`: waiting for the end of the recipient's quiet hours; until then it does not hold back the
    /// resident's later messages (a reply at 22:00 does not wait behind an update held for 08:00).
    /// `cancelled`: withdrawn before it went (an area notice staff cancelled); never sent.
    public enum State: String, Sendable, Codable, CaseIterable { case pending, sending, held, sent, dead, cancelled }
    public var id: Int64
    public var message: RenderedMessage
    public var createdAt: Date
    public var dueAt: Date
    public var attempts: Int
    public var state: State
    public var lastError: String?
    /// The provider's id once sent (Twilio `MessageSid`), for delivery receipts.
    public var providerID: String?
    /// The latest delivery status the provider reported (`queued`, `sent`, `delivered`, `failed` …).
    public var deliveryStatus: String?
    /// When the recipient opted out, as known when the entry was claimed (nil: they may be written to).
    public var recipientOptedOutAt: Date?
    /// The recipient's own time zone (IANA), as known when the entry was claimed (nil: the city's).
    public var recipientTimeZone: String?
    /// The area notice this message is a copy of (`AlertStore.createNotice`); nil for every other message.
    public var notice: Int64?

    public init(id: Int64, message: RenderedMessage, createdAt: Date, dueAt: Date, attempts: Int = 0, state: State = .pending,
                lastError: String? = nil, providerID: String? = nil, deliveryStatus: String? = nil) {
        self.id = id
        self.message = message
        self.createdAt = createdAt
        self.dueAt = dueAt
        self.attempts = attempts
        self.state = state
        self.lastError = lastError
        self.providerID = providerID
        self.deliveryStatus = deliveryStatus
    }
}

/// The durable outbox: every message that is not answered inline goes through it, exactly once.
///
/// `claimDue` leases due entries (state `sending` until `leaseUntil`); an entry whose lease ran out (a crashed
/// dispatcher) is due again. Only the oldest unfinished entry of each recipient is ever claimed, so one resident's
/// messages leave in the order they were queued, even across retries — except that an entry held for quiet hours
/// lets later messages pass until it is due. The dispatcher then marks each one sent,
/// to retry, or dead.
public protocol OutboxStore: Sendable {
    func claimDue(now: Date, limit: Int, leaseUntil: Date) async throws -> [OutboxEntry]
    func markSent(_ id: Int64, providerID: String?, at date: Date) async throws
    /// Schedules another attempt; `held` when quiet hours moved it to the morning (then it lets the recipient's
    /// later messages pass until it is due).
    func markRetry(_ id: Int64, error: String, retryAt: Date, held: Bool) async throws
    func markDead(_ id: Int64, error: String, at date: Date) async throws
    /// Holds a claimed entry, untried, until `date` (quiet hours): the attempt does not count, and the
    /// recipient's later messages may go before it.
    func postpone(_ id: Int64, to date: Date) async throws
    /// Records a provider's delivery receipt. Statuses only move forward (`queued` → `sent` → `delivered` → `read`);
    /// a late or repeated callback changes nothing. Returns false when no message has that provider id yet: the
    /// receipt is then kept (its furthest status and last error code) for `DeliveryStatus.earlyReceiptRetention`,
    /// because a provider can call back before the dispatcher has recorded the id its send returned, and
    /// `markSent` with that id applies it. Receipts for messages never sent through the outbox (a TwiML reply)
    /// are kept as long and then dropped.
    func recordDelivery(providerID: String, status: String, errorCode: String?, at date: Date) async throws -> Bool
    func outboxEntry(_ id: Int64) async throws -> OutboxEntry?
    /// Entries in `state`, newest first: what operators look at (the dead letters, the held ones).
    func outboxEntries(state: OutboxEntry.State, limit: Int) async throws -> [OutboxEntry]
    /// How many entries are in each state (queue depth, for `/metrics`); a state with none may be absent.
    func outboxCounts() async throws -> [OutboxEntry.State: Int]
    /// Sends a dead-lettered entry again (the provider is fixed, the address corrected): pending, due at `date`,
    /// attempts from zero; opt-out and quiet hours still apply when it goes. False when it is not dead.
    func requeue(_ id: Int64, at date: Date) async throws -> Bool
}

extension OutboxEntry {
    /// Whether this message may still go to a recipient who opted out at `optedOut`: only the one STOP
    /// confirmation, and replies the resident asked for afterwards (HELP, START).
    public func mayGo(optedOutAt optedOut: Date?) -> Bool {
        guard let optedOut else { return true }
        switch message.kind {
        case .optOutConfirmation: return true
        case .reply: return createdAt >= optedOut
        default: return false
        }
    }
}

/// Delivery statuses in the order they can happen; a status never moves back.
public enum DeliveryStatus {
    public static func rank(_ status: String) -> Int {
        switch status.lowercased() {
        case "accepted", "scheduled": 1
        case "queued": 2
        case "sending": 3
        case "sent": 4
        case "delivered", "undelivered", "failed", "canceled": 5
        // WhatsApp (and Twilio's WhatsApp) say when the resident read it, after delivered.
        case "read": 6
        default: 0
        }
    }

    public static func advances(from current: String?, to new: String) -> Bool {
        rank(new) > (current.map(rank) ?? -1)
    }

    /// How long a receipt that arrived before its message's provider id was recorded is kept for it (see
    /// `OutboxStore.recordDelivery`). The id is recorded milliseconds after the send returns; an hour covers a
    /// dispatcher stalled on its database, and bounds what receipts for TwiML replies leave behind.
    public static let earlyReceiptRetention: TimeInterval = 3600

    /// `received_at` (seconds since 1970) an early receipt must be later than at `date` to be applied; those before
    /// it are dropped.
    public static func earlyReceiptCutoff(at date: Date) -> TimeInterval { date.timeIntervalSince1970 - earlyReceiptRetention }

    /// A receipt kept for a message whose provider id is not recorded yet: `status` the furthest one seen,
    /// `errorCode` the last one given.
    public struct Early: Sendable, Equatable {
        public var status: String
        public var errorCode: String?
        public init(status: String, errorCode: String?) {
            self.status = status.lowercased()
            self.errorCode = errorCode
        }

        /// This receipt with a later callback for the same message folded in.
        public func merging(status new: String, errorCode newCode: String?) -> Early {
            var merged = self
            if DeliveryStatus.advances(from: status, to: new) { merged.status = new.lowercased() }
            if let newCode { merged.errorCode = newCode }
            return merged
        }
    }
}
