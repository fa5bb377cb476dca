import CityModel
import Conversation
import Foundation

/// The in-memory twin of `ConversationStore`: same contract, nothing durable. For tests and `chat --memory`.
public actor MemoryConversationStore: ConversationStore {
    private var sessions: [ChannelAddress: Session] = [:]
    private var tickets: [TrackingNumber: Ticket] = [:]
    private var handled: [String: [RenderedMessage]] = [:]
    public private(set) var inbound: [InboundMessage] = []
    public private(set) var outbound: [RenderedMessage] = []

    public init() {}

    public func session(for address: ChannelAddress) -> Session? { sessions[address] }

    /// Starts an address with a given session (e.g. a chosen language).
    public func setSession(_ session: Session, for address: ChannelAddress) { sessions[address] = session }

    public func tickets(reportedBy address: ChannelAddress) -> [Ticket] {
        tickets.values.filter { $0.reporter == address }.sorted { $0.draft.requestedAt > $1.draft.requestedAt }
    }

    public func ticket(_ number: TrackingNumber) -> Ticket? { tickets[number] }

    public func replies(toExternalID id: String, channel: Channel) -> [RenderedMessage]? {
        handled["\(channel.rawValue):\(id)"]
    }

    public func commit(_ record: TurnRecord) throws {
        if let id = record.inbound.externalID, handled["\(record.inbound.from.channel.rawValue):\(id)"] != nil {
            throw StoreError.duplicateInbound
        }
        if record.tickets.contains(where: { tickets[$0.trackingNumber] != nil }) { throw StoreError.trackingNumberTaken }
        inbound.append(record.inbound)
        sessions[record.inbound.from] = record.session
        for ticket in record.tickets { tickets[ticket.trackingNumber] = ticket }
        outbound.append(contentsOf: record.replies)
        if let id = record.inbound.externalID {
            handled["\(record.inbound.from.channel.rawValue):\(id)"] = record.replies
        }
    }

    /// Changes a ticket's status (the staff side, until the staff API lands).
    public func update(_ number: TrackingNumber, status: TicketStatus, note: String?, at date: Date) {
        tickets[number]?.status = status
        tickets[number]?.publicNote = note
        tickets[number]?.updatedAt = date
    }
}

/// Sequential tracking numbers from a starting serial, for tests and transcripts.
public final class SequentialTrackingNumbers: TrackingNumberSource, @unchecked Sendable {
    private let lock = NSLock()
    private var serial: Int

    public init(startingAt serial: Int = 100_000) { self.serial = serial }

    public func candidate() -> TrackingNumber {
        lock.withLock { TrackingNumber(serial: serial) }
    }

    public func consumed(_ number: TrackingNumber) {
        lock.withLock {
            if number == TrackingNumber(serial: serial) { serial += 1 }
        }
    }
}
