import CityModel
import Conversation
import Foundation
import Localization
import Messaging
import Outreach
import Storage

/// What 311 operators do with residents who asked for a person: read the queue, answer, hand them back to the
/// bot or to another department. Every action runs in turn with the resident's own messages (the switchboard's
/// lock for the address, and the session's version in the store), and what it sends goes through the durable
/// outbox on the resident's channel (`kind: operator_reply`: never after STOP, at any hour).
public struct OperatorDesk: Sendable {
    /// Why an action was refused; nothing was written or sent.
    public enum Problem: Error, Equatable, Sendable {
        case notFound
        /// The conversation is closed (by an operator, or the resident left).
        case closed
        case emptyText
        /// Longer than `maxReply` characters.
        case tooLong(max: Int)
        case unknownDepartment
    }

    /// The longest reply an operator may send (an SMS of ten segments).
    public static let maxReply = 1_600
    /// How far back the transcript reaches before the resident asked for a person (the report they were making).
    public static let transcriptLead: TimeInterval = 24 * 3600

    let switchboard: Switchboard
    let store: any ConversationStore & HandoffStore & TicketStore
    let policy: OutreachPolicy
    let clock: @Sendable () -> Date

    public init(switchboard: Switchboard, store: any ConversationStore & HandoffStore & TicketStore, policy: OutreachPolicy? = nil,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.switchboard = switchboard
        self.store = store
        self.policy = policy ?? OutreachPolicy(city: switchboard.engine.city)
        self.clock = clock
    }

    public var city: City { switchboard.engine.city }

    /// Conversations in `states` that `departments` may see (nil: all), oldest first.
    public func queue(states: Set<Handoff.State>?, departments: Set<String?>?, limit: Int = 100) async throws -> [Handoff] {
        try await store.handoffs(states: states, departments: departments, limit: limit)
    }

    /// The queue as `token` sees it: its department's conversations (all for admin), those in the languages the
    /// operator answers in first, each part oldest first. Every conversation stays visible to every operator of
    /// the department until someone takes it.
    public func queue(for token: StaffToken, states: Set<Handoff.State>?, limit: Int = 100) async throws -> [Handoff] {
        let departments: Set<String?>? = token.role == .admin ? nil : [token.department]
        let all = try await queue(states: states, departments: departments, limit: limit)
        return all.filter { token.speaks($0.locale) } + all.filter { !token.speaks($0.locale) }
    }

    /// One conversation: the handoff, what was said both ways (from a day before the resident asked for a person),
    /// and the resident's tickets.
    public func notes(_ id: Int64) async throws -> [HandoffNote] { try await store.notes(of: id) }

    public func conversation(_ id: Int64) async throws -> (Handoff, [TranscriptLine], [Ticket]) {
        let handoff = try await handoff(id)
        let lines = try await store.transcript(of: handoff.address, since: handoff.openedAt.addingTimeInterval(-Self.transcriptLead), limit: 500)
        let tickets = try await self.tickets(of: handoff)
        return (handoff, lines.filter { line in handoff.closedAt.map { line.at <= $0 } ?? true }, tickets)
    }

    /// The city's canned responses (`canned.*` in `Locales/`) in the resident's language, for the operator to
    /// pick and edit before sending.
    public func cannedResponses(for handoff: Handoff) -> (locale: LanguageTag, responses: [(key: String, text: String)]) {
        let locale = handoff.locale ?? city.defaultLocale
        let renderer = switchboard.composer.renderer
        let keys = (renderer.catalog.strings[city.defaultLocale] ?? [:]).keys.filter { $0.hasPrefix("canned.") }.sorted()
        return (locale, keys.map { ($0, renderer.render($0, locale: locale)) })
    }

    /// One conversation's handoff.
    public func handoff(_ id: Int64) async throws -> Handoff {
        guard let handoff = try await store.handoff(id) else { throw Problem.notFound }
        return handoff
    }

    /// The reports of the conversation's resident.
    public func tickets(of handoff: Handoff) async throws -> [Ticket] { try await store.tickets(reportedBy: handoff.address) }

    /// Sends an operator's reply to the resident; the conversation becomes active and theirs.
    @discardableResult
    public func reply(_ id: Int64, text: String, by operatorName: String) async throws -> Handoff {
        let text = try Self.checked(text)
        return try await act(on: id) { handoff, stored, tickets, now in
            let locale = stored.session?.locale ?? handoff.locale ?? city.defaultLocale
            let message = OutboundMessage("agent.reply", ["text": .text(text), "program": .text(program(locale))], kind: .operatorReply)
            return WritePlan(outbox: render([message], to: handoff.address, locale: locale, tickets: tickets),
                             handoffs: [.operatorReplied(id: id, by: operatorName, at: now)], at: now)
        }
    }

    /// Hands the resident back to the bot, with the operator's last words if any and a line saying so.
    @discardableResult
    public func close(_ id: Int64, by operatorName: String, text: String? = nil) async throws -> Handoff {
        let last = try text.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : try Self.checked($0) }
        return try await act(on: id) { handoff, stored, tickets, now in
            var session = stored.session ?? Session(locale: handoff.locale)
            if session.state == .withAgent { session.state = .idle }
            let locale = session.locale ?? handoff.locale ?? city.defaultLocale
            var messages: [OutboundMessage] = []
            if let last { messages.append(OutboundMessage("agent.reply", ["text": .text(last), "program": .text(program(locale))], kind: .operatorReply)) }
            messages.append(OutboundMessage("agent.ended", ["program": .text(program(locale))], kind: .operatorReply))
            return WritePlan(session: SessionWrite(handoff.address, session, .version(stored.version)),
                             outbox: render(messages, to: handoff.address, locale: locale, tickets: tickets),
                             handoffs: [.closed(id: id, by: operatorName, at: now)], at: now)
        }
    }

    /// Files a report for the resident of conversation `id`, routed like their own (to whichever department the
    /// service and place go to); they get the acknowledgement with the tracking number on their channel, in their
    /// language, then every update. Returns the ticket and whether it was created now (false: `idempotencyKey`
    /// was seen before).
    public func file(_ id: Int64, service: Service, description: String, location: Location?, by actor: String,
                     idempotencyKey: String?) async throws -> (ticket: Ticket, created: Bool) {
        guard let handoff = try await store.handoff(id) else { throw Problem.notFound }
        guard handoff.isOpen else { throw Problem.closed }
        let request = Switchboard.TicketRequest(service: service, description: description, location: location, reporter: handoff.address,
                                                locale: handoff.locale, idempotencyKey: idempotencyKey, actor: actor)
        return try await switchboard.file(request, in: store, policy: policy, at: clock())
    }

    /// Adds an operator's internal note to the conversation; nothing reaches the resident.
    @discardableResult
    public func addNote(_ id: Int64, text: String, by operatorName: String) async throws -> Handoff {
        let text = try Self.checked(text)
        return try await act(on: id) { _, _, _, now in
            WritePlan(handoffs: [.noted(id: id, note: HandoffNote(author: operatorName, text: text, at: now))], at: now)
        }
    }

    /// Puts the conversation in `department`'s queue (waiting, unassigned).
    @discardableResult
    public func transfer(_ id: Int64, to department: String) async throws -> Handoff {
        guard city.department(department) != nil else { throw Problem.unknownDepartment }
        return try await act(on: id) { _, _, _, now in
            WritePlan(handoffs: [.transferred(id: id, department: department, at: now)], at: now)
        }
    }

    /// Runs `plan` for handoff `id` in turn with the resident's messages, again when their session changed meanwhile.
    private func act(on id: Int64, _ plan: @escaping @Sendable (Handoff, StoredSession, [Ticket], Date) -> WritePlan) async throws -> Handoff {
        guard let handoff = try await store.handoff(id) else { throw Problem.notFound }
        guard handoff.isOpen else { throw Problem.closed }
        return try await switchboard.locks.withLock(handoff.address) {
            for _ in 0..<Switchboard.sessionRetries {
                let (stored, tickets) = try await store.turnContext(for: handoff.address, referencing: [])
                guard let current = try await store.handoff(id), current.isOpen else { throw Problem.closed }
                do {
                    try await store.apply(plan(current, stored, tickets, clock()))
                } catch let error as StoreError where error == .sessionChanged {
                    continue
                } catch let error as StoreError where error == .handoffClosed {
                    throw Problem.closed
                }
                guard let changed = try await store.handoff(id) else { throw Problem.notFound }
                return changed
            }
            throw StoreError.sessionChanged
        }
    }

    /// On a channel that threads (email), the messages join the thread of the resident's latest report.
    private func render(_ messages: [OutboundMessage], to address: ChannelAddress, locale: LanguageTag, tickets: [Ticket]) -> [RenderedMessage] {
        let latest = switchboard.composer.profiles[address.channel].threading ? tickets.max { $0.draft.requestedAt < $1.draft.requestedAt } : nil
        return switchboard.render(messages, to: address, locale: locale, ticket: latest?.trackingNumber, thread: latest?.thread)
    }

    private func program(_ locale: LanguageTag) -> String { city.program.resolve(locale, fallbacks: city.fallbackLocales) }

    static func checked(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw Problem.emptyText }
        guard trimmed.count <= maxReply else { throw Problem.tooLong(max: maxReply) }
        return trimmed
    }
}
