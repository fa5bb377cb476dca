import CityModel
import Conversation
import Foundation
import Localization
import Logging
import Messaging
import NIOSSL
import Outreach
import PostgresNIO
import Storage
import Synchronization

/// The scale-out store: every storage port on one PostgreSQL database that several `cityline serve` processes share.
///
/// Each turn is one transaction on a pooled connection (PostgreSQL's own group commit shares the WAL flush of
/// concurrent commits). What the SQLite store gets from its single writer, this one gets from the database: a
/// resident's session is written only over the version that was read (`UPDATE … WHERE version = $n`), a redelivered
/// message is refused by a unique index whichever instance stored it first, tickets and conversations are read
/// `FOR UPDATE` before they are rewritten, and the outbox and jobs are claimed with `FOR UPDATE SKIP LOCKED` under
/// leases that another instance takes over when they run out.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// Runs the pool; cancelled when the store goes away.
    private let running: Task<Void, Never>
    /// A connection of its own holding the instances' shared advisory lock (see `releaseLeasesIfAlone`).
    let presence: PostgresConnection?
    public let url: DatabaseURL
    let leaseTimeout: Duration

    /// Where the data is, for the start-up summary (no password).
    public var location: String { url.redacted }

    /// Connects, migrates the schema (once, whichever instance starts first) and opens a pool of at most
    /// `maximumConnections`. Throws `PostgresStoreError` naming the URL without its password when the server
    /// cannot be reached or refuses.
    ///
    /// `leaseTimeout`: how long a request waits for a pooled connection before the store says the database is
    /// unavailable (the pool itself would wait for its circuit breaker, about a minute — longer than a carrier waits
    /// for an answer).
    public init(url: DatabaseURL, maximumConnections: Int = 16, leaseTimeout: Duration = .seconds(5),
                logger: Logger = Logger(label: "cityline.postgres")) async throws {
        self.url = url
        self.leaseTimeout = leaseTimeout
        self.logger = logger
        let tls = try Self.tls(url)
        var single = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                     database: url.database, tls: tls)
        single.options.connectTimeout = .seconds(10)
        single.options.additionalStartupParameters = Self.startupParameters(url)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: single, id: 1, logger: logger)
        } catch {
            throw PostgresStoreError("cannot connect to PostgreSQL at \(url.redacted): \(Self.explain(error))")
        }
        do {
            try await Self.migrate(connection, schema: url.schema, logger: logger)
            try await connection.query("SELECT pg_advisory_lock_shared(\(Self.presenceLock), hashtext(\(url.schema ?? "public")))", logger: logger)
        } catch {
            try? await connection.close()
            throw PostgresStoreError("cannot prepare the database at \(url.redacted): \(Self.explain(error))")
        }
        presence = connection
        var configuration = PostgresClient.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                         database: url.database, tls: try Self.clientTLS(url))
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = Self.startupParameters(url)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        running = Task { await client.run() }
    }

    deinit {
        running.cancel()
        if let presence { Task { try? await presence.close() } }
    }

    /// Closes the pool and the presence connection (the store cannot be used afterwards).
    public func close() async {
        running.cancel()
        try? await presence?.close()
    }

    // MARK: - Connections and transactions

    /// Runs `body` on a pooled connection outside a transaction (one statement, or reads that need no snapshot).
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await leased { connection in try await body(connection) }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back (and its error rethrown as it was)
    /// when it throws.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let logger = logger
        return try await leased { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Leases a connection for `body`, giving up after `leaseTimeout` if none comes (the database is down, or every
    /// connection is busy for that long) — but never once `body` has started. Driver and pool errors come out as
    /// `PostgresUnavailable` (cannot reach the database) or `PostgresStoreError` (the database refused).
    private func leased<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let started = StartedFlag()
        let client = client
        let timeout = leaseTimeout
        do {
            return try await withoutActuallyEscaping(body) { body in
                let unchecked = UncheckedBody(body)
                return try await withThrowingTaskGroup(of: T?.self) { group in
                    group.addTask {
                        try await client.withConnection { connection in
                            started.set()
                            return try await unchecked.body(connection)
                        }
                    }
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        if started.isSet { return nil }
                        throw LeaseTimedOut()
                    }
                    while let result = try await group.next() {
                        if let value = result {
                            group.cancelAll()
                            return value
                        }
                    }
                    throw LeaseTimedOut()
                }
            }
        } catch let error as PSQLError {
            throw wrap(error)
        } catch is LeaseTimedOut {
            throw PostgresUnavailable(description: "PostgreSQL at \(url.redacted) is unavailable: no connection within \(leaseTimeout)")
        } catch where !started.isSet && !(error is CancellationError) {
            // The pool's own errors (its circuit breaker, a closed pool) before any statement ran.
            throw PostgresUnavailable(description: "PostgreSQL at \(url.redacted) is unavailable: \(error)")
        }
    }

    // MARK: - Schema

    /// The shared lock every open store holds while it lives (keyed by this and the schema's name): an instance
    /// that can take it exclusively is alone.
    static let presenceLock: Int32 = 0x4369_7479

    /// The URL's schema as every connection's search path.
    static func startupParameters(_ url: DatabaseURL) -> [(String, String)] {
        url.schema.map { [("options", "-c search_path=\($0)")] } ?? []
    }

    /// Applies the migrations this database has not had yet, in one transaction, holding a lock that makes
    /// instances starting together take turns.
    static func migrate(_ connection: PostgresConnection, schema: String?, logger: Logger) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock), hashtext(\(schema ?? "public")))",
                                       logger: logger)
            if let schema { try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger) }
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS cityline_migrations (
                    version integer PRIMARY KEY, name text NOT NULL, applied_at double precision NOT NULL)
                """, logger: logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM cityline_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                for statement in migration.sql { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("""
                    INSERT INTO cityline_migrations (version, name, applied_at)
                    VALUES (\(migration.version), \(migration.name), \(Date().timeIntervalSince1970))
                    """, logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    // MARK: - Errors

    private static func tls(_ url: DatabaseURL) throws -> PostgresConnection.Configuration.TLS {
        switch url.tls {
        case .disable: return .disable
        case .prefer: return .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    private static func clientTLS(_ url: DatabaseURL) throws -> PostgresClient.Configuration.TLS {
        switch url.tls {
        case .disable: return .disable
        case .prefer: return .prefer(.makeClientConfiguration())
        case .require: return .require(.makeClientConfiguration())
        }
    }

    /// What went wrong, in words: the server's message when it sent one, else the connection error.
    static func explain(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return message + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
        }
        if let underlying = error.underlying { return "\(underlying)" }
        return "\(error.code)"
    }

    /// A driver error as the store's own, with the server's words (PSQLError's description hides them):
    /// `PostgresUnavailable` when the server cannot be reached or is going away (connection errors, SQLSTATE classes
    /// 08 connection exception, 53 insufficient resources, 57 operator intervention).
    func wrap(_ error: PSQLError) -> any Error {
        let unreachable: [PSQLError.Code] = [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed]
        let state = error.serverInfo?[.sqlState] ?? ""
        if unreachable.contains(error.code) || ["08", "53", "57"].contains(String(state.prefix(2))) {
            return PostgresUnavailable(description: "PostgreSQL at \(url.redacted) is unavailable: \(Self.explain(error))")
        }
        return PostgresStoreError("PostgreSQL: \(Self.explain(error))")
    }
}

/// Whether a lease's body has started (set once, read by the timer).
private final class StartedFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// The lease timer fired before a connection came.
private struct LeaseTimedOut: Error {}

/// A caller's body run in the lease's child task: the caller waits for that task (the group returns only when it
/// has finished or been cancelled), so the body never outlives the call that lent it.
private struct UncheckedBody<T>: @unchecked Sendable {
    let body: (PostgresConnection) async throws -> T
    init(_ body: @escaping (PostgresConnection) async throws -> T) { self.body = body }
}

extension PostgresConnection {
    /// Every row of `query`.
    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    /// Runs `query` for its effect.
    func run(_ query: PostgresQuery, _ logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
}

// MARK: - ConversationStore

extension PostgresStore: ConversationStore {
    public func session(for address: ChannelAddress) async throws -> Session? {
        try await read { db in try await SessionRows.stored(address, db, logger).session }
    }

    public func tickets(reportedBy address: ChannelAddress) async throws -> [Ticket] {
        try await read { db in try await TicketRows.reportedBy(address, db, logger) }
    }

    public func ticket(_ number: TrackingNumber) async throws -> Ticket? {
        try await read { db in try await TicketRows.fetch(number, db, logger) }
    }

    public func tickets(_ numbers: [TrackingNumber]) async throws -> [TrackingNumber: Ticket] {
        guard !numbers.isEmpty else { return [:] }
        let digits = numbers.map(\.digits)
        return try await read { db in
            var found: [TrackingNumber: Ticket] = [:]
            for row in try await db.rows("SELECT data FROM tickets WHERE tracking_number = ANY(\(digits))", logger) {
                let ticket = try StoredJSON.decode(Ticket.self, try row.decode(String.self))
                found[ticket.trackingNumber] = ticket
            }
            return found
        }
    }

    public func replies(toExternalID id: String, channel: CityModel.Channel) async throws -> [RenderedMessage]? {
        try await read { db in try await Self.replies(toExternalID: id, channel: channel, db, logger) }
    }

    static func replies(toExternalID id: String, channel: CityModel.Channel, _ db: PostgresConnection,
                        _ logger: Logger) async throws -> [RenderedMessage]? {
        guard let inbound = try await db.rows("""
            SELECT id FROM messages WHERE channel = \(channel.rawValue) AND external_id = \(id)
            """, logger).first?.decode(Int64.self) else { return nil }
        return try await db.rows("SELECT data FROM messages WHERE reply_to = \(inbound) AND inline ORDER BY id", logger).map {
            try StoredJSON.decode(RenderedMessage.self, try $0.decode(String.self))
        }
    }

    public func turnContext(for address: ChannelAddress, referencing numbers: [TrackingNumber]) async throws -> (StoredSession, [Ticket]) {
        try await read { db in try await Self.turnContext(for: address, referencing: numbers, db, logger) }
    }

    static func turnContext(for address: ChannelAddress, referencing numbers: [TrackingNumber], _ db: PostgresConnection,
                            _ logger: Logger) async throws -> (StoredSession, [Ticket]) {
        let session = try await SessionRows.stored(address, db, logger)
        var tickets = try await TicketRows.reportedBy(address, db, logger)
        for number in numbers where !tickets.contains(where: { $0.trackingNumber == number }) {
            if let ticket = try await TicketRows.fetch(number, db, logger) { tickets.append(ticket) }
        }
        return (session, tickets)
    }

    /// One connection for both reads (the pool is asked once per message).
    public func turnStart(for address: ChannelAddress, externalID: String?, referencing numbers: [TrackingNumber]) async throws -> TurnStart {
        try await read { db in
            if let externalID, let earlier = try await Self.replies(toExternalID: externalID, channel: address.channel, db, logger) {
                return .redelivered(earlier)
            }
            let (session, tickets) = try await Self.turnContext(for: address, referencing: numbers, db, logger)
            return .new(session, tickets)
        }
    }

    public func openTickets(near query: NearbyQuery, limit: Int) async throws -> [NearbyTicket] {
        try await read { db in try await TicketRows.open(near: query, limit: limit, db, logger) }
    }

    public func surveys(of tickets: [TrackingNumber]) async throws -> [TrackingNumber: SurveyRecord] {
        try await read { db in
            var found: [TrackingNumber: SurveyRecord] = [:]
            for ticket in tickets { found[ticket] = try await JobRows.survey(ticket, db, logger) }
            return found
        }
    }

    public func commit(_ record: TurnRecord) async throws {
        try await transaction { db in try await TurnWriter.write(record, db, logger) }
    }

    public func apply(_ plan: WritePlan) async throws {
        try await transaction { db in
            try await PlanWriter.write(plan, messageID: nil, channel: plan.session?.address.channel ?? plan.contact?.address.channel, db, logger)
        }
    }

    public func emergencies(since date: Date) async throws -> [EmergencyRecord] {
        try await read { db in
            try await db.rows("""
                SELECT trigger, channel, locale, created_at FROM emergencies WHERE created_at >= \(date.timeIntervalSince1970) ORDER BY id
                """, logger).map { row in
                let (trigger, channel, locale, at) = try row.decode((String, String, String?, Double).self)
                return EmergencyRecord(trigger: trigger, channel: CityModel.Channel(rawValue: channel) ?? .sms, locale: locale.map(LanguageTag.init),
                                       at: Date(timeIntervalSince1970: at))
            }
        }
    }

    public func events(since date: Date) async throws -> [EventRecord] {
        try await read { db in
            try await db.rows("""
                SELECT channel, data, created_at FROM events WHERE created_at >= \(date.timeIntervalSince1970) ORDER BY id
                """, logger).map { row in
                let (channel, data, at) = try row.decode((String?, String, Double).self)
                return EventRecord(event: try StoredJSON.decode(Event.self, data), channel: channel.flatMap(CityModel.Channel.init),
                                   at: Date(timeIntervalSince1970: at))
            }
        }
    }
}

// MARK: - TicketStore

extension PostgresStore: TicketStore {
    public func tickets(_ filter: TicketFilter) async throws -> [Ticket] {
        let statuses = filter.statuses?.map(\.rawValue)
        let departments = filter.departments.map { $0.sorted() }
        let since = filter.updatedSince?.timeIntervalSince1970
        return try await read { db in
            try await db.rows("""
                SELECT data FROM tickets
                WHERE (\(statuses)::text[] IS NULL OR status = ANY(\(statuses)))
                  AND (\(filter.serviceCode)::text IS NULL OR service_code = \(filter.serviceCode))
                  AND (\(departments)::text[] IS NULL OR department = ANY(\(departments)))
                  AND (\(since)::float8 IS NULL OR updated_at >= \(since))
                ORDER BY updated_at DESC LIMIT \(filter.limit)
                """, logger).map { try StoredJSON.decode(Ticket.self, try $0.decode(String.self)) }
        }
    }

    public func history(of number: TrackingNumber) async throws -> [TicketEvent] {
        try await read { db in
            try await db.rows("""
                SELECT e.data FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
                WHERE t.tracking_number = \(number.digits) ORDER BY e.id
                """, logger).map { try StoredJSON.decode(TicketEvent.self, try $0.decode(String.self)) }
        }
    }

    public func update(_ number: TrackingNumber, _ change: TicketChange, actor: String, at date: Date,
                       plan: @Sendable (Ticket, [TicketEvent]) -> [NewJob]) async throws -> Ticket? {
        try await transaction { db in
            guard var ticket = try await TicketRows.fetch(number, forUpdate: true, db, logger) else { return nil }
            let events = change.apply(to: &ticket, at: date, actor: actor)
            try await TicketRows.save(ticket, db, logger)
            for event in events { try await TicketRows.append(event, to: number, db, logger) }
            try await JobRows.schedule(plan(ticket, events), at: date, db, logger)
            return ticket
        }
    }

    public func create(_ ticket: Ticket, idempotencyKey: String?, actor: String, plan: WritePlan) async throws
        -> (ticket: Ticket, created: Bool) {
        try await transaction { db in
            if let key = idempotencyKey {
                // Two instances given the same key at once: the second waits for the first's row, then finds it.
                try await db.run("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 7))", logger)
                if let data = try await db.rows("""
                    SELECT t.data FROM ticket_requests r JOIN tickets t ON t.id = r.ticket_id WHERE r.idempotency_key = \(key)
                    """, logger).first?.decode(String.self) {
                    return (try StoredJSON.decode(Ticket.self, data), false)
                }
            }
            let id = try await TicketRows.insert(ticket, actor: actor, db, logger)
            if let key = idempotencyKey {
                try await db.run("""
                    INSERT INTO ticket_requests (idempotency_key, ticket_id, created_at) VALUES (\(key), \(id), \(plan.at.timeIntervalSince1970))
                    """, logger)
            }
            try await PlanWriter.write(plan, messageID: nil, channel: nil, db, logger)
            return (ticket, true)
        }
    }

    public func addNote(to number: TrackingNumber, text: String, isPublic: Bool, actor: String, at date: Date) async throws -> TicketEvent? {
        try await transaction { db in
            guard var ticket = try await TicketRows.fetch(number, forUpdate: true, db, logger) else { return nil }
            let event = TicketEvent(kind: .note, at: date, note: text, isPublic: isPublic, actor: actor)
            ticket.updatedAt = date
            if isPublic { ticket.publicNote = text }
            try await TicketRows.save(ticket, db, logger)
            try await TicketRows.append(event, to: number, db, logger)
            return event
        }
    }

    /// Stores tickets kept elsewhere before (a city's earlier system, a benchmark's million) in one transaction, as
    /// they are: no acknowledgement, no jobs. Throws `StoreError.trackingNumberTaken` (and stores none) when a
    /// number is in use.
    public func importTickets(_ tickets: [Ticket], actor: String = "import") async throws {
        try await transaction { db in
            for ticket in tickets { _ = try await TicketRows.insert(ticket, actor: actor, db, logger) }
        }
    }
}

// MARK: - Tracking numbers, pacing, tokens

extension PostgresStore: TrackingNumberStore, PacingStore, TokenStore {
    public func reserveTrackingNumbers(_ count: Int) async throws -> Range<Int> {
        try await read { db in
            let end = try await db.rows("UPDATE sequences SET next = next + \(count) WHERE name = 'tracking' RETURNING next", logger)
                .first?.decode(Int.self) ?? count
            return (end - count)..<end
        }
    }

    public func takeTokens(sender: String, segments: Double, rate: Double, burst: Double, now: Date) async throws -> TimeInterval {
        try await transaction { db in
            // A missing bucket is full; the row is made first so that every instance then waits on its lock.
            try await db.run("""
                INSERT INTO pacing (sender, tokens, updated_at) VALUES (\(sender), \(burst), \(now.timeIntervalSince1970))
                ON CONFLICT (sender) DO NOTHING
                """, logger)
            let (tokens, updated) = try await db.rows("SELECT tokens, updated_at FROM pacing WHERE sender = \(sender) FOR UPDATE", logger)[0]
                .decode((Double, Double).self)
            let (bucket, wait) = TokenBucket.take(segments, from: TokenBucket(tokens: tokens, updatedAt: Date(timeIntervalSince1970: updated)),
                                                  rate: rate, burst: burst, now: now)
            try await db.run("""
                UPDATE pacing SET tokens = \(bucket.tokens), updated_at = \(bucket.updatedAt.timeIntervalSince1970) WHERE sender = \(sender)
                """, logger)
            return wait
        }
    }

    public func createToken(hash: String, role: StaffRole, department: String?, label: String?, languages: [LanguageTag], at date: Date)
        async throws -> StaffToken {
        let codes = languages.map(\.code).joined(separator: ",")
        let id = try await read { db in
            try await db.rows("""
                INSERT INTO staff_tokens (token_hash, role, department, label, languages, created_at)
                VALUES (\(hash), \(role.rawValue), \(department), \(label), \(codes), \(date.timeIntervalSince1970)) RETURNING id
                """, logger)[0].decode(Int64.self)
        }
        return StaffToken(id: id, role: role, department: department, label: label, languages: languages, createdAt: date)
    }

    public func token(hash: String) async throws -> StaffToken? {
        try await read { db in
            try await db.rows("""
                SELECT id, role, department, label, languages, created_at FROM staff_tokens WHERE token_hash = \(hash)
                """, logger).first.map { row in
                let (id, role, department, label, languages, created) = try row.decode((Int64, String, String?, String?, String, Double).self)
                return StaffToken(id: id, role: StaffRole(rawValue: role) ?? .staff, department: department, label: label,
                                  languages: languages.split(separator: ",").map { LanguageTag(String($0)) },
                                  createdAt: Date(timeIntervalSince1970: created))
            }
        }
    }
}

// MARK: - The instances' shared secret

extension PostgresStore {
    /// The server secret every instance on this database shares (`cityline serve` uses it when `CITYLINE_SECRET` is
    /// not set): `candidate` is stored if there is none yet — the first instance's wins — and the stored one returned.
    public func sharedSecret(candidate: [UInt8]) async throws -> [UInt8] {
        try await read { db in
            try await db.run("""
                INSERT INTO server_secrets (name, value, created_at) VALUES ('server', \(ByteBuffer(bytes: candidate)), \(Date().timeIntervalSince1970))
                ON CONFLICT (name) DO NOTHING
                """, logger)
            var value = try await db.rows("SELECT value FROM server_secrets WHERE name = 'server'", logger)[0].decode(ByteBuffer.self)
            return value.readBytes(length: value.readableBytes) ?? []
        }
    }
}

extension PostgresStore {
    /// Keeps `secret` as the instances' shared secret, replacing any (`cityline db copy` brings the SQLite
    /// deployment's `secret.key`, so unsubscribe links already sent keep working).
    public func replaceSharedSecret(_ secret: [UInt8]) async throws {
        try await read { db in
            try await db.run("""
                INSERT INTO server_secrets (name, value, created_at) VALUES ('server', \(ByteBuffer(bytes: secret)), \(Date().timeIntervalSince1970))
                ON CONFLICT (name) DO UPDATE SET value = excluded.value, created_at = excluded.created_at
                """, logger)
        }
    }
}

// MARK: - Inspection (tests, benchmarks, `cityline db copy`)

extension PostgresStore {
    /// The tables `count` may name.
    public static let countedTables: Set<String> = ["messages", "tickets", "sessions", "outbox", "ticket_events", "contacts", "jobs",
                                                    "ticket_followers", "surveys", "events", "contact_addresses", "staff_tokens",
                                                    "handoffs", "handoff_notes", "emergencies", "ticket_links", "ticket_requests", "pacing"]

    /// Counts of stored rows, for tests, benchmarks and the copy's check; `condition`: a fixed SQL condition
    /// written by the caller (never input).
    public func count(_ table: String, where condition: StaticString? = nil) async throws -> Int {
        precondition(Self.countedTables.contains(table))
        let filter = condition.map { " WHERE \($0)" } ?? ""
        return try await read { db in
            try await db.rows(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table)\(filter)"), logger)[0].decode(Int.self)
        }
    }

    /// Whether an inbound message with this channel id is stored.
    public func hasInbound(externalID: String, channel: CityModel.Channel) async throws -> Bool {
        try await read { db in
            try await db.rows("""
                SELECT 1 FROM messages WHERE channel = \(channel.rawValue) AND external_id = \(externalID) AND direction = 'in'
                """, logger).isEmpty == false
        }
    }

    /// Queues a message outside a turn.
    @discardableResult
    public func enqueue(_ message: RenderedMessage, at date: Date) async throws -> Int64 {
        try await read { db in try await OutboxRows.enqueue(message, at: date, db, logger) }
    }
}
