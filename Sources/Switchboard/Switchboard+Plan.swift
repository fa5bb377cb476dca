import CityModel
import Conversation
import Foundation
import Localization
import Messaging
import Outreach
import Storage

/// Where engine events become storage writes — the only place. Every event is handled here, by an exhaustive
/// `switch`: a new event nobody handles is a compile error, and a rule (reopen a ticket the resident says is not
/// fixed, record consent, count an emergency) is written once for every store.
struct TurnPlanner: Sendable {
    /// Who the turn or job is about, and their session before and after it.
    var address: ChannelAddress
    var before: StoredSession
    var after: Session
    /// The language the turn's messages were rendered in (emergencies are counted by it).
    var locale: LanguageTag
    /// The resident's message, on a channel that threads: a ticket it creates keeps it for later mail.
    var thread: MessageThread? = nil
    /// The survey records of the tickets the events name (see `surveyTickets(in:)`); absent: none yet.
    var surveys: [TrackingNumber: SurveyRecord] = [:]
    /// The department whose operators take residents who ask for a person (`City.operatorDepartment`).
    var operators: String? = nil
    var at: Date

    /// The tickets whose survey records the events change: read them before planning.
    static func surveyTickets(in events: [Event]) -> [TrackingNumber] {
        events.compactMap { event in
            switch event {
            case .surveyStarted(let ticket), .surveyAnswered(let ticket, _), .surveyEnded(let ticket, _): ticket
            default: nil
            }
        }
    }

    /// The plan for `events`, with the turn's messages for the outbox and the jobs it schedules.
    func plan(_ events: [Event], outbox: [RenderedMessage] = [], jobs: [NewJob] = []) -> WritePlan {
        var plan = WritePlan(
            session: SessionWrite(address, after, .version(before.version)),
            contact: ContactWrite(address, locale: after.locale,
                                  optedOut: (before.session?.optedOut ?? false) == after.optedOut ? nil : after.optedOut),
            outbox: outbox, jobs: jobs, at: at
        )
        var surveys = self.surveys
        for event in events {
            switch event {
            case .messageCreated:
                continue // rendered by the caller: the messages are logged in full, the event would repeat them
            case .ticketRequested(let draft):
                plan.tickets.append(Ticket(draft: draft, reporter: address, updatedAt: at, thread: thread))
                plan.jobs.append(OutreachPolicy.departmentJob(draft.trackingNumber, event: "created", at: at))
            case .languageChanged, .optedOut, .optedIn:
                break // the session after the turn carries them; the contact follows it (above)
            case .handedOff:
                let report = events.lazy.compactMap { if case .reportHandedOver(let draft) = $0 { draft } else { nil } }.first
                plan.handoffs.append(.open(address, locale: after.locale ?? locale, department: operators, report: report, at: at))
            case .reportHandedOver:
                break // kept with the handoff it belongs to (above)
            case .forwardedToAgent:
                plan.handoffs.append(.residentWrote(address, at: at))
            case .informationAnswered, .sessionEnded, .tooFast, .dangerCautioned:
                break // kept as events: the KPIs read them
            case .emergencyTriaged(let trigger):
                plan.emergencies.append(EmergencyRecord(trigger: trigger, channel: address.channel, locale: locale, at: at))
            case .followRequested(let ticket):
                plan.follows.append(Follow(ticket, by: address))
            case .surveyStarted(let ticket):
                if surveys[ticket] == nil { surveys[ticket] = SurveyRecord(ticket: ticket, state: .asked, startedAt: at, updatedAt: at) }
            case .surveyAnswered(let ticket, let response):
                var record = surveys[ticket] ?? SurveyRecord(ticket: ticket, state: .asked, startedAt: at, updatedAt: at)
                switch response {
                case .fixed(let fixed): record.fixed = fixed
                case .rating(let rating): record.rating = rating
                case .comment(let comment): record.comment = comment
                }
                record.state = .answered
                record.updatedAt = at
                surveys[ticket] = record
            case .surveyEnded(let ticket, let expired):
                if expired, surveys[ticket]?.state == .asked {
                    surveys[ticket]?.state = .expired
                    surveys[ticket]?.updatedAt = at
                }
            case .alertsSubscribed(let place):
                plan.alerts.append(.subscribe(AlertSubscription(address: address, place: place, locale: after.locale ?? locale,
                                                                source: address.channel.rawValue, consentedAt: at)))
            case .alertsStopped:
                plan.alerts.append(.unsubscribeAll(address))
            case .reopenRequested(let ticket):
                plan.ticketUpdates.append(TicketUpdate(
                    ticket: ticket, ifStatus: .closed, change: TicketChange(status: .open), actor: "resident",
                    notes: [TicketEvent(kind: .note, at: at, note: Self.reopenNote, isPublic: false, actor: "resident")],
                    jobs: [OutreachPolicy.departmentJob(ticket, event: "reopened", at: at)]
                ))
            }
            plan.events.append(event)
        }
        // STOP (or a carrier opt-out) ends consent to area notices as well: nothing is sent after STOP, and START
        // does not bring them back unasked.
        if after.optedOut, !(before.session?.optedOut ?? false) { plan.alerts.append(.unsubscribeAll(address)) }
        // A resident who was with a person and is not any more (RESTART, STOP) leaves the operators' queue.
        if before.session?.state == .withAgent, after.state != .withAgent || after.optedOut,
           !events.contains(where: { if case .handedOff = $0 { true } else { false } }) {
            plan.handoffs.append(.residentLeft(address, at: at))
        }
        plan.surveys = Self.surveyTickets(in: events).reduce(into: [TrackingNumber]()) { if !$0.contains($1) { $0.append($1) } }
            .compactMap { surveys[$0] }
        return plan
    }

    /// The internal note on a ticket the resident reopened.
    static let reopenNote = "The resident says it is not fixed (satisfaction survey). Reopened."
}

extension Switchboard {
    /// Records that `address` may not be written to any more (see `OptOutRecorder`), in turn with the resident's
    /// own messages.
    public func recordOptOut(_ address: ChannelAddress, at date: Date) async throws {
        try await locks.withLock(address) {
            if try await OptOutRecorder.record(address, at: date, in: store) { metrics.optOut(address.channel, source: .unsubscribe) }
        }
    }

    /// How many times a turn is redone when another process wrote the resident's session first.
    static let sessionRetries = 8
}

/// Records that an address may not be written to any more — the carrier refused a message because the resident
/// opted out with it (Twilio 21610), or they used an email's unsubscribe link — as if they had sent STOP:
/// nothing more is sent until they send START.
public enum OptOutRecorder {
    /// Returns false when the address had opted out already (nothing written).
    @discardableResult
    public static func record(_ address: ChannelAddress, at date: Date, in store: any ConversationStore) async throws -> Bool {
        for _ in 0..<Switchboard.sessionRetries {
            let (stored, _) = try await store.turnContext(for: address, referencing: [])
            var session = stored.session ?? Session()
            guard !session.optedOut else { return false }
            session.optedOut = true
            let planner = TurnPlanner(address: address, before: stored, after: session, locale: session.locale ?? .english, at: date)
            do {
                try await store.apply(planner.plan([]))
                return true
            } catch let error as StoreError where error == .sessionChanged {
                continue
            }
        }
        throw StoreError.sessionChanged
    }
}
