import CityModel
import Conversation
import Foundation
import Localization

/// A resident's conversation in the operators' queue: opened when they ask for a person, answered by an
/// operator, closed when the operator hands them back to the bot (or the resident leaves with RESTART or STOP).
public struct Handoff: Hashable, Sendable, Identifiable {
    public enum State: String, Hashable, Sendable, CaseIterable {
        /// Asked for a person; no operator has answered yet.
        case waiting
        /// An operator has answered.
        case active
        /// Back with the bot.
        case closed
    }

    public var id: Int64
    public var address: ChannelAddress
    public var locale: LanguageTag?
    public var state: State
    /// Whose staff see it (the city's `operators:` department, or another one it was handed to); nil: admins only.
    public var department: String?
    /// When the resident asked for a person.
    public var openedAt: Date
    /// The last message either way.
    public var lastMessageAt: Date
    /// The operator who answered last (a staff token's label or id).
    public var assignedTo: String?
    /// The first operator reply: how long the resident waited for a person.
    public var firstReplyAt: Date?
    public var closedAt: Date?
    /// Who closed it: an operator, or `resident` (RESTART, STOP).
    public var closedBy: String?
    /// The report the resident was making when they asked for a person (what, where, their words), for the
    /// operator to file.
    public var report: ReportDraft?

    public init(id: Int64, address: ChannelAddress, locale: LanguageTag?, state: State, department: String?, openedAt: Date,
                lastMessageAt: Date, assignedTo: String? = nil, firstReplyAt: Date? = nil, closedAt: Date? = nil, closedBy: String? = nil,
                report: ReportDraft? = nil) {
        self.id = id
        self.address = address
        self.locale = locale
        self.state = state
        self.department = department
        self.openedAt = openedAt
        self.lastMessageAt = lastMessageAt
        self.assignedTo = assignedTo
        self.firstReplyAt = firstReplyAt
        self.closedAt = closedAt
        self.closedBy = closedBy
        self.report = report
    }

    public var isOpen: Bool { state != .closed }

    /// The handoff as it is after `write` (which names it), at `date`: the one rule every store applies.
    public func applying(_ write: HandoffWrite) -> Handoff {
        var changed = self
        switch write {
        case .open(_, let locale, _, let report, let at):
            changed.lastMessageAt = at
            if let locale { changed.locale = locale }
            if let report { changed.report = report }
        case .residentWrote(_, let at):
            changed.lastMessageAt = at
        case .residentLeft(_, let at):
            changed.state = .closed
            changed.closedAt = at
            changed.closedBy = "resident"
        case .operatorReplied(_, let by, let at):
            changed.state = .active
            changed.assignedTo = by
            changed.lastMessageAt = at
            if changed.firstReplyAt == nil { changed.firstReplyAt = at }
        case .closed(_, let by, let at):
            changed.state = .closed
            changed.closedAt = at
            changed.closedBy = by
            changed.lastMessageAt = at
        case .transferred(_, let department, _):
            changed.department = department
            changed.state = .waiting
            changed.assignedTo = nil
        case .noted:
            break // kept beside the handoff (`HandoffStore.notes(of:)`)
        }
        return changed
    }
}

/// A change to the operators' queue, part of a `WritePlan`. Writes naming the resident's address apply to their
/// open handoff (there is at most one); writes naming a handoff's id apply only while it is open, else the store
/// throws `StoreError.handoffClosed` and nothing of the plan is written.
public enum HandoffWrite: Hashable, Sendable {
    /// The resident asked for a person: a new waiting handoff for `department`, unless one is open (then it is
    /// touched).
    case open(ChannelAddress, locale: LanguageTag?, department: String?, report: ReportDraft?, at: Date)
    /// The resident wrote while with a person.
    case residentWrote(ChannelAddress, at: Date)
    /// The resident went back to the bot or opted out: their open handoff closes.
    case residentLeft(ChannelAddress, at: Date)
    /// An operator answered.
    case operatorReplied(id: Int64, by: String, at: Date)
    /// An operator handed the resident back to the bot.
    case closed(id: Int64, by: String, at: Date)
    /// An operator handed the conversation to another department's queue.
    case transferred(id: Int64, department: String, at: Date)
    /// An operator's internal note on the conversation (the resident never sees it).
    case noted(id: Int64, note: HandoffNote)

    /// The handoff id the write names; nil for writes that name the resident's address.
    public var id: Int64? {
        switch self {
        case .operatorReplied(let id, _, _), .closed(let id, _, _), .transferred(let id, _, _), .noted(let id, _): id
        case .open, .residentWrote, .residentLeft: nil
        }
    }

    public var address: ChannelAddress? {
        switch self {
        case .open(let address, _, _, _, _), .residentWrote(let address, _), .residentLeft(let address, _): address
        case .operatorReplied, .closed, .transferred, .noted: nil
        }
    }
}

/// An operator's internal note on a conversation.
public struct HandoffNote: Hashable, Sendable {
    public var author: String
    public var text: String
    public var at: Date

    public init(author: String, text: String, at: Date) {
        self.author = author
        self.text = text
        self.at = at
    }
}

/// One line of a conversation as operators read it.
public struct TranscriptLine: Hashable, Sendable {
    public enum Speaker: String, Hashable, Sendable { case resident, bot, `operator` }
    public var from: Speaker
    public var text: String
    public var at: Date

    public init(from: Speaker, text: String, at: Date) {
        self.from = from
        self.text = text
        self.at = at
    }
}

/// The operators' queue as stored.
public protocol HandoffStore: Sendable {
    /// Handoffs in `states` (all when nil) of `departments` (all when nil; `nil` in the set: those with no
    /// department), oldest first.
    func handoffs(states: Set<Handoff.State>?, departments: Set<String?>?, limit: Int) async throws -> [Handoff]
    func handoff(_ id: Int64) async throws -> Handoff?
    /// The resident's open handoff, if any.
    func openHandoff(for address: ChannelAddress) async throws -> Handoff?
    /// The internal notes on handoff `id`, oldest first.
    func notes(of id: Int64) async throws -> [HandoffNote]
    /// The messages to and from `address` since `date`, oldest first, at most `limit` (the latest).
    func transcript(of address: ChannelAddress, since date: Date, limit: Int) async throws -> [TranscriptLine]
}
