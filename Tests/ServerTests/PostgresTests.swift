import CityLineApp
import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import Messaging
import Outreach
import Storage
import StoragePostgres
import StorageSQLite
import Testing

/// What only PostgreSQL has: several stores (instances) on one database, migrations racing at start-up, moving a
/// city over from SQLite, and the errors an operator sees.
@Suite struct PostgresTests {
    static let skipped: Comment = "PostgreSQL suites skipped: set CITYLINE_TEST_DATABASE_URL (bash .ci/run starts a server)"

    @Test func anUnreachableServerIsNamedWithoutItsPassword() async throws {
        let url = try DatabaseURL("postgres://city:s3cret-pw@127.0.0.1:1/cityline?sslmode=disable")
        #expect(url.redacted == "postgres://city@127.0.0.1:1/cityline?sslmode=disable")
        let error = await #expect(throws: PostgresStoreError.self) { _ = try await PostgresStore(url: url) }
        #expect(error?.description.contains("cannot connect to PostgreSQL at postgres://city@127.0.0.1:1/cityline") == true, "\(error!)")
        #expect(error?.description.contains("s3cret") == false)
        let bad = #expect(throws: PostgresStoreError.self) { try DatabaseURL("mysql://city:s3cret-pw@db/cityline") }
        #expect(bad?.description.contains("s3cret") == false)
        #expect(bad?.description.contains("postgres://") == true)
        #expect(throws: PostgresStoreError.self) { try DatabaseURL("postgres://db/cityline?schema=Robert'); DROP TABLE x;--") }
    }

    /// Two instances migrating the same new database at the same moment: one applies the schema, the other waits
    /// for it and finds it done.
    @Test(.enabled(if: TestDatabase.server != nil, skipped))
    func instancesStartingTogetherMigrateOnce() async throws {
        let url = try TestDatabase.database()
        async let first = PostgresStore(url: url, maximumConnections: 2, leaseTimeout: .seconds(120))
        async let second = PostgresStore(url: url, maximumConnections: 2, leaseTimeout: .seconds(120))
        let (a, b) = try await (first, second)
        try await a.commit(seedTurn(sms("+12175550100", "hi", id: "SM1")))
        #expect(try await b.hasInbound(externalID: "SM1", channel: .sms))
        // The server secret (unsubscribe links, console sign-ins) is the first instance's for both.
        let secret = try await a.sharedSecret(candidate: Array(repeating: 1, count: 32))
        #expect(try await b.sharedSecret(candidate: Array(repeating: 2, count: 32)) == secret)
        #expect(try await b.releaseLeasesIfAlone(at: t0) == nil, "the other instance is alive")
        await a.close()
        // Its presence lock goes with its connection: now the second is alone.
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await b.releaseLeasesIfAlone(at: t0) != nil)
    }

    /// Two instances draining one outbox and one job queue at once: every entry is claimed once, and a resident
    /// never has two messages in flight (their order holds whichever instance sends).
    @Test(.enabled(if: TestDatabase.server != nil, skipped))
    func twoInstancesClaimEachItemOnce() async throws {
        let url = try TestDatabase.database()
        let a = try await PostgresStore(url: url, maximumConnections: 4, leaseTimeout: .seconds(120))
        let b = try await PostgresStore(url: url, maximumConnections: 4, leaseTimeout: .seconds(120))
        let residents = (0..<20).map { ChannelAddress(channel: .sms, address: "+1217555\(String(format: "%04d", 3_000 + $0))") }
        var messages: [RenderedMessage] = []
        for round in 0..<10 {
            for resident in residents { messages.append(RenderedMessage(to: resident, body: "update \(round)", locale: .english, kind: .statusUpdate)) }
        }
        try await a.apply(WritePlan(outbox: messages, jobs: (0..<200).map {
            NewJob(.surveyReminder(ticket: TrackingNumber(serial: $0)), key: "job-\($0)", dueAt: t0)
        }, at: t0))

        let sent = Locked<[String: [String]]>([:])
        let inFlight = Locked<Set<String>>([])
        let overlaps = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in [a, b, a, b] {
                group.addTask {
                    while true {
                        let claimed = try await store.claimDue(now: t0, limit: 7, leaseUntil: t0.addingTimeInterval(600))
                        if claimed.isEmpty { return }
                        for entry in claimed {
                            inFlight.withLock { flying in
                                if !flying.insert(entry.message.to.address).inserted { overlaps.withLock { $0 += 1 } }
                            }
                        }
                        for entry in claimed {
                            sent.withLock { $0[entry.message.to.address, default: []].append(entry.message.body) }
                            inFlight.withLock { _ = $0.remove(entry.message.to.address) }
                            try await store.markSent(entry.id, providerID: "SM\(entry.id)", at: t0)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(overlaps.withLock { $0 } == 0, "a resident had two messages in flight")
        for resident in residents {
            #expect(sent.withLock { $0[resident.address] } == (0..<10).map { "update \($0)" }, "\(resident.address): out of order or doubled")
        }
        #expect(try await a.outboxCounts() == [.sent: 200])

        let ran = Locked<[String]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in [a, b] {
                group.addTask {
                    while true {
                        let jobs = try await store.claimJobs(now: t0, limit: 9, leaseUntil: t0.addingTimeInterval(600))
                        if jobs.isEmpty { return }
                        ran.withLock { $0 += jobs.map(\.dedupeKey) }
                        try await store.complete(jobs.map { JobCompletion(job: $0.id, outcome: .done(note: nil), plan: WritePlan(at: t0)) })
                    }
                }
            }
            try await group.waitForAll()
        }
        let keys = ran.withLock { $0 }
        #expect(keys.count == 200 && Set(keys).count == 200, "each job runs once: \(keys.count) runs, \(Set(keys).count) jobs")
        #expect(try await b.jobCounts() == [.done: 200])
    }

    /// A delivery receipt reaching one instance while another records the provider id its send returned: under
    /// either order, and both at once, every receipt lands on its message (none kept aside and forgotten).
    @Test(.enabled(if: TestDatabase.server != nil, skipped))
    func receiptsRacingTheirSendOnAnotherInstanceAllLand() async throws {
        let url = try TestDatabase.database()
        let a = try await PostgresStore(url: url, maximumConnections: 4, leaseTimeout: .seconds(120))
        let b = try await PostgresStore(url: url, maximumConnections: 4, leaseTimeout: .seconds(120))
        let messages = (0..<60).map {
            RenderedMessage(to: ChannelAddress(channel: .sms, address: "+1217555\(String(format: "%04d", 4_000 + $0))"), body: "update",
                            locale: .english, kind: .statusUpdate)
        }
        try await a.apply(WritePlan(outbox: messages, at: t0))
        let claimed = try await a.claimDue(now: t0, limit: 100, leaseUntil: t0.addingTimeInterval(600))
        #expect(claimed.count == 60)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for entry in claimed {
                group.addTask { try await a.markSent(entry.id, providerID: "SMrace\(entry.id)", at: t0) }
                group.addTask { _ = try await b.recordDelivery(providerID: "SMrace\(entry.id)", status: "delivered", errorCode: nil, at: t0) }
            }
            try await group.waitForAll()
        }
        for entry in claimed {
            #expect(try await b.outboxEntry(entry.id)?.deliveryStatus == "delivered", "entry \(entry.id): its receipt was lost")
        }
    }

    /// `cityline db copy`: a city that ran on SQLite — conversations, a ticket closed with its update queued, a
    /// resident who sent STOP, a token — moves to PostgreSQL with every table's count matching, and carries on there:
    /// the resident's next message continues their conversation and tracking numbers do not repeat.
    @Test(.enabled(if: TestDatabase.server != nil, skipped))
    func aCityMovesFromSQLiteToPostgres() async throws {
        let directory = try temporaryDirectory()
        let path = directory + "/cityline.sqlite"
        let maria = ChannelAddress(channel: .sms, address: "+12175550142")
        do {
            let sqlite = try SQLiteStore(path: path)
            let switchboard = try Demo.switchboard(sqlite, numbers: SequenceTrackingNumbers(store: sqlite))
            for (index, text) in ["pothole at 1423 Oak St", "skip", "skip", "skip", "yes"].enumerated() {
                _ = try await switchboard.receive(sms(maria.address, text, id: "SMcopy\(index)", at: t0.addingTimeInterval(Double(index))))
            }
            _ = try await switchboard.receive(sms("+12175550143", "STOP", id: "SMstop"))
            _ = try await switchboard.receive(sms("+12175550144", "a man collapsed and isn't breathing", id: "SM911"))
            let number = try #require(try await sqlite.tickets(reportedBy: maria).first?.trackingNumber)
            let policy = OutreachPolicy(city: try Demo.city)
            _ = try await sqlite.update(number, TicketChange(status: .closed, resolution: "fixed"), actor: "staff:1", at: t0.addingTimeInterval(60)) {
                policy.jobs(after: $1, ticket: $0)
            }
            _ = try await sqlite.createToken(hash: "hash-of-a-token", role: .staff, department: "streets", label: "Ana", at: t0)
            try await sqlite.enqueue(RenderedMessage(to: maria, body: "queued before the move", locale: .english, kind: .notice), at: t0)
        }
        let key = (0..<32).map { UInt8($0) }
        #expect(FileManager.default.createFile(atPath: directory + "/secret.key", contents: Data(key)))
        let url = try TestDatabase.database()
        let report = try await DatabaseCopy.run(from: path, to: url.description)
        #expect(report.matches, "\(report.counts)")
        #expect(report.counts.first { $0.table == "messages" }?.to ?? 0 >= 14)
        #expect(report.counts.first { $0.table == "jobs" }?.to ?? 0 >= 1)

        let sqlite = try SQLiteStore(path: path)
        let postgres = try await PostgresStore(url: url, maximumConnections: 2, leaseTimeout: .seconds(120))
        let number = try #require(try await sqlite.tickets(reportedBy: maria).first?.trackingNumber)
        #expect(try await postgres.ticket(number) == (try await sqlite.ticket(number)))
        #expect(try await postgres.history(of: number) == (try await sqlite.history(of: number)))
        #expect(try await postgres.session(for: maria) == (try await sqlite.session(for: maria)))
        #expect(try await postgres.recipient(ChannelAddress(channel: .sms, address: "+12175550143")).optedOut)
        #expect(try await postgres.token(hash: "hash-of-a-token")?.department == "streets")
        #expect(try await postgres.sharedSecret(candidate: Array(repeating: 9, count: 32)) == key, "links already sent stay good")
        #expect(try await postgres.emergencies(since: .distantPast).count == 1)
        #expect(try await postgres.outboxEntries(state: .pending, limit: 10).map(\.message.body).contains("queued before the move"))
        let used = try await sqlite.reserveTrackingNumbers(0).lowerBound
        #expect(try await postgres.reserveTrackingNumbers(5).lowerBound == used, "tracking numbers carry on where SQLite stopped")

        // The resident carries on: STATUS on PostgreSQL knows the ticket; a new id after the copied ones.
        let switchboard = try Demo.switchboard(postgres, numbers: SequenceTrackingNumbers(store: postgres))
        let status = try await switchboard.receive(sms(maria.address, "STATUS \(number.digits)", id: "SMafter", at: t0.addingTimeInterval(120)))
        #expect(status.replies.first?.body.contains(number.digits) == true, "\(status.replies.map(\.body))")
        let copiedOutbox = try await sqlite.rowCount("outbox")
        #expect(try await postgres.enqueue(RenderedMessage(to: maria, body: "after", locale: .english, kind: .notice), at: t0)
            == Int64(copiedOutbox + 1), "new rows are numbered after the copied ones")

        // A second copy into the same database is refused and changes nothing.
        let again = await #expect(throws: AppError.self) { _ = try await DatabaseCopy.run(from: path, to: url.description) }
        #expect(again?.description.contains("already holds data") == true)
        #expect(try await postgres.rowCount("messages") == report.counts.first { $0.table == "messages" }!.to + 2)
        await postgres.close()
    }
}
