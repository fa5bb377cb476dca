import CityModel
import Conversation
import Foundation
import Localization
import Logging
import Messaging
import Outreach
import PostgresNIO
import Storage

/// Outbox rows: the message as JSON plus the dispatch state.
enum OutboxRows {
    @discardableResult
    static func enqueue(_ message: RenderedMessage, at date: Date, encoded: String? = nil, _ db: PostgresConnection,
                        _ logger: Logger) async throws -> Int64 {
        let data = try encoded ?? StoredJSON.encode(message)
        let at = date.timeIntervalSince1970
        return try await db.rows("""
            INSERT INTO outbox (channel, address, data, created_at, due_at)
            VALUES (\(message.to.channel.rawValue), \(message.to.address), \(data), \(at), \(at)) RETURNING id
            """, logger)[0].decode(Int64.self)
    }

    static let columns = "o.id, o.data, o.created_at, o.due_at, o.attempts, o.state, o.last_error, o.provider_id, o.delivery_status, o.notice_id"

    static func entry(_ row: PostgresRow) throws -> OutboxEntry {
        let (id, data, created, due, attempts, state, error, provider, delivery, notice) =
            try row.decode((Int64, String, Double, Double, Int, String, String?, String?, String?, Int64?).self)
        var entry = OutboxEntry(id: id, message: try StoredJSON.decode(RenderedMessage.self, data), createdAt: Date(timeIntervalSince1970: created),
                                dueAt: Date(timeIntervalSince1970: due), attempts: attempts, state: OutboxEntry.State(rawValue: state) ?? .pending,
                                lastError: error, providerID: provider, deliveryStatus: delivery)
        entry.notice = notice
        return entry
    }
}

/// The two leased queues' tables and the name each gives to an item being worked on.
enum LeasedQueue: String {
    case outbox, jobs

    var leasedState: String { self == .outbox ? "sending" : "running" }
}

extension PostgresStore: OutboxStore {
    /// Claims due entries for this instance: pending ones, held ones whose time came, and leased ones whose lease
    /// ran out (their instance died) — but only the oldest unfinished message of each recipient, so one resident's
    /// messages leave in order whichever instance sends them. Rows another instance is claiming right now are
    /// skipped (`SKIP LOCKED`); a row it claimed since this statement's snapshot is re-checked and left alone.
    public func claimDue(now: Date, limit: Int, leaseUntil: Date) async throws -> [OutboxEntry] {
        let (at, until) = (now.timeIntervalSince1970, leaseUntil.timeIntervalSince1970)
        return try await read { db in // one statement: atomic without BEGIN and COMMIT round trips
            let rows = try await db.rows("""
                WITH due AS (
                    SELECT o.id, o.due_at FROM outbox o
                    WHERE o.state IN ('pending', 'sending', 'held') AND o.due_at <= \(at)
                    AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.channel = o.channel AND p.address = o.address AND p.id < o.id
                                    AND (p.state IN ('pending', 'sending') OR (p.state = 'held' AND p.due_at <= \(at))))
                    ORDER BY o.due_at, o.id LIMIT \(limit)
                    FOR UPDATE OF o SKIP LOCKED
                )
                UPDATE outbox o SET state = 'sending', attempts = o.attempts + 1, due_at = \(until)
                FROM due WHERE o.id = due.id
                RETURNING \(unescaped: OutboxRows.columns), due.due_at,
                    (SELECT CASE WHEN a.opted_out THEN a.opted_out_at END FROM contact_addresses a
                     WHERE a.channel = o.channel AND a.address = o.address),
                    (SELECT c.time_zone FROM contact_addresses a JOIN contacts c ON c.id = a.contact_id
                     WHERE a.channel = o.channel AND a.address = o.address)
                """, logger)
            var claimed: [(due: Double, entry: OutboxEntry)] = []
            for row in rows {
                var entry = try OutboxRows.entry(row)
                let columns = row.makeRandomAccess()
                entry.recipientOptedOutAt = try columns[11].decode(Double?.self).map(Date.init(timeIntervalSince1970:))
                entry.recipientTimeZone = try columns[12].decode(String?.self)
                claimed.append((try columns[10].decode(Double.self), entry))
            }
            return claimed.sorted { ($0.due, $0.entry.id) < ($1.due, $1.entry.id) }.map(\.entry)
        }
    }

    public func markSent(_ id: Int64, providerID: String?, at date: Date) async throws {
        guard let providerID else {
            try await read { db in
                try await db.run("UPDATE outbox SET state = 'sent', provider_id = NULL, last_error = NULL WHERE id = \(id)", logger)
            }
            return
        }
        try await transaction { db in
            // Under the receipt's lock: a receipt coming in on another instance now either sees this id or was kept
            // before it and is applied here (see `recordDelivery`).
            try await Self.lockReceipts(of: providerID, db, logger)
            try await db.run("UPDATE outbox SET state = 'sent', provider_id = \(providerID), last_error = NULL WHERE id = \(id)", logger)
            guard let early = try await db.rows("""
                DELETE FROM early_receipts WHERE provider_id = \(providerID) RETURNING status, error_code, received_at
                """, logger).first else { return }
            let (status, errorCode, receivedAt) = try early.decode((String, String?, Double).self)
            guard receivedAt > DeliveryStatus.earlyReceiptCutoff(at: date) else { return }
            try await Self.applyReceipt(outboxID: id, current: nil, status: status, errorCode: errorCode, db, logger)
        }
    }

    /// Serializes what one provider id's receipts and its `markSent` do, across instances: otherwise a receipt
    /// could miss the id being recorded and `markSent` miss the receipt being kept, each in the other's snapshot.
    private static func lockReceipts(of providerID: String, _ db: PostgresConnection, _ logger: Logger) async throws {
        try await db.run("SELECT pg_advisory_xact_lock(hashtextextended(\(providerID), 11))", logger)
    }

    /// Moves an entry's delivery status forward (never back) and records the provider's error code.
    private static func applyReceipt(outboxID: Int64, current: String?, status: String, errorCode: String?,
                                     _ db: PostgresConnection, _ logger: Logger) async throws {
        guard DeliveryStatus.advances(from: current, to: status) else { return }
        let error = errorCode.map { "provider error \($0)" }
        try await db.run("""
            UPDATE outbox SET delivery_status = \(status.lowercased()), last_error = COALESCE(\(error), last_error) WHERE id = \(outboxID)
            """, logger)
    }

    public func markRetry(_ id: Int64, error: String, retryAt: Date, held: Bool) async throws {
        try await read { db in
            try await db.run("""
                UPDATE outbox SET state = \(held ? "held" : "pending"), last_error = \(error), due_at = \(retryAt.timeIntervalSince1970)
                WHERE id = \(id)
                """, logger)
        }
    }

    public func markDead(_ id: Int64, error: String, at date: Date) async throws {
        try await read { db in try await db.run("UPDATE outbox SET state = 'dead', last_error = \(error) WHERE id = \(id)", logger) }
    }

    public func postpone(_ id: Int64, to date: Date) async throws {
        try await read { db in
            try await db.run("""
                UPDATE outbox SET state = 'held', attempts = attempts - 1, due_at = \(date.timeIntervalSince1970) WHERE id = \(id)
                """, logger)
        }
    }

    public func recordDelivery(providerID: String, status: String, errorCode: String?, at date: Date) async throws -> Bool {
        try await transaction { db in
            try await Self.lockReceipts(of: providerID, db, logger)
            guard let row = try await db.rows("SELECT id, delivery_status FROM outbox WHERE provider_id = \(providerID) FOR UPDATE", logger)
                .first else {
                try await db.run("DELETE FROM early_receipts WHERE received_at < \(DeliveryStatus.earlyReceiptCutoff(at: date))", logger)
                let kept = try await db.rows("SELECT status, error_code FROM early_receipts WHERE provider_id = \(providerID)", logger)
                    .first?.decode((String, String?).self)
                let receipt = kept.map { DeliveryStatus.Early(status: $0.0, errorCode: $0.1).merging(status: status, errorCode: errorCode) }
                    ?? DeliveryStatus.Early(status: status, errorCode: errorCode)
                try await db.run("""
                    INSERT INTO early_receipts (provider_id, status, error_code, received_at)
                    VALUES (\(providerID), \(receipt.status), \(receipt.errorCode), \(date.timeIntervalSince1970))
                    ON CONFLICT (provider_id) DO UPDATE SET status = EXCLUDED.status, error_code = EXCLUDED.error_code,
                        received_at = EXCLUDED.received_at
                    """, logger)
                return false
            }
            let (id, current) = try row.decode((Int64, String?).self)
            try await Self.applyReceipt(outboxID: id, current: current, status: status, errorCode: errorCode, db, logger)
            return true
        }
    }

    public func outboxEntry(_ id: Int64) async throws -> OutboxEntry? {
        try await read { db in
            try await db.rows("SELECT \(unescaped: OutboxRows.columns) FROM outbox o WHERE o.id = \(id)", logger).first.map(OutboxRows.entry)
        }
    }

    public func outboxEntries(state: OutboxEntry.State, limit: Int) async throws -> [OutboxEntry] {
        try await read { db in
            try await db.rows("""
                SELECT \(unescaped: OutboxRows.columns) FROM outbox o WHERE o.state = \(state.rawValue) ORDER BY o.id DESC LIMIT \(limit)
                """, logger).map(OutboxRows.entry)
        }
    }

    public func outboxCounts() async throws -> [OutboxEntry.State: Int] {
        try await counts(.outbox).reduce(into: [:]) { counts, row in
            if let state = OutboxEntry.State(rawValue: row.key) { counts[state] = row.value }
        }
    }

    public func requeue(_ id: Int64, at date: Date) async throws -> Bool {
        try await requeueDead(.outbox, id: id, at: date)
    }

    /// How many items of a queue are in each state.
    func counts(_ queue: LeasedQueue) async throws -> [String: Int] {
        try await read { db in
            var counts: [String: Int] = [:]
            for row in try await db.rows(PostgresQuery(unsafeSQL: "SELECT state, COUNT(*) FROM \(queue.rawValue) GROUP BY state"), logger) {
                let (state, count) = try row.decode((String, Int).self)
                counts[state] = count
            }
            return counts
        }
    }

    /// Puts a dead-lettered item back: pending, due at `date`, attempts from zero. False when it is not dead.
    func requeueDead(_ queue: LeasedQueue, id: Int64, at date: Date) async throws -> Bool {
        let touch = queue == .jobs ? ", updated_at = $1" : ""
        var bindings = PostgresBindings()
        bindings.append(date.timeIntervalSince1970)
        bindings.append(id)
        let query = PostgresQuery(unsafeSQL: """
            UPDATE \(queue.rawValue) SET state = 'pending', attempts = 0, due_at = $1\(touch) WHERE id = $2 AND state = 'dead' RETURNING 1
            """, binds: bindings)
        return try await read { db in try await !db.rows(query, logger).isEmpty }
    }

    /// Frees every lease at start-up when this instance is the only one using the database: a job or outbox entry
    /// still marked running/sending was then left by an instance that died, and need not wait for its lease to run
    /// out. With another instance alive nothing is freed (it may be sending right now) and the leases simply
    /// expire; returns nil then.
    public func releaseLeasesIfAlone(at date: Date) async throws -> (jobs: Int, outbox: Int)? {
        guard let presence else { return nil }
        let logger = logger
        let at = date.timeIntervalSince1970
        // Every live store holds the presence lock shared on its own connection; taking it exclusively on ours
        // succeeds only when no other session holds it (our own shared hold does not conflict with us).
        let schema = url.schema ?? "public"
        let alone = try await presence.rows("SELECT pg_try_advisory_lock(\(Self.presenceLock), hashtext(\(schema)))", logger)[0]
            .decode(Bool.self)
        guard alone else { return nil }
        do {
            let freed = try await transaction { db in
                let jobs = try await db.rows("""
                    UPDATE jobs SET state = 'pending', due_at = LEAST(due_at, \(at)) WHERE state = 'running' RETURNING 1
                    """, logger).count
                let outbox = try await db.rows("""
                    UPDATE outbox SET state = 'pending', due_at = LEAST(due_at, \(at)) WHERE state = 'sending' RETURNING 1
                    """, logger).count
                return (jobs, outbox)
            }
            try await presence.run("SELECT pg_advisory_unlock(\(Self.presenceLock), hashtext(\(schema)))", logger)
            return freed
        } catch {
            try? await presence.run("SELECT pg_advisory_unlock(\(Self.presenceLock), hashtext(\(schema)))", logger)
            throw error
        }
    }

    /// Work due at `date` and not finished (see SQLiteStore.backlog).
    public func backlog(at date: Date) async throws -> (jobs: Int, outbox: Int) {
        let at = date.timeIntervalSince1970
        return try await read { db in
            let jobs = try await db.rows("""
                SELECT COUNT(*) FROM jobs WHERE state = 'running' OR (state = 'pending' AND due_at <= \(at))
                """, logger)[0].decode(Int.self)
            let outbox = try await db.rows("""
                SELECT COUNT(*) FROM outbox WHERE state = 'sending' OR (state IN ('pending', 'held') AND due_at <= \(at))
                """, logger)[0].decode(Int.self)
            return (jobs, outbox)
        }
    }

    /// Outbox entries not yet sent or dead-lettered.
    public func outboxUnfinished() async throws -> Int {
        try await read { db in
            try await db.rows("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending', 'held')", logger)[0].decode(Int.self)
        }
    }
}

/// Job rows and the outreach side of a turn (followers, survey records).
enum JobRows {
    /// Schedules `jobs` (a fan-out may bring thousands): one statement per 5,000, the rows as arrays.
    static func schedule(_ jobs: [NewJob], at date: Date, _ db: PostgresConnection, _ logger: Logger) async throws {
        let at = date.timeIntervalSince1970
        for start in stride(from: 0, to: jobs.count, by: 5_000) {
            let chunk = jobs[start..<min(start + 5_000, jobs.count)]
            let kinds = chunk.map(\.work.kind), keys = chunk.map(\.dedupeKey), due = chunk.map(\.dueAt.timeIntervalSince1970)
            let data = try chunk.map { try StoredJSON.encode($0.work) }
            try await db.run("""
                INSERT INTO jobs (kind, dedupe_key, data, due_at, created_at, updated_at)
                SELECT kind, key, data, due, \(at), \(at) FROM unnest(\(kinds)::text[], \(keys)::text[], \(data)::text[], \(due)::float8[])
                    AS j(kind, key, data, due)
                ON CONFLICT (dedupe_key) DO NOTHING
                """, logger)
        }
    }

    static let columns = "id, data, dedupe_key, due_at, attempts, state, note"

    static func job(_ row: PostgresRow) throws -> Job {
        let (id, data, key, due, attempts, state, note) = try row.decode((Int64, String, String, Double, Int, String, String?).self)
        return Job(id: id, work: try StoredJSON.decode(Work.self, data), dedupeKey: key, dueAt: Date(timeIntervalSince1970: due),
                   attempts: attempts, state: Job.State(rawValue: state) ?? .pending, note: note)
    }

    static func survey(_ ticket: TrackingNumber, _ db: PostgresConnection, _ logger: Logger) async throws -> SurveyRecord? {
        try await db.rows("""
            SELECT s.state, s.fixed, s.rating, s.comment, s.started_at, s.updated_at
            FROM surveys s JOIN tickets t ON t.id = s.ticket_id WHERE t.tracking_number = \(ticket.digits)
            """, logger).first.map { row in
            let (state, fixed, rating, comment, started, updated) = try row.decode((String, String?, Int?, String?, Double, Double).self)
            return SurveyRecord(ticket: ticket, state: SurveyRecord.State(rawValue: state) ?? .asked, fixed: fixed.flatMap(SurveyFixed.init(rawValue:)),
                                rating: rating, comment: comment, startedAt: Date(timeIntervalSince1970: started),
                                updatedAt: Date(timeIntervalSince1970: updated))
        }
    }

    /// A job's outcome and everything it produced, in the caller's transaction.
    static func complete(_ completion: JobCompletion, _ db: PostgresConnection, _ logger: Logger) async throws {
        let at = completion.at.timeIntervalSince1970
        let id = completion.job
        switch completion.outcome {
        case .done(let note):
            try await db.run("UPDATE jobs SET state = 'done', note = \(note), updated_at = \(at) WHERE id = \(id)", logger)
        case .postpone(let date):
            try await db.run("""
                UPDATE jobs SET state = 'pending', attempts = attempts - 1, due_at = \(date.timeIntervalSince1970), updated_at = \(at) WHERE id = \(id)
                """, logger)
        case .retry(let date, let error):
            try await db.run("""
                UPDATE jobs SET state = 'pending', due_at = \(date.timeIntervalSince1970), note = \(error), updated_at = \(at) WHERE id = \(id)
                """, logger)
        case .dead(let error):
            try await db.run("UPDATE jobs SET state = 'dead', note = \(error), updated_at = \(at) WHERE id = \(id)", logger)
        }
        try await PlanWriter.write(completion.plan, messageID: nil, channel: completion.plan.session?.address.channel, db, logger)
    }

    /// The contact row carries the session's language and opt-out, so a batch of updates can skip the sessions.
    static func recipient(_ address: ChannelAddress, withSession: Bool = true, _ db: PostgresConnection, _ logger: Logger) async throws
        -> Recipient {
        let stored = withSession ? try await SessionRows.stored(address, db, logger) : StoredSession(nil, version: 0)
        let contact = try await db.rows("""
            SELECT c.locale, c.time_zone, a.opted_out FROM contact_addresses a JOIN contacts c ON c.id = a.contact_id
            WHERE a.channel = \(address.channel.rawValue) AND a.address = \(address.address)
            """, logger).first.map { try $0.decode((String?, String?, Bool).self) }
        let locale = stored.session?.locale ?? contact?.0.map(LanguageTag.init)
        let optedOut = (stored.session?.optedOut ?? false) || (contact?.2 ?? false)
        return Recipient(address: address, locale: locale, optedOut: optedOut, timeZone: contact?.1, session: stored.session,
                         sessionVersion: stored.version)
    }
}

extension PostgresStore: JobStore {
    public func schedule(_ jobs: [NewJob], at date: Date) async throws {
        try await transaction { db in try await JobRows.schedule(jobs, at: date, db, logger) }
    }

    /// Due pending jobs, and running jobs whose lease ran out (their instance died); rows another instance is
    /// claiming are skipped.
    public func claimJobs(now: Date, limit: Int, leaseUntil: Date) async throws -> [Job] {
        let (at, until) = (now.timeIntervalSince1970, leaseUntil.timeIntervalSince1970)
        return try await read { db in
            let rows = try await db.rows("""
                WITH due AS (
                    SELECT id, due_at FROM jobs WHERE state IN ('pending', 'running') AND due_at <= \(at)
                    ORDER BY due_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                )
                UPDATE jobs j SET state = 'running', attempts = j.attempts + 1, due_at = \(until), updated_at = \(at)
                FROM due WHERE j.id = due.id
                RETURNING j.id, j.data, j.dedupe_key, j.due_at, j.attempts, j.state, j.note, due.due_at
                """, logger)
            return try rows.map { row in (try row.makeRandomAccess()[7].decode(Double.self), try JobRows.job(row)) }
                .sorted { ($0.0, $0.1.id) < ($1.0, $1.1.id) }.map(\.1)
        }
    }

    public func complete(_ completion: JobCompletion) async throws {
        try await transaction { db in try await JobRows.complete(completion, db, logger) }
    }

    public func complete(_ completions: [JobCompletion]) async throws {
        guard !completions.isEmpty else { return }
        try await transaction { db in
            for completion in completions { try await JobRows.complete(completion, db, logger) }
        }
    }

    public func job(dedupeKey: String) async throws -> Job? {
        try await read { db in
            try await db.rows("SELECT \(unescaped: JobRows.columns) FROM jobs WHERE dedupe_key = \(dedupeKey)", logger).first.map(JobRows.job)
        }
    }

    public func jobs(state: Job.State, limit: Int) async throws -> [Job] {
        try await read { db in
            try await db.rows("""
                SELECT \(unescaped: JobRows.columns) FROM jobs WHERE state = \(state.rawValue) ORDER BY id DESC LIMIT \(limit)
                """, logger).map(JobRows.job)
        }
    }

    public func jobCounts() async throws -> [Job.State: Int] {
        try await counts(.jobs).reduce(into: [:]) { counts, row in
            if let state = Job.State(rawValue: row.key) { counts[state] = row.value }
        }
    }

    public func requeueJob(_ id: Int64, at date: Date) async throws -> Bool {
        try await requeueDead(.jobs, id: id, at: date)
    }

    public func recipient(_ address: ChannelAddress) async throws -> Recipient {
        try await read { db in try await JobRows.recipient(address, db, logger) }
    }

    public func recipients(_ addresses: [ChannelAddress]) async throws -> [ChannelAddress: Recipient] {
        try await read { db in
            var found: [ChannelAddress: Recipient] = [:]
            for address in addresses where found[address] == nil {
                found[address] = try await JobRows.recipient(address, withSession: false, db, logger)
            }
            return found
        }
    }

    public func followers(of ticket: TrackingNumber) async throws -> [ChannelAddress] {
        try await read { db in
            try await db.rows("""
                SELECT f.channel, f.address FROM ticket_followers f JOIN tickets t ON t.id = f.ticket_id
                WHERE t.tracking_number = \(ticket.digits) ORDER BY f.created_at
                """, logger).compactMap { row in
                let (channel, address) = try row.decode((String, String).self)
                return CityModel.Channel(rawValue: channel).map { ChannelAddress(channel: $0, address: address) }
            }
        }
    }

    public func survey(of ticket: TrackingNumber) async throws -> SurveyRecord? {
        try await read { db in try await JobRows.survey(ticket, db, logger) }
    }

    public func setTimeZone(_ timeZone: String?, for address: ChannelAddress) async throws {
        try await transaction { db in
            try await ContactRows.save(ContactWrite(address, locale: nil), at: Date().timeIntervalSince1970, db, logger)
            try await db.run("""
                UPDATE contacts SET time_zone = \(timeZone) WHERE id = (
                    SELECT contact_id FROM contact_addresses WHERE channel = \(address.channel.rawValue) AND address = \(address.address))
                """, logger)
        }
    }
}
