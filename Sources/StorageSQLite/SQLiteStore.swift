import CityModel
import Conversation
import Foundation
import GRDB
import Localization
import Messaging
import Outreach
import Storage
import Synchronization

/// The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a committed turn survives a
/// power cut. Implements every storage port; the conversation commit goes through `GroupCommitter`, which
/// batches concurrent turns into one transaction (each in its own savepoint) so durability does not cap
/// throughput at the disk's fsync rate.
public final class SQLiteStore: ConversationStore, TicketStore, OutboxStore, TokenStore, TrackingNumberStore, PacingStore, Sendable {
    let pool: DatabasePool
    let committer: GroupCommitter
    /// Where `read(_:)` runs (concurrent: reads run side by side, up to GRDB's reader count).
    let readQueue = DispatchQueue(label: "cityline.sqlite.read", attributes: .concurrent)
    let instances: InstanceLock?
    public let path: String

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // No memory-mapped reads (mmap_size stays 0): in WAL mode a reader that finds the database changed since
            // its last transaction unmaps the whole file, and every turn writes, so each read paid an munmap and the
            // page faults after it (about 10% of the SMS webhook's CPU). The KPI report and the duplicate lookup over
            // 300,000 tickets measured the same without it (README, "Benchmarks").
        }
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
        committer = GroupCommitter(pool: pool)
        instances = InstanceLock(path: path + ".instances")
        self.path = path
    }

    // MARK: - Reads

    /// A short read (a few rows by key: what a turn needs) on the calling thread, with GRDB's synchronous read.
    ///
    /// GRDB's `async` read hops to the reader connection's queue and back, and each hop woke a thread: five context
    /// switches per SMS webhook turn, 13% of its CPU. Every read of the store goes through this or `read(_:)`, both
    /// synchronous reads, so a reader connection is only ever held by a thread that is running its read — never
    /// across an `await`, where it would need a free cooperative thread to be given back (GRDB's async read holds
    /// one so), and a cooperative thread waiting here for a reader would then wait on the very threads it blocks.
    func readHere<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// A read of any length (reports, lists, exports), off the cooperative threads on a queue of the store's own.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            readQueue.async { continuation.resume(with: Result { try self.pool.read(body) }) }
        }
    }

    // MARK: - ConversationStore

    public func session(for address: ChannelAddress) async throws -> Session? {
        try readHere { db in try SessionRows.fetch(address, db) }
    }

    public func tickets(reportedBy address: ChannelAddress) async throws -> [Ticket] {
        try readHere { db in try TicketRows.reportedBy(address, db) }
    }

    public func ticket(_ number: TrackingNumber) async throws -> Ticket? {
        try readHere { db in try TicketRows.fetch(db, where: "tracking_number = ?", [number.digits], limit: 1).first }
    }

    public func tickets(_ numbers: [TrackingNumber]) async throws -> [TrackingNumber: Ticket] {
        guard !numbers.isEmpty else { return [:] }
        return try await read { db in
            var found: [TrackingNumber: Ticket] = [:]
            // In chunks, well under SQLite's limit on bound parameters.
            for chunk in stride(from: 0, to: numbers.count, by: 500).map({ numbers[$0..<min($0 + 500, numbers.count)] }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                for ticket in try TicketRows.fetch(db, where: "tracking_number IN (\(marks))", StatementArguments(chunk.map(\.digits)),
                                                   limit: chunk.count) {
                    found[ticket.trackingNumber] = ticket
                }
            }
            return found
        }
    }

    public func replies(toExternalID id: String, channel: Channel) async throws -> [RenderedMessage]? {
        try readHere { db in try Self.replies(toExternalID: id, channel: channel, db) }
    }

    static func replies(toExternalID id: String, channel: Channel, _ db: Database) throws -> [RenderedMessage]? {
        // Asked first on every inbound message: both statements come from the connection's cache, parsed once.
        guard let inbound = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM messages WHERE channel = ? AND external_id = ?"),
                                               arguments: [channel.rawValue, id]) else { return nil }
        return try String.fetchAll(db.cachedStatement(sql: "SELECT data FROM messages WHERE reply_to = ? AND inline = 1 ORDER BY id"),
                                   arguments: [inbound]).map { try StoredJSON.decode(RenderedMessage.self, $0) }
    }

    public func turnContext(for address: ChannelAddress, referencing numbers: [TrackingNumber]) async throws -> (StoredSession, [Ticket]) {
        try readHere { db in try Self.turnContext(for: address, referencing: numbers, db) }
    }

    static func turnContext(for address: ChannelAddress, referencing numbers: [TrackingNumber], _ db: Database) throws -> (StoredSession, [Ticket]) {
        let session = try SessionRows.stored(address, db)
        var tickets = try TicketRows.reportedBy(address, db)
        for number in numbers where !tickets.contains(where: { $0.trackingNumber == number }) {
            tickets += try TicketRows.fetch(db, where: "tracking_number = ?", [number.digits], limit: 1)
        }
        return (session, tickets)
    }

    public func turnStart(for address: ChannelAddress, externalID: String?, referencing numbers: [TrackingNumber]) async throws -> TurnStart {
        try readHere { db in
            if let externalID, let earlier = try Self.replies(toExternalID: externalID, channel: address.channel, db) {
                return .redelivered(earlier)
            }
            let (session, tickets) = try Self.turnContext(for: address, referencing: numbers, db)
            return .new(session, tickets)
        }
    }

    public func openTickets(near query: NearbyQuery, limit: Int) async throws -> [NearbyTicket] {
        try readHere { db in try TicketRows.open(near: query, limit: limit, db) }
    }

    public func surveys(of tickets: [TrackingNumber]) async throws -> [TrackingNumber: SurveyRecord] {
        try readHere { db in
            try tickets.reduce(into: [:]) { found, ticket in found[ticket] = try JobRows.survey(ticket, db) }
        }
    }

    public func commit(_ record: TurnRecord) async throws {
        try await committer.submit { db in try TurnWriter.write(record, db) }
    }

    public func apply(_ plan: WritePlan) async throws {
        try await committer.submit { db in
            try PlanWriter.write(plan, messageID: nil, channel: plan.session?.address.channel ?? plan.contact?.address.channel, db)
        }
    }

    public func emergencies(since date: Date) async throws -> [EmergencyRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT trigger, channel, locale, created_at FROM emergencies WHERE created_at >= ? ORDER BY id",
                             arguments: [date.timeIntervalSince1970]).map { row in
                EmergencyRecord(trigger: row["trigger"], channel: Channel(rawValue: row["channel"]) ?? .sms,
                                locale: (row["locale"] as String?).map(LanguageTag.init), at: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    public func events(since date: Date) async throws -> [EventRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT channel, data, created_at FROM events WHERE created_at >= ? ORDER BY id",
                             arguments: [date.timeIntervalSince1970]).map { row in
                EventRecord(event: try StoredJSON.decode(Event.self, row["data"]), channel: (row["channel"] as String?).flatMap(Channel.init),
                            at: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    // MARK: - TicketStore

    public func tickets(_ filter: TicketFilter) async throws -> [Ticket] {
        var clauses: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let statuses = filter.statuses {
            clauses.append("status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))")
            arguments += statuses.map(\.rawValue)
        }
        if let code = filter.serviceCode {
            clauses.append("service_code = ?")
            arguments.append(code)
        }
        if let departments = filter.departments {
            clauses.append("department IN (\(departments.map { _ in "?" }.joined(separator: ",")))")
            arguments += departments.sorted()
        }
        if let since = filter.updatedSince {
            clauses.append("updated_at >= ?")
            arguments.append(since.timeIntervalSince1970)
        }
        let condition = clauses.isEmpty ? "1" : clauses.joined(separator: " AND ")
        let values = StatementArguments(arguments)
        return try await read { db in
            try TicketRows.fetch(db, where: condition, values, order: "updated_at DESC", limit: filter.limit)
        }
    }

    public func history(of number: TrackingNumber) async throws -> [TicketEvent] {
        try await read { db in
            try String.fetchAll(db, sql: """
                SELECT e.data FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
                WHERE t.tracking_number = ? ORDER BY e.id
                """, arguments: [number.digits]).map { try StoredJSON.decode(TicketEvent.self, $0) }
        }
    }

    public func update(_ number: TrackingNumber, _ change: TicketChange, actor: String, at date: Date,
                       plan: @Sendable (Ticket, [TicketEvent]) -> [NewJob]) async throws -> Ticket? {
        try await pool.write { db in
            guard var ticket = try TicketRows.fetch(db, where: "tracking_number = ?", [number.digits], limit: 1).first else { return nil }
            let events = change.apply(to: &ticket, at: date, actor: actor)
            try TicketRows.save(ticket, db)
            for event in events { try TicketRows.append(event, to: number, db) }
            try JobRows.schedule(plan(ticket, events), at: date, db)
            return ticket
        }
    }

    /// Stores tickets kept elsewhere before (a city's earlier system, a benchmark's million) in one transaction,
    /// as they are: no acknowledgement, no jobs. Throws `StoreError.trackingNumberTaken` (and stores none) when a
    /// number is in use.
    public func importTickets(_ tickets: [Ticket], actor: String = "import") async throws {
        try await pool.write { db in
            do {
                for ticket in tickets { try TicketRows.insert(ticket, actor: actor, db) }
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StoreError.trackingNumberTaken
            }
        }
    }

    public func create(_ ticket: Ticket, idempotencyKey: String?, actor: String, plan: WritePlan) async throws
        -> (ticket: Ticket, created: Bool) {
        try await pool.write { db in
            if let key = idempotencyKey, let earlier = try TicketRows.fetch(db, where: """
                id = (SELECT ticket_id FROM ticket_requests WHERE idempotency_key = ?)
                """, [key], limit: 1).first {
                return (earlier, false)
            }
            do {
                try TicketRows.insert(ticket, actor: actor, db)
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StoreError.trackingNumberTaken
            }
            if let key = idempotencyKey, let id = try JobRows.ticketID(ticket.trackingNumber, db) {
                try db.run("INSERT INTO ticket_requests (idempotency_key, ticket_id, created_at) VALUES (?, ?, ?)",
                           [key, id, plan.at.timeIntervalSince1970])
            }
            try PlanWriter.write(plan, messageID: nil, channel: nil, db)
            return (ticket, true)
        }
    }

    public func addNote(to number: TrackingNumber, text: String, isPublic: Bool, actor: String, at date: Date) async throws -> TicketEvent? {
        try await pool.write { db in
            guard var ticket = try TicketRows.fetch(db, where: "tracking_number = ?", [number.digits], limit: 1).first else { return nil }
            let event = TicketEvent(kind: .note, at: date, note: text, isPublic: isPublic, actor: actor)
            ticket.updatedAt = date
            if isPublic { ticket.publicNote = text }
            try TicketRows.save(ticket, db)
            try TicketRows.append(event, to: number, db)
            return event
        }
    }

    // MARK: - TrackingNumberStore

    public func reserveTrackingNumbers(_ count: Int) async throws -> Range<Int> {
        try await pool.write { db in
            let first = try Int.fetchOne(db, sql: "SELECT next FROM sequences WHERE name = 'tracking'") ?? 0
            try db.run("UPDATE sequences SET next = ? WHERE name = 'tracking'", [first + count])
            return first..<(first + count)
        }
    }

    // MARK: - PacingStore

    public func takeTokens(sender: String, segments: Double, rate: Double, burst: Double, now: Date) async throws -> TimeInterval {
        // Through the group committer: messages sent in parallel share a transaction (and an fsync).
        let wait = Mutex<TimeInterval>(0)
        try await committer.submit { db in
            let stored = try Row.fetchOne(db.cachedStatement(sql: "SELECT tokens, updated_at FROM pacing WHERE sender = ?"), arguments: [sender])
                .map { TokenBucket(tokens: $0["tokens"], updatedAt: Date(timeIntervalSince1970: $0["updated_at"])) }
            let (bucket, result) = TokenBucket.take(segments, from: stored, rate: rate, burst: burst, now: now)
            try db.run("""
                INSERT INTO pacing (sender, tokens, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (sender) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at
                """, [sender, bucket.tokens, bucket.updatedAt.timeIntervalSince1970])
            wait.withLock { $0 = result }
        }
        return wait.withLock { $0 }
    }

    // MARK: - TokenStore

    public func createToken(hash: String, role: StaffRole, department: String?, label: String?, languages: [LanguageTag], at date: Date)
        async throws -> StaffToken {
        try await pool.write { db in
            try db.run("INSERT INTO staff_tokens (token_hash, role, department, label, languages, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                       [hash, role.rawValue, department, label, languages.map(\.code).joined(separator: ","), date.timeIntervalSince1970])
            return StaffToken(id: db.lastInsertedRowID, role: role, department: department, label: label, languages: languages, createdAt: date)
        }
    }

    public func token(hash: String) async throws -> StaffToken? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM staff_tokens WHERE token_hash = ?", arguments: [hash]).map { row in
                StaffToken(id: row["id"], role: StaffRole(rawValue: row["role"]) ?? .staff, department: row["department"],
                           label: row["label"],
                           languages: ((row["languages"] as String?) ?? "").split(separator: ",").map { LanguageTag(String($0)) },
                           createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    // MARK: - Inspection (tests, `cityline` tools)

    /// Whether an inbound message with this channel id is stored.
    public func hasInbound(externalID: String, channel: Channel) async throws -> Bool {
        try await read { db in
            try Bool.fetchOne(db, sql: "SELECT COUNT(*) > 0 FROM messages WHERE channel = ? AND external_id = ? AND direction = 'in'",
                              arguments: [channel.rawValue, externalID]) ?? false
        }
    }

    /// Counts of stored rows, for tests and benchmarks.
    public func count(_ table: String) async throws -> Int {
        precondition(["messages", "tickets", "sessions", "outbox", "ticket_events", "contacts", "jobs", "ticket_followers", "surveys", "events"]
            .contains(table))
        return try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }
}

extension SQLiteStore {
    /// A PRAGMA's value as text (tests check WAL and synchronous=FULL).
    public func pragma(_ name: String) async throws -> String? {
        precondition(name.allSatisfy { $0.isLetter || $0 == "_" })
        return try await read { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }
}

extension Database {
    /// Runs `sql` through the connection's statement cache: hot statements are parsed once.
    func run(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
