import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import Localization
import Outreach
import Storage
import StorageSQLite
import Testing

/// One contract, every store: the in-memory twin and SQLite (PostgreSQL joins when it lands).
@Suite struct StorageContractTests {
    func record(_ inbound: InboundMessage, tickets: [Ticket] = [], reply: String = "ok", queued: [String] = []) -> TurnRecord {
        var session = Session()
        session.lastActivity = inbound.receivedAt
        let to = inbound.from
        return TurnRecord(
            inbound: inbound, session: session, events: [], tickets: tickets,
            replies: [RenderedMessage(to: to, body: reply, locale: .english, kind: .reply)],
            outbox: queued.map { RenderedMessage(to: to, body: $0, locale: .english, kind: .notice) }
        )
    }

    @Test(arguments: StoreKind.allCases)
    func turnCommitsAndReads(kind: StoreKind) async throws {
        let store = try kind.make()
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

    /// Each "call 911" answer is kept for the KPIs — trigger, channel, language and time, nothing personal — and a
    /// redelivered message adds none.
    @Test(arguments: StoreKind.allCases)
    func emergenciesAnsweredAreCounted(kind: StoreKind) async throws {
        let store = try kind.make()
        var turn = record(sms("+12175550100", "my house is on fire", id: "SM1"))
        turn.events = [.emergencyTriaged(trigger: "fire")]
        turn.replies = [RenderedMessage(to: turn.inbound.from, body: "Llame al 911", locale: LanguageTag("es"), kind: .emergency)]
        try await store.commit(turn)
        try await store.commit(record(sms("+12175550100", "pothole", id: "SM2")))
        await #expect(throws: StoreError.duplicateInbound) { try await store.commit(turn) }
        #expect(try await store.emergencies(since: t0) == [EmergencyRecord(trigger: "fire", channel: .sms, locale: LanguageTag("es"), at: t0)])
        #expect(try await store.emergencies(since: t0.addingTimeInterval(1)).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func duplicateInboundChangesNothing(kind: StoreKind) async throws {
        let store = try kind.make()
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
        let store = try kind.make()
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
        let store = try kind.make()
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
        let store = try kind.make()
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
        let store = try kind.make()
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

    @Test(arguments: StoreKind.allCases)
    func tokensAreFoundByHash(kind: StoreKind) async throws {
        let store = try kind.make()
        let token = try await store.createToken(hash: "abc", role: .staff, department: "parks", label: "crew", at: t0)
        #expect(try await store.token(hash: "abc") == token)
        #expect(try await store.token(hash: "abd") == nil)
        #expect(token.mayAccess(department: "parks") && !token.mayAccess(department: "streets"))
    }

    /// A ticket filed outside a dialog: stored with its jobs at once; a known idempotency key returns the first
    /// ticket and stores nothing; a new reporter's conversation starts in the given language, an existing one keeps
    /// its own; a taken number is refused.
    @Test(arguments: StoreKind.allCases)
    func filedTicketsAreIdempotentAndStartTheConversationInTheirLanguage(kind: StoreKind) async throws {
        let store = try kind.make()
        let caller = ChannelAddress(channel: .sms, address: "+12175550142")
        var filed = ticket(7, reporter: caller.address)
        filed.draft.locale = LanguageTag("vi")
        let job = NewJob(.acknowledge(ticket: filed.trackingNumber), key: "ack:\(filed.trackingNumber.digits)", dueAt: t0)
        let first = try await store.create(filed, locale: LanguageTag("vi"), idempotencyKey: "k1", actor: "staff:3", jobs: [job], at: t0)
        #expect(first.created && first.ticket == filed)
        var other = ticket(8, reporter: caller.address)
        other.draft.description = "a retry"
        let retry = try await store.create(other, locale: nil, idempotencyKey: "k1", actor: "staff:3", jobs: [], at: t0)
        #expect(!retry.created && retry.ticket.trackingNumber == filed.trackingNumber)
        #expect(try await store.ticket(TrackingNumber(serial: 8)) == nil)
        #expect(try await store.history(of: filed.trackingNumber).map(\.actor) == ["staff:3"])
        #expect(try await store.job(dedupeKey: "ack:\(filed.trackingNumber.digits)")?.work == .acknowledge(ticket: filed.trackingNumber))
        #expect(try await store.session(for: caller)?.locale == LanguageTag("vi"))
        #expect(try await store.recipient(caller).locale == LanguageTag("vi"))

        // A resident who already talks to us in English keeps English.
        try await store.commit(record(sms("+12175550100", "hi", id: "SM1")))
        let known = ChannelAddress(channel: .sms, address: "+12175550100")
        var mine = try #require(try await store.session(for: known))
        mine.locale = .english
        try await store.commit(TurnRecord(inbound: sms(known.address, "en", id: "SM2"), session: mine, events: [], tickets: [], replies: []))
        _ = try await store.create(ticket(9), locale: LanguageTag("es"), idempotencyKey: nil, actor: "staff:3", jobs: [], at: t0)
        #expect(try await store.session(for: known)?.locale == .english)

        await #expect(throws: StoreError.trackingNumberTaken) {
            _ = try await store.create(ticket(9), locale: nil, idempotencyKey: nil, actor: "staff:3", jobs: [], at: t0)
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
                    let turn = TurnRecord(inbound: sms("+1\(index)", "x", id: id), session: Session(), events: [], tickets: [], replies: [])
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

    @Test func journalIsWALAndSyncIsFull() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        #expect(try await store.pragma("journal_mode") == "wal")
        #expect(try await store.pragma("synchronous") == "2") // FULL
    }
}
