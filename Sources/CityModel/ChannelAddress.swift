/// Where a resident can be reached: a channel and an address on it (`sms` `+12175550123`).
public struct ChannelAddress: Hashable, Sendable, Codable, CustomStringConvertible {
    public var channel: Channel
    public var address: String
    public init(channel: Channel, address: String) {
        self.channel = channel
        self.address = address
    }

    /// A form safe for logs: the channel and the last two characters only (`sms:…23`).
    public var masked: String { "\(channel.rawValue):…\(address.suffix(2))" }
    public var description: String { masked }
}

/// A ticket as stored: the confirmed draft plus its life since.
public struct Ticket: Hashable, Sendable, Codable {
    public var draft: TicketDraft
    public var reporter: ChannelAddress
    public var status: TicketStatus
    public var updatedAt: Date
    /// The latest public status note (shown to residents).
    public var publicNote: String?
    /// How it was closed: `fixed`, `duplicate`, `not_ours` …
    public var resolution: String?
    public var closedAt: Date?
    /// The resident's message the report was completed in, on a channel that threads (email): every later message
    /// about the ticket to the reporter answers it, so the report stays one conversation in their mail client.
    public var thread: MessageThread?
    /// How many times it was reopened after being closed (nil: never).
    public var reopenCount: Int?

    public init(
        draft: TicketDraft, reporter: ChannelAddress, status: TicketStatus = .open, updatedAt: Date,
        publicNote: String? = nil, resolution: String? = nil, closedAt: Date? = nil, thread: MessageThread? = nil
    ) {
        self.draft = draft
        self.reporter = reporter
        self.status = status
        self.updatedAt = updatedAt
        self.publicNote = publicNote
        self.resolution = resolution
        self.closedAt = closedAt
        self.thread = thread
    }

    public var trackingNumber: TrackingNumber { draft.trackingNumber }
    /// The department that owns the ticket now (staff may reassign it).
    public var department: String { draft.department }

    public var summary: TicketSummary {
        TicketSummary(
            trackingNumber: draft.trackingNumber, serviceCode: draft.serviceCode, status: status,
            locationText: draft.location?.text, requestedAt: draft.requestedAt, updatedAt: updatedAt,
            expectedAt: draft.expectedAt, publicNote: publicNote
        )
    }
}

/// One entry of a ticket's history: its creation, a status change, a reassignment or a note.
public struct TicketEvent: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable { case created, status, department, note }
    public var kind: Kind
    public var at: Date
    public var status: TicketStatus?
    public var department: String?
    public var note: String?
    /// Whether residents may see the note.
    public var isPublic: Bool
    /// Who did it: `resident`, `staff:<token id>`, `system`.
    public var actor: String

    public init(kind: Kind, at: Date, status: TicketStatus? = nil, department: String? = nil, note: String? = nil,
                isPublic: Bool = false, actor: String) {
        self.kind = kind
        self.at = at
        self.status = status
        self.department = department
        self.note = note
        self.isPublic = isPublic
        self.actor = actor
    }
}

import Foundation
