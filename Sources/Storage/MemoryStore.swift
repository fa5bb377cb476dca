import CityModel
import Conversation
import Foundation

/// The in-memory twin of every storage port: the same contract as SQLite, nothing durable. For tests.
public actor MemoryStore: ConversationStore, TicketStore, OutboxStore, TokenStore {
    private var sessions: [ChannelAddress: Session] = [:]
    private var ticketsByNumber: [TrackingNumber: Ticket] = [:]
    private var histories: [TrackingNumber: [TicketEvent]] = [:]
    private var handled: [String: [RenderedMessage]] = [:]
    private var outbox: [Int64: OutboxEntry] = [:]
    private var tokens: [String: StaffToken] = [:]
    public private(set) var inbound: [InboundMessage] = []
    public private(set) var inlineReplies: [RenderedMessage] = []

    public init() {}

    // MARK: ConversationStore

    public func session(for address: ChannelAddress) -> Session? { sessions[address] }

    /// Starts an address with a given session (e.g. a chosen language).
    public func setSession(_ session: Session, for address: ChannelAddress) { sessions[address] = session }

    public func tickets(reportedBy address: ChannelAddress) -> [Ticket] {
        ticketsByNumber.values.filter { $0.reporter == address }.sorted { $0.draft.requestedAt > $1.draft.requestedAt }
    }

    public func ticket(_ number: TrackingNumber) -> Ticket? { ticketsByNumber[number] }

    public func replies(toExternalID id: String, channel: Channel) -> [RenderedMessage]? { handled["\(channel.rawValue):\(id)"] }

    public func commit(_ record: TurnRecord) throws {
        let key = record.inbound.externalID.map { "\(record.inbound.from.channel.rawValue):\($0)" }
        if let key, handled[key] != nil { throw StoreError.duplicateInbound }
        if record.tickets.contains(where: { ticketsByNumber[$0.trackingNumber] != nil }) { throw StoreError.trackingNumberTaken }
        inbound.append(record.inbound)
        sessions[record.inbound.from] = record.session
        for ticket in record.tickets {
            ticketsByNumber[ticket.trackingNumber] = ticket
            histories[ticket.trackingNumber] = [TicketEvent(kind: .created, at: ticket.draft.requestedAt, status: .open, actor: "resident")]
        }
        inlineReplies.append(contentsOf: record.replies)
        for message in record.outbox { enqueue(message, at: record.inbound.receivedAt) }
        if let key { handled[key] = record.replies }
    }

    // MARK: TicketStore

    public func tickets(_ filter: TicketFilter) -> [Ticket] {
        Array(ticketsByNumber.values.filter(filter.matches).sorted { $0.updatedAt > $1.updatedAt }.prefix(filter.limit))
    }

    public func history(of number: TrackingNumber) -> [TicketEvent] { histories[number] ?? [] }

    public func update(_ number: TrackingNumber, _ change: TicketChange, actor: String, at date: Date) -> Ticket? {
        guard var ticket = ticketsByNumber[number] else { return nil }
        histories[number, default: []].append(contentsOf: change.apply(to: &ticket, at: date, actor: actor))
        ticketsByNumber[number] = ticket
        return ticket
    }

    public func addNote(to number: TrackingNumber, text: String, isPublic: Bool, actor: String, at date: Date) -> TicketEvent? {
        guard ticketsByNumber[number] != nil else { return nil }
        let event = TicketEvent(kind: .note, at: date, note: text, isPublic: isPublic, actor: actor)
        histories[number, default: []].append(event)
        ticketsByNumber[number]?.updatedAt = date
        if isPublic { ticketsByNumber[number]?.publicNote = text }
        return event
    }

    /// Changes a ticket's status (a shortcut for tests).
    public func update(_ number: TrackingNumber, status: TicketStatus, note: String?, at date: Date) {
        _ = update(number, TicketChange(status: status, statusNote: note), actor: "test", at: date)
    }

    // MARK: OutboxStore

    @discardableResult
    public func enqueue(_ message: RenderedMessage, at date: Date) -> Int64 {
        let id = Int64(outbox.count + 1)
        outbox[id] = OutboxEntry(id: id, message: message, createdAt: date, dueAt: date)
        return id
    }

    public func claimDue(now: Date, limit: Int, leaseUntil: Date) -> [OutboxEntry] {
        let unfinished = outbox.values.filter { $0.state == .pending || $0.state == .sending }
        // Only each recipient's oldest unfinished message: one resident's messages leave in order.
        let heads = Dictionary(grouping: unfinished, by: \.message.to).values.compactMap { $0.min { $0.id < $1.id } }
        let due = heads.filter { $0.dueAt <= now }.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }.prefix(limit)
        return due.map { entry in
            var leased = entry
            leased.state = .sending
            leased.dueAt = leaseUntil
            leased.attempts += 1
            outbox[entry.id] = leased
            return leased
        }
    }

    public func markSent(_ id: Int64, providerID: String?, at date: Date) {
        outbox[id]?.state = .sent
        outbox[id]?.providerID = providerID
    }

    public func markRetry(_ id: Int64, error: String, retryAt: Date) {
        outbox[id]?.state = .pending
        outbox[id]?.lastError = error
        outbox[id]?.dueAt = retryAt
    }

    public func markDead(_ id: Int64, error: String, at date: Date) {
        outbox[id]?.state = .dead
        outbox[id]?.lastError = error
    }

    public func recordDelivery(providerID: String, status: String, errorCode: String?, at date: Date) -> Bool {
        guard let entry = outbox.values.first(where: { $0.providerID == providerID }) else { return false }
        if DeliveryStatus.advances(from: entry.deliveryStatus, to: status) {
            outbox[entry.id]?.deliveryStatus = status
            if let errorCode { outbox[entry.id]?.lastError = "provider error \(errorCode)" }
        }
        return true
    }

    public func outboxEntry(_ id: Int64) -> OutboxEntry? { outbox[id] }

    public func recordCarrierOptOut(_ address: ChannelAddress, at date: Date) {
        var session = sessions[address] ?? Session()
        session.optedOut = true
        sessions[address] = session
    }

    public var outboxEntries: [OutboxEntry] { outbox.values.sorted { $0.id < $1.id } }

    // MARK: TokenStore

    public func createToken(hash: String, role: StaffRole, department: String?, label: String?, at date: Date) -> StaffToken {
        let token = StaffToken(id: Int64(tokens.count + 1), role: role, department: department, label: label, createdAt: date)
        tokens[hash] = token
        return token
    }

    public func token(hash: String) -> StaffToken? { tokens[hash] }
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
