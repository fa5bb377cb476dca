import CityModel
import Conversation
import Foundation
import Localization
import Outreach
import Storage

extension Switchboard {
    /// A ticket filed for a resident outside a dialog: by a 311 operator taking a call, or by a back-end system.
    public struct TicketRequest: Sendable {
        public var service: Service
        public var description: String
        public var location: Location?
        /// The resident to keep informed (their phone for SMS, or email); nil when there is none.
        public var reporter: ChannelAddress?
        /// The resident's language; nil: the city's default.
        public var locale: LanguageTag?
        /// The client's `Idempotency-Key`: a retried request returns the first ticket and creates nothing.
        public var idempotencyKey: String?
        /// Who filed it (`staff:<token id>`), for the ticket's history.
        public var actor: String
        /// Answers to the service's questions (Open311 `attribute[…]`).
        public var attributes: [AttributeAnswer]
        /// Photos given by link (Open311 `media_url`).
        public var media: [MediaRef]

        public init(service: Service, description: String, location: Location?, reporter: ChannelAddress?, locale: LanguageTag?,
                    idempotencyKey: String?, actor: String, attributes: [AttributeAnswer] = [], media: [MediaRef] = []) {
            self.attributes = attributes
            self.media = media
            self.service = service
            self.description = description
            self.location = location
            self.reporter = reporter
            self.locale = locale
            self.idempotencyKey = idempotencyKey
            self.actor = actor
        }
    }

    /// Files `request` as a ticket, routed like a resident's own report, with the department's event and the
    /// resident's acknowledgement scheduled in the same transaction (`OutreachPolicy.jobs(created:at:)`).
    /// Returns the ticket and whether it was created now (false: the idempotency key was seen before).
    public func file(_ request: TicketRequest, in tickets: any TicketStore, policy: OutreachPolicy, at date: Date) async throws
        -> (ticket: Ticket, created: Bool) {
        // Without a resident, the ticket's reporter is who filed it, on no resident channel: nothing goes to it.
        let reporter = request.reporter ?? ChannelAddress(channel: .webhook, address: request.actor)
        return try await locks.withLock(reporter) {
            for _ in 0..<Self.sessionRetries {
                let number = try await numbers.next()
                let draft = engine.city.draft(
                    request.service, number: number, description: request.description, location: request.location,
                    attributes: request.attributes, media: request.media, locale: request.locale ?? engine.city.defaultLocale, channel: reporter.channel, at: date
                )
                let ticket = Ticket(draft: draft, reporter: reporter, updatedAt: date)
                var plan = WritePlan(jobs: policy.jobs(created: ticket, at: date), at: date)
                // A resident with no conversation yet gets one in their language, so the acknowledgement, the updates
                // and the bot's first reply speak it; a conversation that exists keeps its own.
                if reporter.channel.reachesResident {
                    let (stored, _) = try await store.turnContext(for: reporter, referencing: [])
                    if stored.session == nil {
                        plan.session = SessionWrite(reporter, Session(locale: request.locale), .version(stored.version))
                        plan.contact = ContactWrite(reporter, locale: request.locale)
                    }
                }
                do {
                    let result = try await tickets.create(ticket, idempotencyKey: request.idempotencyKey, actor: request.actor, plan: plan)
                    if result.created {
                        metrics.ticketCreated(department: ticket.department, serviceCode: request.service.code)
                        logger.info("ticket filed", metadata: [
                            "ticket.id": "\(number)", "service": "\(request.service.code)", "department": "\(ticket.department)",
                            "actor": "\(request.actor)",
                        ])
                    }
                    return result
                } catch let error as StoreError where error == .trackingNumberTaken || error == .sessionChanged {
                    continue
                }
            }
            throw StoreError.trackingNumberTaken
        }
    }
}
