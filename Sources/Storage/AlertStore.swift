import CityModel
import Foundation
import Localization
import Messaging

/// A resident's consent to area notices about one place: who (the channel address), where, which topic, in which
/// language, and when and how they gave it (`source`: the channel they wrote `ALERTS …` on).
public struct AlertSubscription: Hashable, Sendable {
    public var address: ChannelAddress
    public var place: AlertPlace
    /// The language they subscribed in (the contact's current language wins when the notice goes out).
    public var locale: LanguageTag?
    /// How consent was given: `sms`, `email`, `chat` … (the channel of `ALERTS`).
    public var source: String
    public var consentedAt: Date

    public init(address: ChannelAddress, place: AlertPlace, locale: LanguageTag?, source: String, consentedAt: Date) {
        self.address = address
        self.place = place
        self.locale = locale
        self.source = source
        self.consentedAt = consentedAt
    }
}

/// A change to the subscriptions, made with the turn that asked for it (a `WritePlan` part).
public enum AlertWrite: Hashable, Sendable {
    /// Adds the place (the same address, place and topic again only renews the consent time).
    case subscribe(AlertSubscription)
    /// Every subscription of the address ends (`ALERTS OFF`, STOP, a carrier opt-out).
    case unsubscribeAll(ChannelAddress)
}

/// A subscription as a notice sees it when it goes out: the point, and what the store knows of the address now.
public struct AlertSubscriber: Hashable, Sendable {
    public var address: ChannelAddress
    public var point: Coordinate
    public var topic: String?
    /// The contact's language now, else the one they subscribed in.
    public var locale: LanguageTag?
    /// STOP (or a carrier opt-out) since: nothing may go to this address.
    public var optedOut: Bool
    /// The contact's own time zone (IANA), if known.
    public var timeZone: String?

    public init(address: ChannelAddress, point: Coordinate, topic: String?, locale: LanguageTag?, optedOut: Bool, timeZone: String? = nil) {
        self.address = address
        self.point = point
        self.topic = topic
        self.locale = locale
        self.optedOut = optedOut
        self.timeZone = timeZone
    }
}

/// What staff sent: the area (as they gave it, GeoJSON or `{"jurisdiction": id}` or `"all"`, kept as JSON text),
/// the text per language, the emergency flag and topic, and who sent it when.
public struct NewNotice: Hashable, Sendable {
    public var area: String
    public var messages: [LanguageTag: String]
    public var emergency: Bool
    public var topic: String?
    /// The staff token's label or id.
    public var createdBy: String
    public var createdAt: Date
    /// Subscribers in the area who had opted out (STOP): counted, never queued.
    public var suppressedOptOut: Int

    public init(area: String, messages: [LanguageTag: String], emergency: Bool, topic: String?, createdBy: String, createdAt: Date,
                suppressedOptOut: Int) {
        self.area = area
        self.messages = messages
        self.emergency = emergency
        self.topic = topic
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.suppressedOptOut = suppressedOptOut
    }
}

/// One resident's copy of a notice, for the outbox: the message, and when it may go (the morning, for an
/// ordinary notice resolved in the recipient's quiet hours: then it is queued `held`).
public struct NoticeDelivery: Hashable, Sendable {
    public var message: RenderedMessage
    public var dueAt: Date
    public var held: Bool

    public init(message: RenderedMessage, dueAt: Date, held: Bool) {
        self.message = message
        self.dueAt = dueAt
        self.held = held
    }
}

/// How a notice's messages stand, counted from the outbox entries that carry its id.
///
/// `targeted` = `queued` + `sent` + `failed` + `suppressed_opt_out` + `cancelled`; `held_quiet_hours` is the part
/// of `queued` waiting for the morning.
public struct NoticeCounts: Hashable, Sendable, Codable {
    /// Subscribers in the area when it was sent (one per address).
    public var targeted = 0
    /// Still to go: pending, being sent, or held.
    public var queued = 0
    public var sent = 0
    /// Dead-lettered by the provider or after the last retry.
    public var failed = 0
    /// Opted out (STOP) before it was sent or before their copy went out.
    public var suppressedOptOut = 0
    /// Queued, waiting for the end of quiet hours.
    public var heldQuietHours = 0
    /// Withdrawn by a cancel before they went.
    public var cancelled = 0

    public init() {}
}

extension NoticeCounts {
    /// The reason the dispatcher gives an entry it did not send because the recipient opted out.
    public static let optOutReason = "suppressed: the recipient opted out"

    /// Adds one outbox entry of the notice in `state` (`error`: its last error): how stores count.
    public mutating func count(_ state: OutboxEntry.State, error: String?, entries: Int = 1) {
        targeted += entries
        switch state {
        case .pending, .sending: queued += entries
        case .held:
            queued += entries
            heldQuietHours += entries
        case .sent: sent += entries
        case .dead where error?.hasPrefix(Self.optOutReason) == true: suppressedOptOut += entries
        case .dead: failed += entries
        case .cancelled: cancelled += entries
        }
    }
}

/// A notice as stored, with its counts.
public struct NoticeRecord: Hashable, Sendable {
    public var id: Int64
    public var notice: NewNotice
    public var cancelledAt: Date?
    public var counts: NoticeCounts

    public init(id: Int64, notice: NewNotice, cancelledAt: Date?, counts: NoticeCounts) {
        self.id = id
        self.notice = notice
        self.cancelledAt = cancelledAt
        self.counts = counts
    }
}

/// Area notices: residents' subscriptions (written with their turns, `WritePlan.alerts`) and the notices staff send.
///
/// A notice is created with its recipients' messages in one transaction (`createNotice`): they enter the outbox
/// carrying the notice's id (`OutboxEntry.notice`), and its counts are read back from those entries. The dispatcher
/// then treats them as any message: the recipient's opt-out and quiet hours are checked again when each goes.
public protocol AlertStore: Sendable {
    /// The address's subscriptions, oldest first.
    func alertSubscriptions(of address: ChannelAddress) async throws -> [AlertSubscription]
    /// Every subscription whose point lies in `box` (nil: anywhere) and that wants `topic` (a subscription with no
    /// topic wants every notice; a notice with no topic reaches every subscription). One row per subscription: an
    /// address may come several times. The caller tests the exact area.
    func alertSubscribers(in box: GeoBox?, topic: String?) async throws -> [AlertSubscriber]
    /// Stores the notice and queues `deliveries` (kind `alert`), in one transaction; returns the notice's id.
    func createNotice(_ notice: NewNotice, deliveries: [NoticeDelivery]) async throws -> Int64
    func notice(_ id: Int64) async throws -> NoticeRecord?
    /// Notices, newest first.
    func notices(limit: Int) async throws -> [NoticeRecord]
    /// Withdraws the notice's messages that have not gone (pending or held; one being sent right now still goes).
    /// Returns how many were withdrawn, nil when there is no such notice. Cancelling twice withdraws nothing more.
    func cancelNotice(_ id: Int64, at date: Date) async throws -> Int?
}
