import CityModel
import Conversation
import Foundation
import Localization
import Rendering
import Storage

/// Runs one engine turn per inbound message and commits everything it changes at once.
///
/// inbound → already handled? (same reply, no new effect) → load the session and the resident's tickets →
/// engine turn → render replies → one commit (message, session, tickets, replies).
public struct Switchboard: Sendable {
    public let engine: Engine
    public let renderer: MessageRenderer
    let store: any ConversationStore
    let numbers: any TrackingNumberSource

    public init(engine: Engine, renderer: MessageRenderer, store: any ConversationStore, numbers: any TrackingNumberSource) {
        self.engine = engine
        self.renderer = renderer
        self.store = store
        self.numbers = numbers
    }

    /// What one inbound message led to.
    public struct Outcome: Sendable {
        public var replies: [RenderedMessage]
        public var events: [Event]
        /// True when this message had been handled before (a redelivery): nothing new happened.
        public var redelivered: Bool
    }

    public func receive(_ message: InboundMessage) async throws -> Outcome {
        if let id = message.externalID,
           let earlier = try await store.replies(toExternalID: id, channel: message.from.channel) {
            return Outcome(replies: earlier, events: [], redelivered: true)
        }
        for _ in 0..<5 {
            do {
                return try await runTurn(message)
            } catch let error as StoreError where error == .trackingNumberTaken {
                continue
            } catch let error as StoreError where error == .duplicateInbound {
                let earlier = try await store.replies(toExternalID: message.externalID ?? "", channel: message.from.channel)
                return Outcome(replies: earlier ?? [], events: [], redelivered: true)
            }
        }
        throw StoreError.trackingNumberTaken
    }

    private func runTurn(_ message: InboundMessage) async throws -> Outcome {
        let session = try await store.session(for: message.from) ?? Session()
        var tickets = try await store.tickets(reportedBy: message.from)
        for number in engine.referencedTrackingNumbers(in: message.text) where !tickets.contains(where: { $0.trackingNumber == number }) {
            if let ticket = try await store.ticket(number) { tickets.append(ticket) }
        }
        let candidate = numbers.candidate()
        let context = TurnContext(tickets: tickets.map(\.summary), newTrackingNumber: candidate)
        let inbound = Inbound(text: message.text, media: message.media, channel: message.from.channel)
        let turn = engine.handle(session, inbound, context: context, now: message.receivedAt)

        let locale = turn.session.locale ?? engine.city.defaultLocale
        var created: [Ticket] = []
        for case .ticketRequested(let draft) in turn.events {
            created.append(Ticket(draft: draft, reporter: message.from, updatedAt: message.receivedAt))
        }
        let replies = turn.messages.map { outbound in
            RenderedMessage(
                to: message.from, body: renderer.render(outbound.key, outbound.args, locale: locale),
                locale: locale, kind: outbound.kind, ticket: created.first?.trackingNumber
            )
        }
        try await store.commit(TurnRecord(
            inbound: message, session: turn.session, events: turn.events, tickets: created, replies: replies
        ))
        for ticket in created { numbers.consumed(ticket.trackingNumber) }
        return Outcome(replies: replies, events: turn.events, redelivered: false)
    }
}
