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
    public var publicNote: String?

    public init(draft: TicketDraft, reporter: ChannelAddress, status: TicketStatus = .open, updatedAt: Date, publicNote: String? = nil) {
        self.draft = draft
        self.reporter = reporter
        self.status = status
        self.updatedAt = updatedAt
        self.publicNote = publicNote
    }

    public var trackingNumber: TrackingNumber { draft.trackingNumber }

    public var summary: TicketSummary {
        TicketSummary(
            trackingNumber: draft.trackingNumber, serviceCode: draft.serviceCode, status: status,
            locationText: draft.location?.text, requestedAt: draft.requestedAt, updatedAt: updatedAt,
            expectedAt: draft.expectedAt, publicNote: publicNote
        )
    }
}

import Foundation
