import CityModel
import Conversation
import Foundation
import Localization
import Logging
import Messaging
import Outreach
import Rendering
import Storage

/// Runs one engine turn per inbound message and commits everything it changes at once.
///
/// inbound → already handled? (the same replies, no new effect) → load the session and the resident's
/// tickets → engine turn → render → one commit (inbound message, session, contact, tickets, replies, outbox)
/// → replies. Turns of one resident run one after another; different residents run concurrently.
public struct Switchboard: Sendable {
    /// How replies reach the resident.
    public enum Delivery: Sendable {
        /// In the channel's own response (TwiML, the terminal): returned to the caller, logged, not queued.
        case inline
        /// Through the durable outbox.
        case outbox
    }

    public let engine: Engine
    /// Message text from `Locales/`, framed by the channel's template from `Templates/`.
    public let composer: MessageComposer
    let store: any ConversationStore
    let numbers: any TrackingNumberSource
    let locks = AddressLocks()
    let logger: Logger
    /// Turns, their latency, tickets, emergencies, handoffs and opt-outs (`cityline_…`, see `CityLineMetrics`).
    public let metrics: CityLineMetrics

    public init(engine: Engine, composer: MessageComposer, store: any ConversationStore, numbers: any TrackingNumberSource,
                logger: Logger = Logger(label: "cityline.switchboard"), metrics: CityLineMetrics = CityLineMetrics()) {
        self.engine = engine
        self.composer = composer
        self.store = store
        self.numbers = numbers
        self.logger = logger
        self.metrics = metrics
    }

    /// What one inbound message led to.
    public struct Outcome: Sendable {
        /// Replies to deliver inline (empty when they went to the outbox).
        public var replies: [RenderedMessage]
        public var events: [Event]
        /// True when this message had been handled before (a redelivery): nothing new happened.
        public var redelivered: Bool
    }

    public func receive(_ message: InboundMessage, delivery: Delivery = .inline) async throws -> Outcome {
        let channel = message.from.channel
        let started = ContinuousClock.now // the turn's latency includes waiting for the resident's previous turn
        let outcome: Outcome
        do {
            outcome = try await locks.withLock(message.from) { try await receiveInOrder(message, delivery: delivery) }
        } catch {
            metrics.inboundFailure(channel)
            throw error
        }
        if outcome.redelivered {
            metrics.redelivery(channel)
        } else {
            metrics.turn(channel, took: ContinuousClock.now - started)
        }
        return outcome
    }

    /// `receive` under the resident's lock.
    private func receiveInOrder(_ message: InboundMessage, delivery: Delivery) async throws -> Outcome {
        let referenced = engine.referencedTrackingNumbers(in: message.text)
        // One read: the replies of an earlier delivery of this message, or what the turn needs.
        var (stored, tickets): (StoredSession, [Ticket])
        switch try await store.turnStart(for: message.from, externalID: message.externalID, referencing: referenced) {
        case .redelivered(let earlier):
            logger.info("redelivered message", metadata: ["channel": "\(message.from.channel.rawValue)", "from": "\(message.from.masked)"])
            return Outcome(replies: earlier, events: [], redelivered: true)
        case .new(let session, let theirs):
            (stored, tickets) = (session, theirs)
        }
        for attempt in 0..<Self.sessionRetries {
            do {
                // A retry reads again: another process wrote the session, or took the number.
                if attempt > 0 { (stored, tickets) = try await store.turnContext(for: message.from, referencing: referenced) }
                return try await runTurn(message, delivery: delivery, stored: stored, tickets: tickets)
            } catch let error as StoreError where error == .trackingNumberTaken || error == .sessionChanged {
                continue // another turn took the number, or wrote this resident's session first (another process): redo
            } catch let error as StoreError where error == .duplicateInbound {
                let earlier = try await store.replies(toExternalID: message.externalID ?? "", channel: message.from.channel)
                return Outcome(replies: earlier ?? [], events: [], redelivered: true)
            }
        }
        throw StoreError.sessionChanged
    }

    private func runTurn(_ message: InboundMessage, delivery: Delivery, stored: StoredSession, tickets: [Ticket]) async throws -> Outcome {
        let session = stored.session ?? Session()
        let inbound = Inbound(text: message.text, media: message.media, channel: message.from.channel)
        var context = TurnContext(tickets: tickets.map(\.summary), newTrackingNumber: Self.provisionalNumber)
        var turn = engine.handle(session, inbound, context: context, now: message.receivedAt)
        if let query = turn.nearbyQuery {
            // The report has a point: open tickets of its service nearby may be the same problem. Look them up and
            // run the (pure) turn again with them — unless none can be offered, which leaves the turn as it was.
            let nearby = try await store.openTickets(near: query, limit: 3)
            context.nearby = nearby
            turn = engine.settle(turn, nearby: nearby) ?? engine.handle(session, inbound, context: context, now: message.receivedAt)
        }
        if turn.events.contains(where: { if case .ticketRequested = $0 { true } else { false } }) {
            // The turn creates a ticket: take a number for it and run the (pure) turn again with it. Only these turns
            // use a number, so the sequence is not spent on every message.
            context.newTrackingNumber = try await numbers.next()
            turn = engine.handle(session, inbound, context: context, now: message.receivedAt)
        }

        // Replies belong to the ticket they created, or to the survey being answered (an email joins its thread).
        var about: TrackingNumber?
        for case .ticketRequested(let draft) in turn.events { about = about ?? draft.trackingNumber }
        if about == nil, case .survey(let step) = session.state { about = step.ticket }
        let rendered = render(turn.messages, to: message.from, locale: turn.locale, ticket: about, thread: message.thread)
        let (replies, queued) = delivery == .inline ? (rendered, []) : ([], rendered)
        let surveyTickets = TurnPlanner.surveyTickets(in: turn.events)
        let planner = TurnPlanner(
            address: message.from, before: stored, after: turn.session, locale: turn.locale, thread: message.thread,
            surveys: surveyTickets.isEmpty ? [:] : try await store.surveys(of: surveyTickets),
            operators: engine.city.operatorDepartment, at: message.receivedAt
        )
        let plan = planner.plan(turn.events, outbox: queued)
        try await store.commit(TurnRecord(inbound: message, replies: replies, plan: plan))
        metrics.committed(turn.events, plan: plan, channel: message.from.channel)
        for ticket in plan.tickets {
            logger.info("ticket created", metadata: [
                "ticket.id": "\(ticket.trackingNumber)", "service": "\(ticket.draft.serviceCode)", "department": "\(ticket.department)",
            ])
        }
        return Outcome(replies: replies, events: turn.events, redelivered: false)
    }
}

extension Switchboard {
    /// The number a turn is first run with; a turn that creates a ticket is run again with a real one.
    static let provisionalNumber = TrackingNumber(serial: 0)
}

/// One lock per channel address: a resident's turns run in order, different residents in parallel.
actor AddressLocks {
    private var waiting: [ChannelAddress: [CheckedContinuation<Void, Never>]] = [:]
    private var busy: Set<ChannelAddress> = []

    func withLock<T: Sendable>(_ address: ChannelAddress, _ body: @Sendable () async throws -> T) async throws -> T {
        await acquire(address)
        defer { release(address) }
        return try await body()
    }

    private func acquire(_ address: ChannelAddress) async {
        if busy.insert(address).inserted { return }
        await withCheckedContinuation { waiting[address, default: []].append($0) }
    }

    private func release(_ address: ChannelAddress) {
        if var queue = waiting[address], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[address] = queue.isEmpty ? nil : queue
            next.resume() // the lock passes straight to the next waiter
        } else {
            busy.remove(address)
        }
    }
}
