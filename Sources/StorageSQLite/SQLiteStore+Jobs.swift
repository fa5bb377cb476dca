import CityModel
import Conversation
import Foundation
import GRDB
import Outreach
import Storage

/// Job rows and the outreach side of a turn (followers, survey records, reopened tickets).
enum JobRows {
    static func schedule(_ jobs: [NewJob], at date: Date, _ db: Database) throws {
        for job in jobs {
            try db.run("""
                INSERT INTO jobs (kind, dedupe_key, data, due_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (dedupe_key) DO NOTHING
                """, [job.work.kind, job.dedupeKey, try StoredJSON.encode(job.work), job.dueAt.timeIntervalSince1970,
                      date.timeIntervalSince1970, date.timeIntervalSince1970])
        }
    }

    static func job(_ row: Row) throws -> Job {
        Job(id: row["id"], work: try StoredJSON.decode(Work.self, row["data"]), dedupeKey: row["dedupe_key"],
            dueAt: Date(timeIntervalSince1970: row["due_at"]), attempts: row["attempts"],
            state: Job.State(rawValue: row["state"]) ?? .pending, note: row["note"])
    }

    static func ticketID(_ number: TrackingNumber, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM tickets WHERE tracking_number = ?", arguments: [number.digits])
    }

    static func survey(_ ticket: TrackingNumber, _ db: Database) throws -> SurveyRecord? {
        try Row.fetchOne(db, sql: """
            SELECT s.* FROM surveys s JOIN tickets t ON t.id = s.ticket_id WHERE t.tracking_number = ?
            """, arguments: [ticket.digits]).map { row in
            SurveyRecord(
                ticket: ticket, state: SurveyRecord.State(rawValue: row["state"]) ?? .asked,
                fixed: (row["fixed"] as String?).flatMap(SurveyFixed.init(rawValue:)), rating: row["rating"], comment: row["comment"],
                startedAt: Date(timeIntervalSince1970: row["started_at"]), updatedAt: Date(timeIntervalSince1970: row["updated_at"])
            )
        }
    }
}

extension SQLiteStore: JobStore {
    public func schedule(_ jobs: [NewJob], at date: Date) async throws {
        try await pool.write { db in try JobRows.schedule(jobs, at: date, db) }
    }

    public func claimJobs(now: Date, limit: Int, leaseUntil: Date) async throws -> [Job] {
        try await pool.write { db in
            // Due pending jobs, and running jobs whose lease ran out (their worker died).
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM jobs WHERE state IN ('pending', 'running') AND due_at <= ? ORDER BY due_at, id LIMIT ?
                """, arguments: [now.timeIntervalSince1970, limit])
            let jobs = try rows.map { row in
                var job = try JobRows.job(row)
                job.state = .running
                job.attempts += 1
                job.dueAt = leaseUntil
                return job
            }
            try LeasedQueueRows.lease(.jobs, ids: jobs.map(\.id), leaseUntil: leaseUntil, now: now, db)
            return jobs
        }
    }

    public func complete(_ completion: JobCompletion) async throws {
        // Through the group committer: a batch of jobs finishing together shares one transaction and one fsync.
        try await committer.submit { db in try JobRows.complete(completion, db) }
    }

    public func complete(_ completions: [JobCompletion]) async throws {
        guard !completions.isEmpty else { return }
        try await committer.submit { db in
            for completion in completions { try JobRows.complete(completion, db) }
        }
    }

    public func job(dedupeKey: String) async throws -> Job? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE dedupe_key = ?", arguments: [dedupeKey]).map(JobRows.job)
        }
    }

    public func jobs(state: Job.State, limit: Int) async throws -> [Job] {
        try await read { db in
            try LeasedQueueRows.rows(.jobs, state: state.rawValue, limit: limit, db).map(JobRows.job)
        }
    }

    public func requeueJob(_ id: Int64, at date: Date) async throws -> Bool {
        try await pool.write { db in try LeasedQueueRows.requeueDead(.jobs, id: id, at: date, db) }
    }

    public func recipient(_ address: ChannelAddress) async throws -> Recipient {
        try await read { db in try JobRows.recipient(address, db) }
    }

    public func recipients(_ addresses: [ChannelAddress]) async throws -> [ChannelAddress: Recipient] {
        try await read { db in
            var found: [ChannelAddress: Recipient] = [:]
            for address in addresses where found[address] == nil { found[address] = try JobRows.recipient(address, withSession: false, db) }
            return found
        }
    }
}

extension JobRows {
    /// A job's outcome and everything it produced, in the caller's transaction.
    static func complete(_ completion: JobCompletion, _ db: Database) throws {
        let at = completion.at.timeIntervalSince1970
        switch completion.outcome {
        case .done(let note):
            try db.run("UPDATE jobs SET state = 'done', note = ?, updated_at = ? WHERE id = ?", [note, at, completion.job])
        case .postpone(let date):
            try db.run("UPDATE jobs SET state = 'pending', attempts = attempts - 1, due_at = ?, updated_at = ? WHERE id = ?",
                       [date.timeIntervalSince1970, at, completion.job])
        case .retry(let date, let error):
            try db.run("UPDATE jobs SET state = 'pending', due_at = ?, note = ?, updated_at = ? WHERE id = ?",
                       [date.timeIntervalSince1970, error, at, completion.job])
        case .dead(let error):
            try db.run("UPDATE jobs SET state = 'dead', note = ?, updated_at = ? WHERE id = ?", [error, at, completion.job])
        }
        try PlanWriter.write(completion.plan, messageID: nil, channel: completion.plan.session?.address.channel, db)
    }

    /// The contact row carries the session's language and opt-out (every session save updates it), so a batch of
    /// updates can skip decoding sessions.
    static func recipient(_ address: ChannelAddress, withSession: Bool = true, _ db: Database) throws -> Recipient {
        do {
            let stored = withSession ? try SessionRows.stored(address, db) : StoredSession(nil, version: 0)
            let session = stored.session
            let contact = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT c.locale, c.time_zone, a.opted_out FROM contact_addresses a JOIN contacts c ON c.id = a.contact_id
                WHERE a.channel = ? AND a.address = ?
                """), arguments: [address.channel.rawValue, address.address])
            let locale = session?.locale ?? (contact?["locale"] as String?).map(LanguageTag.init)
            let optedOut = (session?.optedOut ?? false) || (contact?["opted_out"] as Bool? ?? false)
            return Recipient(address: address, locale: locale, optedOut: optedOut, timeZone: contact?["time_zone"], session: session,
                             sessionVersion: stored.version)
        }
    }
}

extension SQLiteStore {

    public func followers(of ticket: TrackingNumber) async throws -> [ChannelAddress] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.channel, f.address FROM ticket_followers f JOIN tickets t ON t.id = f.ticket_id
                WHERE t.tracking_number = ? ORDER BY f.created_at
                """, arguments: [ticket.digits]).compactMap { row in
                Channel(rawValue: row["channel"]).map { ChannelAddress(channel: $0, address: row["address"]) }
            }
        }
    }

    public func survey(of ticket: TrackingNumber) async throws -> SurveyRecord? {
        try await read { db in try JobRows.survey(ticket, db) }
    }

    public func setTimeZone(_ timeZone: String?, for address: ChannelAddress) async throws {
        try await pool.write { db in
            try ContactRows.save(ContactWrite(address, locale: nil), at: Date().timeIntervalSince1970, db)
            try db.run("""
                UPDATE contacts SET time_zone = ? WHERE id = (SELECT contact_id FROM contact_addresses WHERE channel = ? AND address = ?)
                """, [timeZone, address.channel.rawValue, address.address])
        }
    }

    /// Frees every lease at start-up when this process is the only one using the database: a job or outbox entry
    /// still marked running/sending was then left by a process that died, and need not wait for its lease to run
    /// out. With another process alive (a second `serve`, a `chat`), nothing is freed — that process may be sending
    /// right now — and the leases simply expire. Returns nil in that case.
    public func releaseLeasesIfAlone(at date: Date) async throws -> (jobs: Int, outbox: Int)? {
        guard let instances else { return nil }
        return try await pool.write { db in
            try instances.ifAlone {
                (try LeasedQueueRows.releaseAll(.jobs, at: date, db), try LeasedQueueRows.releaseAll(.outbox, at: date, db))
            }
        }
    }

    /// Work due at `date` and not finished: jobs pending or running, outbox entries not yet sent or dead-lettered.
    /// Zero means the queues are drained — nothing more will come out until something new is scheduled or a
    /// later job comes due (operators' metrics; tests assert "nothing more" on it).
    public func backlog(at date: Date) async throws -> (jobs: Int, outbox: Int) {
        try await read { db in
            // Leased items count whenever their lease ends: someone is working on them.
            let jobs = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs WHERE state = 'running' OR (state = 'pending' AND due_at <= ?)",
                                        arguments: [date.timeIntervalSince1970]) ?? 0
            let outbox = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM outbox WHERE state = 'sending' OR (state IN ('pending', 'held') AND due_at <= ?)
                """, arguments: [date.timeIntervalSince1970]) ?? 0
            return (jobs, outbox)
        }
    }

    /// Outbox entries not yet sent or dead-lettered (queue depth, for operators and the benchmarks).
    public func outboxUnfinished() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending', 'held')") ?? 0 }
    }

    /// Counts of jobs by state (queue depth, for `/metrics`, operators and the benchmarks).
    public func jobCounts() async throws -> [Job.State: Int] {
        try await read { db in
            try LeasedQueueRows.counts(.jobs, db).reduce(into: [:]) { counts, row in
                if let state = Job.State(rawValue: row.key) { counts[state] = row.value }
            }
        }
    }
}
