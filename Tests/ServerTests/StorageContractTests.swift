import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import Localization
import Messaging
import Outreach
import Storage
import StorageSQLite
import Testing

/// One contract, every store: the in-memory twin, SQLite and PostgreSQL (when CITYLINE_TEST_DATABASE_URL names a server).
@Suite struct StorageContractTests {
    func record(_ inbound: InboundMessage, tickets: [Ticket] = [], reply: String = "ok", queued: [String] = []) -> TurnRecord {
        var session = Session()
        session.lastActivity = inbound.receivedAt
        let to = inbound.from
        return seedTurn(inbound, session: session, tickets: tickets, replies: [RenderedMessage(to: to, body: reply, locale: .english, kind: .reply)],
                        queued: queued.map { RenderedMessage(to: to, body: $0, locale: .english, kind: .notice) })
    }

    @Test(arguments: StoreKind.allCases)
    func turnCommitsAndReads(kind: StoreKind) async throws {
        let store = try await kind.make()
        let address = ChannelAddress(channel: .sms, address: "+12175550100")
        #expect(try await store.session(for: address) == nil)
        try await store.commit(record(sms("+12175550100", "hi", id: "SM1"), tickets: [ticket(1)], reply: "hello"))
        #expect(try await store.session(for: address)?.lastActivity == t0)
        #expect(try await store.replies(toExternalID: "SM1", channel: .sms)?.map(\.body) == ["hello"])
        #expect(try await store.replies(toExternalID: "SM2", channel: .sms) == nil)
        #expect(try await store.tickets(reportedBy: address).map(\.trackingNumber) == [TrackingNumber(serial: 1)])
        #expect(try await store.ticket(TrackingNumber(serial: 1))?.draft.serviceCode == "pothole")
        #expect(try await store.history(of: TrackingNumber(serial: 1)).map(\.kind) == [.created])
    }

    /// A message's first read: a redelivery's replies, else the session (with its version) and the resident's tickets.
    @Test(arguments: StoreKind.allCases)
    func turnStartIsARedeliveryOrTheTurnsContext(kind: StoreKind) async throws {
        let store = try await kind.make()
        let address = ChannelAddress(channel: .sms, address: "+12175550100")
        guard case .new(let empty, let none) = try await store.turnStart(for: address, externalID: "SM1", referencing: []) else {
            Issue.record("a message never seen is new")
            return
        }
        #expect(empty.session == nil && none.isEmpty)
        try await store.commit(record(sms("+12175550100", "hi", id: "SM1"), tickets: [ticket(1)], reply: "hello"))
        guard case .redelivered(let replies) = try await store.turnStart(for: address, externalID: "SM1", referencing: []) else {
            Issue.record("SM1 was handled")
            return
        }
        #expect(replies.map(\.body) == ["hello"])
        guard case .new(let stored, let tickets) = try await store.turnStart(for: address, externalID: "SM2", referencing: []),
              case .new(let noID, _) = try await store.turnStart(for: address, externalID: nil, referencing: []) else {
            Issue.record("SM2 and a message without an id are new")
            return
        }
        let (context, contextTickets) = try await store.turnContext(for: address, referencing: [])
        #expect(stored.session?.lastActivity == t0 && stored.version == context.version && noID.version == context.version)
        #expect(tickets.map(\.trackingNumber) == [TrackingNumber(serial: 1)] && contextTickets.map(\.trackingNumber) == tickets.map(\.trackingNumber))
    }

    /// Open tickets near a new report: of its service, within the radius, since the day asked, nearest first;
    /// a closed ticket is not one, a reopened one is again.
    @Test(arguments: StoreKind.allCases)
    func openTicketsNearAPoint(kind: StoreKind) async throws {
        let store = try await kind.make()
        let here = Coordinate(latitude: 39.7666, longitude: -89.6781)
        func at(_ serial: Int, metresNorth: Double, service: String = "pothole", daysAgo: Double = 1) -> Ticket {
            var made = ticket(serial, at: t0.addingTimeInterval(-daysAgo * 86_400))
            made.draft.serviceCode = service
            made.draft.location = Location(kind: .address, text: "near", coordinate: Coordinate(latitude: here.latitude + metresNorth / 111_320,
                                                                                            longitude: here.longitude))
            return made
        }
        let tickets = [at(1, metresNorth: 40), at(2, metresNorth: 10), at(3, metresNorth: 10, service: "graffiti"), at(4, metresNorth: 400),
                       at(5, metresNorth: 5, daysAgo: 45), at(6, metresNorth: 20)]
        try await store.commit(record(sms("+12175550100", "seed", id: "SM1"), tickets: tickets))
        let query = NearbyQuery(serviceCode: "pothole", coordinate: here, radius: 250, since: t0.addingTimeInterval(-30 * 86_400))
        var found = try await store.openTickets(near: query, limit: 5)
        #expect(found.map(\.ticket.trackingNumber.digits) == [2, 6, 1].map { TrackingNumber(serial: $0).digits })
        #expect(abs((found.first?.distance ?? 0) - 10) < 1)
        #expect(try await store.openTickets(near: query, limit: 1).count == 1)
        _ = try await store.update(TrackingNumber(serial: 2), TicketChange(status: .closed), actor: "staff:1", at: t0)
        found = try await store.openTickets(near: query, limit: 5)
        #expect(found.map(\.ticket.trackingNumber.digits) == [6, 1].map { TrackingNumber(serial: $0).digits }, "a closed ticket is not offered")
        _ = try await store.update(TrackingNumber(serial: 2), TicketChange(status: .open), actor: "staff:1", at: t0)
        #expect(try await store.openTickets(near: query, limit: 1).first?.ticket.trackingNumber == TrackingNumber(serial: 2), "reopened")
        var elsewhere = query
        elsewhere.serviceCode = "sidewalk"
        #expect(try await store.openTickets(near: elsewhere, limit: 5).isEmpty)
    }

    /// Each "call 911" answer is kept for the KPIs — trigger, channel, language and time, nothing personal — with
    /// the turn's events, and a redelivered message adds none.
    @Test(arguments: StoreKind.allCases)
    func emergenciesAnsweredAndEventsAreKept(kind: StoreKind) async throws {
        let store = try await kind.make()
        var turn = record(sms("+12175550100", "my house is on fire", id: "SM1"))
        turn.plan.emergencies = [EmergencyRecord(trigger: "fire", channel: .sms, locale: LanguageTag("es"), at: t0)]
        turn.plan.events = [.emergencyTriaged(trigger: "fire"), .sessionEnded(.emergency)]
        turn.replies = [RenderedMessage(to: turn.inbound.from, body: "Llame al 911", locale: LanguageTag("es"), kind: .emergency)]
        try await store.commit(turn)
        var next = record(sms("+12175550100", "pothole", id: "SM2"))
        next.plan.session?.condition = .version(1)
        try await store.commit(next)
        await #expect(throws: StoreError.duplicateInbound) { try await store.commit(turn) }
        #expect(try await store.emergencies(since: t0) == [EmergencyRecord(trigger: "fire", channel: .sms, locale: LanguageTag("es"), at: t0)])
        #expect(try await store.emergencies(since: t0.addingTimeInterval(1)).isEmpty)
        #expect(try await store.events(since: t0) == [
            EventRecord(event: .emergencyTriaged(trigger: "fire"), channel: .sms, at: t0),
            EventRecord(event: .sessionEnded(.emergency), channel: .sms, at: t0),
        ])
    }

    /// Two turns of one resident that read the same session: only the first commits; the second writes nothing
    /// (not even its inbound message or tickets) and is redone by the switchboard. How turns stay in order across
    /// processes.
    @Test(arguments: StoreKind.allCases)
    func aSessionWrittenSinceItWasReadRefusesTheWholeTurn(kind: StoreKind) async throws {
        let store = try await kind.make()
        let address = ChannelAddress(channel: .sms, address: "+1")
        try await store.commit(record(sms("+1", "a", id: "SM1")))
        let (read, _) = try await store.turnContext(for: address, referencing: [])
        #expect(read.version == 1)
        var first = record(sms("+1", "b", id: "SM2"))
        first.plan.session?.condition = .version(read.version)
        var second = record(sms("+1", "c", id: "SM3"), tickets: [ticket(5, reporter: "+1")], queued: ["x"])
        second.plan.session?.condition = .version(read.version)
        try await store.commit(first)
        await #expect(throws: StoreError.sessionChanged) { try await store.commit(second) }
        #expect(try await store.replies(toExternalID: "SM3", channel: .sms) == nil)
        #expect(try await store.ticket(TrackingNumber(serial: 5)) == nil)
        #expect(try await store.claimDue(now: t0, limit: 10, leaseUntil: t0).isEmpty)
        // A new resident's first turn names version 0; a second "first" turn is refused too.
        await #expect(throws: StoreError.sessionChanged) { try await store.commit(record(sms("+1", "d", id: "SM4"))) }
        #expect(try await store.turnContext(for: address, referencing: []).0.version == 2)
        // `.absent` writes a session only where there is none, and never fails.
        try await store.apply(WritePlan(session: SessionWrite(address, Session(locale: LanguageTag("vi")), .absent), at: t0))
        #expect(try await store.session(for: address)?.locale == nil)
    }

    /// The parts of a plan a store carries out without deciding anything: a ticket update only where its condition
    /// holds, followers once, survey records replaced, consent changes.
    @Test(arguments: StoreKind.allCases)
    func planPartsArePersistedAsWritten(kind: StoreKind) async throws {
        let store = try await kind.make()
        let resident = ChannelAddress(channel: .sms, address: "+1")
        let neighbour = ChannelAddress(channel: .sms, address: "+2")
        try await store.commit(record(sms("+1", "a", id: "SM1"), tickets: [ticket(1, reporter: "+1"), ticket(2, reporter: "+1")]))
        _ = try await store.update(TrackingNumber(serial: 1), TicketChange(status: .closed), actor: "staff:1", at: t0)
        let reopen = { (serial: Int) in
            TicketUpdate(ticket: TrackingNumber(serial: serial), ifStatus: .closed, change: TicketChange(status: .open), actor: "resident",
                         notes: [TicketEvent(kind: .note, at: t0, note: "why", isPublic: false, actor: "resident")],
                         jobs: [NewJob(.departmentEvent(ticket: TrackingNumber(serial: serial), event: "reopened"), key: "r\(serial)", dueAt: t0)])
        }
        let later = t0.addingTimeInterval(60)
        let survey = SurveyRecord(ticket: TrackingNumber(serial: 1), state: .answered, fixed: .no, startedAt: t0, updatedAt: later)
        try await store.apply(WritePlan(
            contact: ContactWrite(neighbour, locale: LanguageTag("es"), optedOut: true),
            ticketUpdates: [reopen(1), reopen(2)],
            follows: [Follow(TrackingNumber(serial: 1), by: neighbour), Follow(TrackingNumber(serial: 1), by: neighbour),
                      Follow(TrackingNumber(serial: 9), by: neighbour)],
            surveys: [survey], at: later
        ))
        #expect(try await store.ticket(TrackingNumber(serial: 1))?.status == .open)
        #expect(try await store.history(of: TrackingNumber(serial: 1)).map(\.kind) == [.created, .status, .status, .note])
        #expect(try await store.job(dedupeKey: "r1") != nil)
        // Ticket 2 was never closed: untouched, and its job not scheduled.
        #expect(try await store.history(of: TrackingNumber(serial: 2)).map(\.kind) == [.created])
        #expect(try await store.job(dedupeKey: "r2") == nil)
        #expect(try await store.followers(of: TrackingNumber(serial: 1)) == [neighbour])
        #expect(try await store.survey(of: TrackingNumber(serial: 1)) == survey)
        #expect(try await store.surveys(of: [TrackingNumber(serial: 1), TrackingNumber(serial: 2)]) == [TrackingNumber(serial: 1): survey])
        #expect(try await store.recipient(resident).optedOut == false)
        try await store.apply(WritePlan(outbox: [RenderedMessage(to: neighbour, body: "update", locale: .english, kind: .statusUpdate)], at: later))
        #expect(try await store.claimDue(now: later, limit: 10, leaseUntil: later).first?.recipientOptedOutAt == later)
    }

    @Test(arguments: StoreKind.allCases)
    func duplicateInboundChangesNothing(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit(record(sms("+1", "a", id: "SM1")))
        await #expect(throws: StoreError.duplicateInbound) {
            try await store.commit(record(sms("+1", "b", id: "SM1"), tickets: [ticket(2)]))
        }
        #expect(try await store.ticket(TrackingNumber(serial: 2)) == nil)
        // The same id on another channel is another message.
        try await store.commit(record(InboundMessage(from: ChannelAddress(channel: .chat, address: "x"), text: "a", externalID: "SM1", receivedAt: t0)))
    }

    @Test(arguments: StoreKind.allCases)
    func takenTrackingNumberRollsBackTheWholeTurn(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit(record(sms("+1", "a", id: "SM1"), tickets: [ticket(7)]))
        await #expect(throws: StoreError.trackingNumberTaken) {
            try await store.commit(record(sms("+2", "b", id: "SM2"), tickets: [ticket(7, reporter: "+2")], queued: ["x"]))
        }
        #expect(try await store.replies(toExternalID: "SM2", channel: .sms) == nil)
        #expect(try await store.session(for: ChannelAddress(channel: .sms, address: "+2")) == nil)
        #expect(try await store.claimDue(now: t0, limit: 10, leaseUntil: t0).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func staffChangesKeepHistory(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit(record(sms("+1", "a", id: "SM1"), tickets: [ticket(1), ticket(2, department: "parks")]))
        let later = t0.addingTimeInterval(3600)
        let updated = try await store.update(TrackingNumber(serial: 1), TicketChange(status: .inProgress, statusNote: "Crew on the way"),
                                             actor: "staff:1", at: later)
        #expect(updated?.status == .inProgress)
        #expect(updated?.publicNote == "Crew on the way")
        _ = try await store.update(TrackingNumber(serial: 1), TicketChange(status: .closed, resolution: "fixed"), actor: "staff:1", at: later)
        let note = try await store.addNote(to: TrackingNumber(serial: 1), text: "internal", isPublic: false, actor: "staff:1", at: later)
        #expect(note?.isPublic == false)
        #expect(try await store.addNote(to: TrackingNumber(serial: 9), text: "x", isPublic: false, actor: "s", at: later) == nil)
        let closed = try #require(try await store.ticket(TrackingNumber(serial: 1)))
        #expect(closed.status == .closed && closed.closedAt == later && closed.resolution == "fixed")
        #expect(try await store.history(of: TrackingNumber(serial: 1)).map(\.kind) == [.created, .status, .status, .note])

        #expect(try await store.tickets(TicketFilter(departments: ["parks"])).map(\.trackingNumber) == [TrackingNumber(serial: 2)])
        #expect(try await store.tickets(TicketFilter(statuses: [.closed])).count == 1)
        #expect(try await store.tickets(TicketFilter(updatedSince: later)).count == 1)
        #expect(try await store.tickets(TicketFilter(serviceCode: "graffiti")).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func oneRecipientsMessagesLeaveInOrder(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit(record(sms("+1", "a", id: "SM1"), queued: ["first", "second"]))
        try await store.commit(record(sms("+2", "b", id: "SM2"), queued: ["other"]))
        let claimed = try await store.claimDue(now: t0, limit: 10, leaseUntil: t0.addingTimeInterval(60))
        #expect(claimed.map(\.message.body).sorted() == ["first", "other"])
        let first = try #require(claimed.first { $0.message.body == "first" })
        try await store.markSent(try #require(claimed.first { $0.message.body == "other" }).id, providerID: nil, at: t0)
        // "first" must be retried later: "second" waits for it.
        try await store.markRetry(first.id, error: "HTTP 503", retryAt: t0.addingTimeInterval(120), held: false)
        #expect(try await store.claimDue(now: t0.addingTimeInterval(61), limit: 10, leaseUntil: t0.addingTimeInterval(200)).isEmpty)
        let retried = try await store.claimDue(now: t0.addingTimeInterval(121), limit: 10, leaseUntil: t0.addingTimeInterval(200))
        #expect(retried.map(\.message.body) == ["first"])
        try await store.markSent(retried[0].id, providerID: nil, at: t0)
        #expect(try await store.claimDue(now: t0.addingTimeInterval(122), limit: 10, leaseUntil: t0.addingTimeInterval(300))
            .map(\.message.body) == ["second"])
    }

    @Test(arguments: StoreKind.allCases)
    func outboxLeasesRetriesAndDeadLetters(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit(record(sms("+1", "a", id: "SM1"), queued: ["one"]))
        try await store.commit(record(sms("+2", "b", id: "SM2"), queued: ["two"]))
        let claimed = try await store.claimDue(now: t0, limit: 10, leaseUntil: t0.addingTimeInterval(60))
        #expect(claimed.map(\.message.body) == ["one", "two"])
        #expect(claimed.allSatisfy { $0.attempts == 1 && $0.state == .sending })
        // Leased: not due again until the lease runs out (a crashed dispatcher's entries come back).
        #expect(try await store.claimDue(now: t0.addingTimeInterval(30), limit: 10, leaseUntil: t0.addingTimeInterval(90)).isEmpty)
        try await store.markSent(claimed[0].id, providerID: "SMout1", at: t0)
        try await store.markRetry(claimed[1].id, error: "HTTP 503", retryAt: t0.addingTimeInterval(120), held: false)
        #expect(try await store.claimDue(now: t0.addingTimeInterval(61), limit: 10, leaseUntil: t0.addingTimeInterval(200)).isEmpty)
        let again = try await store.claimDue(now: t0.addingTimeInterval(121), limit: 10, leaseUntil: t0.addingTimeInterval(200))
        #expect(again.map(\.attempts) == [2])
        try await store.markDead(again[0].id, error: "HTTP 400", at: t0)
        #expect(try await store.outboxEntry(again[0].id)?.state == .dead)
        #expect(try await store.outboxEntry(again[0].id)?.lastError == "HTTP 400")

        // Delivery receipts only move forward.
        #expect(try await store.recordDelivery(providerID: "SMout1", status: "delivered", errorCode: nil, at: t0))
        #expect(try await store.recordDelivery(providerID: "SMout1", status: "sent", errorCode: nil, at: t0))
        #expect(try await store.outboxEntry(claimed[0].id)?.deliveryStatus == "delivered")
        #expect(try await store.recordDelivery(providerID: "SMnope", status: "sent", errorCode: nil, at: t0) == false)
    }

    /// A provider can call back before the dispatcher has recorded the id its send returned: the receipt is kept
    /// (its furthest status, its error code) and lands when the id is recorded; one older than an hour does not.
    @Test(arguments: StoreKind.allCases)
    func aReceiptThatComesBeforeItsMessageIsMarkedSentStillLands(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.commit(record(sms("+1", "a", id: "SM1"), queued: ["one"]))
        try await store.commit(record(sms("+2", "b", id: "SM2"), queued: ["two"]))
        try await store.commit(record(sms("+3", "c", id: "SM3"), queued: ["three"]))
        let claimed = try await store.claimDue(now: t0, limit: 10, leaseUntil: t0.addingTimeInterval(60))
        #expect(claimed.map(\.message.body) == ["one", "two", "three"])

        #expect(try await store.recordDelivery(providerID: "SMearly", status: "sent", errorCode: nil, at: t0) == false)
        #expect(try await store.recordDelivery(providerID: "SMearly", status: "undelivered", errorCode: "30003", at: t0) == false)
        #expect(try await store.recordDelivery(providerID: "SMearly", status: "queued", errorCode: nil, at: t0) == false)
        #expect(try await store.outboxEntry(claimed[0].id)?.deliveryStatus == nil)
        try await store.markSent(claimed[0].id, providerID: "SMearly", at: t0.addingTimeInterval(1))
        let landed = try #require(try await store.outboxEntry(claimed[0].id))
        #expect(landed.deliveryStatus == "undelivered")
        #expect(landed.lastError == "provider error 30003")
        // Applied once: the id is known now, and a later receipt moves it forward only.
        #expect(try await store.recordDelivery(providerID: "SMearly", status: "delivered", errorCode: nil, at: t0.addingTimeInterval(2)))
        #expect(try await store.outboxEntry(claimed[0].id)?.deliveryStatus == "undelivered", "delivered ranks with undelivered: no change")
        #expect(try await store.recordDelivery(providerID: "SMearly", status: "read", errorCode: nil, at: t0.addingTimeInterval(2)))
        #expect(try await store.outboxEntry(claimed[0].id)?.deliveryStatus == "read")

        // Another message's id leaves it untouched; a receipt kept over an hour is dropped.
        try await store.markSent(claimed[1].id, providerID: "SMother", at: t0.addingTimeInterval(2))
        #expect(try await store.outboxEntry(claimed[1].id)?.deliveryStatus == nil)
        #expect(try await store.recordDelivery(providerID: "SMstale", status: "delivered", errorCode: nil, at: t0) == false)
        try await store.markSent(claimed[2].id, providerID: "SMstale", at: t0.addingTimeInterval(DeliveryStatus.earlyReceiptRetention + 1))
        #expect(try await store.outboxEntry(claimed[2].id)?.deliveryStatus == nil)
    }

    /// The queue depths `/metrics` reads: entries and jobs counted by state, a state with none absent.
    @Test(arguments: StoreKind.allCases)
    func queuesAreCountedByState(kind: StoreKind) async throws {
        let store = try await kind.make()
        #expect(try await store.outboxCounts().isEmpty)
        #expect(try await store.jobCounts().isEmpty)
        try await store.commit(record(sms("+1", "a", id: "SM1"), queued: ["one", "two"]))
        let claimed = try await store.claimDue(now: t0, limit: 10, leaseUntil: t0.addingTimeInterval(60))
        try await store.markDead(claimed[0].id, error: "refused", at: t0)
        #expect(try await store.outboxCounts() == [.dead: 1, .pending: 1], "one recipient's messages leave one at a time")
        try await store.schedule([OutreachPolicy.departmentJob(TrackingNumber(serial: 1), event: "created", at: t0),
                                  OutreachPolicy.departmentJob(TrackingNumber(serial: 2), event: "created", at: t0)], at: t0)
        let job = try #require(try await store.claimJobs(now: t0, limit: 1, leaseUntil: t0.addingTimeInterval(60)).first)
        try await store.complete(JobCompletion(job: job.id, outcome: .done(note: nil), at: t0))
        #expect(try await store.jobCounts() == [.done: 1, .pending: 1])
    }

    @Test(arguments: StoreKind.allCases)
    func tokensAreFoundByHash(kind: StoreKind) async throws {
        let store = try await kind.make()
        let token = try await store.createToken(hash: "abc", role: .staff, department: "parks", label: "crew", at: t0)
        #expect(try await store.token(hash: "abc") == token)
        #expect(try await store.token(hash: "abd") == nil)
        #expect(token.mayAccess(department: "parks") && !token.mayAccess(department: "streets"))
    }

    /// A ticket filed outside a dialog: stored with its plan at once (the jobs, a new reporter's conversation in
    /// their language); a known idempotency key returns the first ticket and stores nothing; a taken number is
    /// refused.
    @Test(arguments: StoreKind.allCases)
    func filedTicketsAreIdempotentAndStartTheConversationInTheirLanguage(kind: StoreKind) async throws {
        let store = try await kind.make()
        let caller = ChannelAddress(channel: .sms, address: "+12175550142")
        var filed = ticket(7, reporter: caller.address)
        filed.draft.locale = LanguageTag("vi")
        let job = NewJob(.acknowledge(ticket: filed.trackingNumber), key: "ack:\(filed.trackingNumber.digits)", dueAt: t0)
        let first = try await store.create(filed, idempotencyKey: "k1", actor: "staff:3", plan: WritePlan(
            session: SessionWrite(caller, Session(locale: LanguageTag("vi")), .version(0)), contact: ContactWrite(caller, locale: LanguageTag("vi")),
            jobs: [job], at: t0
        ))
        #expect(first.created && first.ticket == filed)
        var other = ticket(8, reporter: caller.address)
        other.draft.description = "a retry"
        let retry = try await store.create(other, idempotencyKey: "k1", actor: "staff:3", plan: WritePlan(at: t0))
        #expect(!retry.created && retry.ticket.trackingNumber == filed.trackingNumber)
        #expect(try await store.ticket(TrackingNumber(serial: 8)) == nil)
        #expect(try await store.history(of: filed.trackingNumber).map(\.actor) == ["staff:3"])
        #expect(try await store.job(dedupeKey: "ack:\(filed.trackingNumber.digits)")?.work == .acknowledge(ticket: filed.trackingNumber))
        #expect(try await store.session(for: caller)?.locale == LanguageTag("vi"))
        #expect(try await store.recipient(caller).locale == LanguageTag("vi"))

        _ = try await store.create(ticket(9), idempotencyKey: nil, actor: "staff:3", plan: WritePlan(at: t0))
        await #expect(throws: StoreError.trackingNumberTaken) {
            _ = try await store.create(ticket(9), idempotencyKey: nil, actor: "staff:3", plan: WritePlan(at: t0))
        }
    }
}

/// SQLite specifics: group commit under concurrency, durability settings, reopening.
@Suite struct SQLiteStoreTests {
    @Test func concurrentTurnsAllCommitAndOneBadTurnFailsAlone() async throws {
        let directory = try temporaryDirectory()
        let store = try SQLiteStore(path: directory + "/db.sqlite")
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<400 {
                group.addTask {
                    // Every 50th turn reuses SM0: a duplicate that must fail on its own.
                    let id = index % 50 == 0 && index > 0 ? "SM0" : "SM\(index)"
                    let turn = seedTurn(sms("+1\(index)", "x", id: id))
                    do {
                        try await store.commit(turn)
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 393)
        #expect(try await store.count("messages") == 393)
        #expect(try await store.count("sessions") == 393)

        // Reopened, everything is there.
        let reopened = try SQLiteStore(path: directory + "/db.sqlite")
        #expect(try await reopened.count("messages") == 393)
        #expect(try await reopened.hasInbound(externalID: "SM399", channel: .sms))
    }

    /// Reads on the calling thread (a turn's) and on the store's read queue (reports), hundreds at once beside
    /// commits: each sees what was committed before it, and none waits forever for a reader connection (the store
    /// never holds one across an `await`; see `SQLiteStore.readHere`). The limit catches a deadlock, so it can be
    /// minutes: on a loaded 2-core machine the whole suite, started at once, has held every thread for a minute.
    @Test(.timeLimit(.minutes(5))) func readsOnBothPathsUnderConcurrentCommitsSeeWhatWasCommitted() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        let seen = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<300 {
                group.addTask {
                    let message = sms("+1\(index)", "x", id: "SM\(index)")
                    try await store.commit(seedTurn(message))
                    guard case .redelivered = try await store.turnStart(for: message.from, externalID: "SM\(index)", referencing: []) else {
                        return false
                    }
                    let (stored, _) = try await store.turnContext(for: message.from, referencing: [])
                    return try await store.count("messages") >= 1 && stored.version == 1
                }
            }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(seen == 300)
    }

    /// Leases expire on their own; a process frees them all at start-up only when no other process has the
    /// database open (one that is alive may be sending right now).
    @Test func leasesAreFreedAtStartOnlyByAProcessThatIsAlone() async throws {
        let path = try temporaryDirectory() + "/db.sqlite"
        var first: SQLiteStore? = try SQLiteStore(path: path)
        try await first?.commit(seedTurn(sms("+1", "a", id: "SM1"), queued: [RenderedMessage(to: ChannelAddress(channel: .sms, address: "+1"),
                                                                                              body: "hello", locale: .english, kind: .reply)]))
        let leased = try #require(try await first?.claimDue(now: t0, limit: 10, leaseUntil: t0.addingTimeInterval(60)).first)
        let second = try SQLiteStore(path: path)
        #expect(try await second.releaseLeasesIfAlone(at: t0) == nil, "the first process is alive")
        #expect(try await second.claimDue(now: t0.addingTimeInterval(30), limit: 10, leaseUntil: t0.addingTimeInterval(90)).isEmpty)
        let expired = try await second.claimDue(now: t0.addingTimeInterval(61), limit: 10, leaseUntil: t0.addingTimeInterval(120))
        #expect(expired.map(\.id) == [leased.id] && expired.first?.attempts == 2, "an expired lease is taken over")

        first = nil // the first process is gone (the kernel drops its lock however it ends)
        let freed = try await second.releaseLeasesIfAlone(at: t0.addingTimeInterval(62))
        #expect(freed?.outbox == 1 && freed?.jobs == 0)
        #expect(try await second.claimDue(now: t0.addingTimeInterval(62), limit: 10, leaseUntil: t0.addingTimeInterval(200)).map(\.id) == [leased.id])
    }

    @Test func journalIsWALAndSyncIsFull() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        #expect(try await store.pragma("journal_mode") == "wal")
        #expect(try await store.pragma("synchronous") == "2") // FULL
        // Reads are not memory-mapped: under WAL every read after a write would unmap the file (SQLiteStore.init).
        #expect(try await store.pragma("mmap_size") == "0")
    }
}

/// The tracking-number sequence: blocks reserved concurrently never overlap, and SQLite's survives a reopen.
@Suite struct TrackingSequenceTests {
    @Test(arguments: StoreKind.allCases)
    func reservedBlocksNeverOverlap(kind: StoreKind) async throws {
        let store = try await kind.make()
        let blocks = try await withThrowingTaskGroup(of: Range<Int>.self) { group in
            for _ in 0..<50 { group.addTask { try await store.reserveTrackingNumbers(7) } }
            return try await group.reduce(into: [Range<Int>]()) { $0.append($1) }
        }
        let indexes = blocks.flatMap { Array($0) }
        #expect(indexes.count == 350 && Set(indexes).count == 350)
        let source = SequenceTrackingNumbers(store: store, block: 4)
        var numbers: [TrackingNumber] = []
        for _ in 0..<10 { numbers.append(try await source.next()) }
        #expect(Set(numbers).count == 10)
        #expect(numbers.allSatisfy { !indexes.map(TrackingNumber.init(sequence:)).contains($0) })
    }

    @Test func sqliteSequenceSurvivesAReopen() async throws {
        let path = try temporaryDirectory() + "/db.sqlite"
        let before = try await SQLiteStore(path: path).reserveTrackingNumbers(10)
        let after = try await SQLiteStore(path: path).reserveTrackingNumbers(10)
        #expect(before == 0..<10 && after == 10..<20)
    }
}
