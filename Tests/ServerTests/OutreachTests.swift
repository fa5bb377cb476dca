import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import Logging
import Messaging
import Outreach
import Storage
import StorageSQLite
import Switchboard
import Testing
import Transport

/// The loop the issue asks for, through the real switchboard, scheduler and stores: a staff status change
/// reaches the reporter and followers in their languages; after closure comes "is it fixed?", then 1–5 and a
/// comment; "no" reopens the ticket; nothing goes twice, after STOP, or in quiet hours.
@Suite struct OutreachTests {
    struct Harness {
        let store: any StoreKind.AllPorts
        let switchboard: Switchboard
        let scheduler: Scheduler
        let policy: OutreachPolicy
        let clock: TestClock

        init(_ kind: StoreKind, start: Date = t0, surveyDelay: Int = 3_600) async throws {
            store = try await kind.make()
            switchboard = try Demo.switchboard(store)
            var city = try Demo.city
            city.timings.surveyDelay = surveyDelay
            policy = OutreachPolicy(city: city)
            clock = TestClock(start)
            let clock = self.clock
            scheduler = Scheduler(switchboard: switchboard, jobs: store, policy: policy, logger: Logger(label: "test"), clock: { clock.now })
        }

        /// Runs the scheduler until nothing is due now.
        func drain() async throws {
            for _ in 0..<20 where try await scheduler.runDue() > 0 {}
        }

        @discardableResult
        func send(_ from: String, _ text: String) async throws -> [String] {
            let outcome = try await switchboard.receive(sms(from, text, at: clock.now))
            clock.advance(1)
            return outcome.replies.map(\.body)
        }

        /// The staff API's change: the status and its jobs in one transaction.
        func staff(_ number: TrackingNumber, _ change: TicketChange) async throws {
            let policy = self.policy
            _ = try await store.update(number, change, actor: "staff:1", at: clock.now) { ticket, events in
                policy.jobs(after: events, ticket: ticket)
            }
        }

        func outbox(to address: String) async throws -> [RenderedMessage] {
            try await outboxEntries(store).map(\.message).filter { $0.to.address == address }
        }
    }

    static let reporter = "+12175550100"
    static let follower = "+12175550111"
    static let otherFollower = "+12175550122"
    static let number = TrackingNumber(serial: 100_000)

    /// Reports a pothole (English), and two followers in Spanish and Chinese follow it.
    static func reportAndFollow(_ h: Harness) async throws {
        try await h.send(reporter, "There's a big pothole at 1423 Oak St")
        for answer in ["skip", "skip", "skip", "yes"] { try await h.send(reporter, answer) }
        #expect(try await h.store.ticket(number) != nil)
        let spanish = try await h.send(follower, "Hola, quiero seguir el reporte")
        #expect(!spanish.isEmpty)
        let followed = try await h.send(follower, "SEGUIR \(number.digits)")
        #expect(followed.first?.contains("#\(number.digits)") == true, "\(followed)")
        try await h.send(otherFollower, "关注 \(number.digits)")
        #expect(try await h.store.followers(of: number).map(\.address) == [follower, otherFollower])
    }

    @Test(arguments: StoreKind.allCases)
    func closingReachesReporterAndFollowersThenSurveys(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        try await Self.reportAndFollow(h)

        try await h.staff(Self.number, TicketChange(status: .inProgress, statusNote: "A crew is scheduled for Wednesday."))
        try await h.drain()
        let update = try await h.outbox(to: Self.reporter).last
        #expect(update?.kind == .statusUpdate)
        #expect(update?.body.contains("being worked on") == true && update?.body.contains("A crew is scheduled") == true, "\(String(describing: update))")
        #expect(try await h.outbox(to: Self.follower).last?.locale == LanguageTag("es"))
        #expect(try await h.outbox(to: Self.otherFollower).last?.locale == LanguageTag("zh-Hans"))
        #expect(try await h.outbox(to: Self.otherFollower).last?.body.contains("1000002") == true)

        h.clock.advance(60)
        try await h.staff(Self.number, TicketChange(status: .closed, statusNote: "Patched today.", resolution: "fixed"))
        try await h.drain()
        #expect(try await h.outbox(to: Self.reporter).filter { $0.kind == .statusUpdate }.count == 2)
        #expect(try await h.outbox(to: Self.follower).filter { $0.kind == .statusUpdate }.count == 2)
        #expect(try await h.outbox(to: Self.reporter).filter { $0.kind == .survey }.isEmpty, "the survey waits for surveys.delay")

        h.clock.advance(3_600)
        try await h.drain()
        let asked = try await h.outbox(to: Self.reporter).filter { $0.kind == .survey }
        #expect(asked.count == 1)
        #expect(asked.first?.body.contains("Is it fixed?") == true)
        #expect(try await h.outbox(to: Self.follower).filter { $0.kind == .survey }.isEmpty, "only the reporter is surveyed")

        let turn = try await h.switchboard.receive(sms(Self.reporter, "3", at: h.clock.now))
        h.clock.advance(1)
        let afterNo = turn.replies.map(\.body)
        #expect(afterNo.first?.contains("reopened") == true, "\(afterNo)")
        #expect(turn.replies.map(\.kind) == [.reply, .reply], "the next question answers the resident: never held for quiet hours")
        #expect(try await h.store.ticket(Self.number)?.status == .open)
        #expect(try await h.store.history(of: Self.number).last?.note?.contains("not fixed") == true)
        #expect(try await h.store.job(dedupeKey: "survey:\(Self.number.digits)") != nil)
        try await h.send(Self.reporter, "4")
        let thanks = try await h.send(Self.reporter, "The patch is already cracking")
        #expect(thanks.first?.hasPrefix("Thank you") == true, "\(thanks)")
        let record = try await h.store.survey(of: Self.number)
        #expect(record?.fixed == SurveyFixed.no)
        #expect(record?.rating == 4)
        #expect(record?.comment == "The patch is already cracking")
        #expect(record?.state == .answered)

        // Closed again: an update, but never a second survey; the reminder finds the survey answered.
        try await h.staff(Self.number, TicketChange(status: .closed, statusNote: "Re-patched.", resolution: "fixed"))
        h.clock.advance(10 * 86_400)
        try await h.drain()
        #expect(try await h.outbox(to: Self.reporter).filter { $0.kind == .survey || $0.kind == .reminder }.count == 1)
        #expect(try await h.outbox(to: Self.reporter).filter { $0.kind == .statusUpdate }.count == 3)
        #expect(try await h.scheduler.runDue() == 0)
    }

    /// A reported, followed ticket closed with no survey delay: the reporter has just been asked "is it fixed?" —
    /// after being told it was closed, never before, though both were due at once.
    static func surveyAsked(_ kind: StoreKind) async throws -> Harness {
        let h = try await Harness(kind, surveyDelay: 0)
        try await reportAndFollow(h)
        try await h.staff(number, TicketChange(status: .closed, resolution: "fixed"))
        try await h.drain()
        h.clock.advance(OutreachPolicy.updateFirstRetry)
        try await h.drain()
        let told = try await h.outbox(to: reporter).filter { $0.kind == .survey || $0.kind == .statusUpdate }.map(\.kind)
        #expect(told.suffix(2) == [.statusUpdate, .survey], "\(told)")
        #expect(try await h.outbox(to: reporter).filter { $0.kind == .survey }.count == 1)
        return h
    }

    @Test(arguments: StoreKind.allCases)
    func anUnansweredSurveyIsRemindedOnceThenExpires(_ kind: StoreKind) async throws {
        let h = try await Self.surveyAsked(kind)
        h.clock.advance(Double(try Demo.city.timings.surveyReminder))
        try await h.drain()
        #expect(try await h.outbox(to: Self.reporter).filter { $0.kind == .reminder }.map(\.ticket) == [Self.number],
                "the reminder names its ticket (an email reminder joins the ticket's thread)")
        h.clock.advance(Double(try Demo.city.timings.surveyReminder))
        try await h.drain()
        #expect(try await h.survey(of: Self.number)?.state == .expired)
        #expect(try await h.store.session(for: ChannelAddress(channel: .sms, address: Self.reporter))?.state == .idle)
        #expect(try await h.outbox(to: Self.reporter).filter { $0.kind == .reminder }.count == 1, "one reminder, ever")
    }

    @Test(arguments: StoreKind.allCases)
    func stopMidSurveyEndsEverything(_ kind: StoreKind) async throws {
        let h = try await Self.surveyAsked(kind)
        let stop = try await h.send(Self.reporter, "STOP")
        #expect(stop.count == 1 && stop[0].contains("unsubscribed"))
        // A staff update after STOP: suppressed for the reporter, sent to the followers.
        try await h.staff(Self.number, TicketChange(status: .open, statusNote: "Reopened by staff."))
        h.clock.advance(10 * 86_400)
        try await h.drain()
        let toReporter = try await h.outbox(to: Self.reporter)
        #expect(toReporter.filter { $0.kind == .reminder || $0.kind == .statusUpdate }.count == 1, "only the closure update, before STOP")
        #expect(try await h.outbox(to: Self.follower).filter { $0.kind == .statusUpdate }.count == 2)
        #expect(try await h.store.job(dedupeKey: "survey-reminder:\(Self.number.digits)")?.note == "suppressed: opted out")
    }

    /// A status update queued before STOP is not sent after it: the dispatcher checks at the last moment.
    @Test(arguments: StoreKind.allCases)
    func theDispatcherSendsNothingAfterStop(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        try await Self.reportAndFollow(h)
        try await h.staff(Self.number, TicketChange(status: .inProgress))
        try await h.drain()
        try await h.send(Self.reporter, "STOP")
        let sink = RecordingTransport()
        let dispatcher = OutboxDispatcher(store: h.store, transports: TransportRegistry(fallback: sink), logger: Logger(label: "test"),
                                          clock: { h.clock.now })
        for _ in 0..<10 where try await dispatcher.dispatchDue() > 0 {}
        let sentToReporter = await sink.sent.filter { $0.to.address == Self.reporter }
        #expect(!sentToReporter.contains { $0.kind == .statusUpdate }, "queued before STOP, suppressed at dispatch")
        #expect(await sink.sent.contains { $0.to.address == Self.follower && $0.kind == .statusUpdate })
    }

    /// 23:30 local is quiet: the update waits for 08:00 — across the night clocks fall back (1 Nov 2026) and
    /// the night they spring forward (14 Mar 2027), and in the contact's own time zone when it has one.
    @Test(arguments: [
        ("2026-10-31T23:30:00-05:00", "2026-11-01T08:00:00-06:00", nil as String?),
        ("2027-03-13T23:30:00-06:00", "2027-03-14T08:00:00-05:00", nil),
        ("2026-11-23T12:00:00-06:00", "2026-11-23T12:00:00-06:00", nil),
        ("2026-11-23T06:30:00-06:00", "2026-11-23T08:00:00-06:00", nil),
        // 09:00 in Springfield is 07:00 in Los Angeles: still quiet there until 08:00 Pacific.
        ("2026-11-23T09:00:00-06:00", "2026-11-23T08:00:00-08:00", "America/Los_Angeles" as String?),
        // 22:30 in Springfield is 20:30 in Los Angeles: not quiet there.
        ("2026-11-23T22:30:00-06:00", "2026-11-23T22:30:00-06:00", "America/Los_Angeles"),
    ])
    func statusUpdatesWaitForTheMorning(_ at: String, _ expected: String, _ timeZone: String?) async throws {
        let format = ISO8601DateFormatter()
        let start = try #require(format.date(from: at))
        let h = try await Harness(.memory, start: start.addingTimeInterval(-600))
        try await Self.reportAndFollow(h)
        if let timeZone { try await h.store.setTimeZone(timeZone, for: ChannelAddress(channel: .sms, address: Self.reporter)) }
        h.clock.set(start)
        try await h.staff(Self.number, TicketChange(status: .inProgress))
        try await h.drain()
        let job = try #require(await (h.store as? MemoryStore)?.allJobs.first {
            if case .notify(_, _, _, let to) = $0.work { return to.address == Self.reporter } else { return false }
        })
        let due = try #require(format.date(from: expected))
        if due > start {
            #expect(job.state == .pending && job.dueAt == due, "\(job)")
            h.clock.set(due)
            try await h.drain()
        }
        #expect(try await h.outbox(to: Self.reporter).contains { $0.kind == .statusUpdate })
    }

    /// Quiet hours hold at dispatch too. An update that fails at 20:59:58 would be retried at 21:00:03: it waits
    /// for 08:00 instead, and does not hold back a reply the resident asks for at 21:30, which goes at once.
    @Test(arguments: StoreKind.allCases)
    func aRetryDoesNotDriftIntoTheNight(_ kind: StoreKind) async throws {
        let format = ISO8601DateFormatter()
        let evening = try #require(format.date(from: "2026-11-23T20:59:50-06:00"))
        let morning = try #require(format.date(from: "2026-11-24T08:00:00-06:00"))
        let h = try await Harness(kind, start: evening.addingTimeInterval(-600))
        try await Self.reportAndFollow(h)
        h.clock.set(evening)
        try await h.staff(Self.number, TicketChange(status: .inProgress))
        try await h.drain()
        let reporter = ChannelAddress(channel: .sms, address: Self.reporter)
        let updateID = try #require(try await Self.entries(h).first { $0.message.to == reporter && $0.message.kind == .statusUpdate }?.id)

        let flaky = FlakyTransport(failing: reporter, times: 1)
        let dispatcher = OutboxDispatcher(store: h.store, transports: TransportRegistry(fallback: flaky), policy: h.policy,
                                          logger: Logger(label: "test"), clock: { h.clock.now })
        h.clock.set(evening.addingTimeInterval(8))
        for _ in 0..<5 where try await dispatcher.dispatchDue() > 0 {}
        var update = try #require(try await h.store.outboxEntry(updateID))
        #expect(update.state == .held && update.dueAt == morning && update.attempts == 1, "retried in the morning, not at 21:00:03: \(update)")

        // 21:30: the retry's time has not come; the resident asks for their status and gets it at once.
        h.clock.set(evening.addingTimeInterval(1_810))
        _ = try await h.switchboard.receive(sms(Self.reporter, "STATUS", at: h.clock.now), delivery: .outbox)
        for _ in 0..<5 where try await dispatcher.dispatchDue() > 0 {}
        #expect(await flaky.sent.filter { $0.to == reporter }.map(\.kind) == [.reply])

        // 08:00: the update goes, once.
        h.clock.set(morning)
        for _ in 0..<5 where try await dispatcher.dispatchDue() > 0 {}
        update = try #require(try await h.store.outboxEntry(updateID))
        #expect(update.state == .sent)
        #expect(await flaky.sent.filter { $0.to == reporter }.map(\.kind) == [.reply, .statusUpdate])
    }

    /// An update that comes due in quiet hours (it waited behind an earlier message) is held without counting an
    /// attempt; replies and webhooks to departments go at any hour.
    @Test(arguments: StoreKind.allCases)
    func theDispatcherHoldsUpdatesNotRepliesAtNight(_ kind: StoreKind) async throws {
        let format = ISO8601DateFormatter()
        let afternoon = try #require(format.date(from: "2026-11-23T15:00:00-06:00"))
        let night = try #require(format.date(from: "2026-11-23T23:15:00-06:00"))
        let morning = try #require(format.date(from: "2026-11-24T08:00:00-06:00"))
        let h = try await Harness(kind, start: afternoon.addingTimeInterval(-600))
        try await Self.reportAndFollow(h)
        h.clock.set(afternoon)
        try await h.staff(Self.number, TicketChange(status: .inProgress))
        try await h.drain()
        // The dispatcher was down all evening; it starts at 23:15.
        h.clock.set(night)
        _ = try await h.switchboard.receive(sms(Self.follower, "HELP", at: night), delivery: .outbox)
        let sink = RecordingTransport()
        let dispatcher = OutboxDispatcher(store: h.store, transports: TransportRegistry(fallback: sink), policy: h.policy,
                                          logger: Logger(label: "test"), clock: { h.clock.now })
        for _ in 0..<5 where try await dispatcher.dispatchDue() > 0 {}
        let sentAtNight = await sink.sent
        #expect(!sentAtNight.contains { $0.kind == .statusUpdate })
        #expect(sentAtNight.contains { $0.to.address == Self.follower && $0.kind == .reply }, "HELP is answered at night")
        #expect(sentAtNight.contains { $0.to.channel == .webhook }, "the department hears at any hour")
        let held = try await Self.entries(h).filter { $0.message.kind == .statusUpdate }
        #expect(held.count == 3 && held.allSatisfy { $0.state == .held && $0.dueAt == morning && $0.attempts == 0 }, "\(held)")

        h.clock.set(morning)
        for _ in 0..<5 where try await dispatcher.dispatchDue() > 0 {}
        #expect(await sink.sent.filter { $0.kind == .statusUpdate }.count == 3)
    }

    static func entries(_ h: Harness) async throws -> [OutboxEntry] { try await outboxEntries(h.store) }
}

/// Fails with a retryable error the first `times` messages to one address, then records what it sends.
actor FlakyTransport: Transport {
    nonisolated var description: String { "flaky" }
    let failing: ChannelAddress
    private var failures: Int
    private(set) var sent: [RenderedMessage] = []
    init(failing: ChannelAddress, times: Int) {
        self.failing = failing
        failures = times
    }
    func send(_ entry: OutboxEntry) async throws -> String? {
        if entry.message.to == failing, failures > 0 {
            failures -= 1
            throw TransportError(.retry, "503 from the provider")
        }
        sent.append(entry.message)
        return "flaky-\(entry.id)"
    }
}

/// Records what would be sent.
actor RecordingTransport: Transport {
    nonisolated var description: String { "recording" }
    private(set) var sent: [RenderedMessage] = []
    func send(_ entry: OutboxEntry) async throws -> String? {
        sent.append(entry.message)
        return "rec-\(entry.id)"
    }
}

extension OutreachTests.Harness {
    func survey(of number: TrackingNumber) async throws -> SurveyRecord? { try await store.survey(of: number) }
}
