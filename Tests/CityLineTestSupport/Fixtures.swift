import CityLineApp
import CityModel
import Conversation
import Foundation
import Messaging
import Storage
import StoragePostgres
import StorageSQLite

/// A fresh temporary directory, removed with every other one of this test process when it exits.
public func temporaryDirectory() throws -> String {
    let path = temporaryPath()
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A fresh path under this test process's temporary root, not yet created (for `copyItem` and `--data-dir`).
public func temporaryPath(_ prefix: String = "dir") -> String {
    testRoot + "/\(prefix)-\(UUID().uuidString)"
}

/// One directory per test process holds every temporary file of its tests, and is removed when the process exits:
/// each run of the suite used to leave about 400 directories (SQLite files, city copies) in the system's temporary
/// directory for good.
private let testRoot: String = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("cityline-tests-\(getpid())-\(UUID().uuidString.prefix(8))").path
    try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: testRoot) }
    return root
}()

/// Every kind of store the storage contract must hold for: memory and SQLite always, PostgreSQL when
/// `CITYLINE_TEST_DATABASE_URL` names a server (`.ci/run` starts one; `PostgresAvailability` says when it was skipped).
public enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory, sqlite, postgres
    public var description: String { rawValue }

    public typealias AllPorts = AppStorePorts

    /// The kinds this run can test.
    public static var allCases: [StoreKind] { TestDatabase.server == nil ? [.memory, .sqlite] : [.memory, .sqlite, .postgres] }

    /// A new, empty store of this kind (on PostgreSQL: in a database of its own).
    public func make() async throws -> any AllPorts {
        switch self {
        case .memory: return MemoryStore()
        case .sqlite: return try SQLiteStore(path: temporaryDirectory() + "/cityline.sqlite")
        case .postgres: return try await TestDatabase.store()
        }
    }
}

/// The PostgreSQL server the tests may use (`CITYLINE_TEST_DATABASE_URL`), and fresh databases on it.
public enum TestDatabase {
    public static let server: DatabaseURL? = ProcessInfo.processInfo.environment["CITYLINE_TEST_DATABASE_URL"]
        .flatMap { $0.isEmpty ? nil : try? DatabaseURL($0) }

    /// A new empty schema in the test database (the store creates it); its URL. (`.ci/postgres-up` starts each run
    /// with an empty database.)
    public static func database() throws -> DatabaseURL {
        guard let server else { throw PostgresStoreError("CITYLINE_TEST_DATABASE_URL is not set") }
        return server.schema("t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))
    }

    /// A store on a new empty schema (small pool: a test run opens hundreds of stores; a long wait for a connection:
    /// the whole suite shares two cores, and these tests are about what is stored, not about shedding load).
    public static func store() async throws -> PostgresStore {
        try await PostgresStore(url: try database(), maximumConnections: 4, leaseTimeout: .seconds(120))
    }
}

/// Monday 23 November 2026, 10:00 in Springfield (16:00 UTC): the tests' "now".
public let t0 = ISO8601DateFormatter().date(from: "2026-11-23T16:00:00Z")!

/// An inbound SMS from `from`.
public func sms(_ from: String, _ text: String, id: String? = nil, at: Date = t0) -> InboundMessage {
    InboundMessage(from: ChannelAddress(channel: .sms, address: from), text: text, externalID: id, receivedAt: at)
}

/// A pothole ticket with tracking number `serial`, reported by SMS.
public func ticket(_ serial: Int, department: String = "streets", reporter: String = "+12175550100", at: Date = t0) -> Ticket {
    let draft = TicketDraft(
        trackingNumber: TrackingNumber(serial: serial), serviceCode: "pothole", department: department, jurisdiction: "springfield",
        description: "pothole", location: Location(kind: .address, text: "1 Oak St"), attributes: [], media: [],
        locale: .english, channel: .sms, requestedAt: at, expectedAt: at.addingTimeInterval(86_400)
    )
    return Ticket(draft: draft, reporter: ChannelAddress(channel: .sms, address: reporter), updatedAt: at)
}

/// Every outbox entry, oldest first.
public func outboxEntries(_ store: any OutboxStore) async throws -> [OutboxEntry] {
    var entries: [OutboxEntry] = []
    var id: Int64 = 1
    while let entry = try await store.outboxEntry(id) {
        entries.append(entry)
        id += 1
    }
    return entries
}

/// A turn record that stores `session` (at `version`, 0 for a new resident), its contact, `tickets`, inline
/// `replies` and `queued` outbox messages: for seeding a store.
public func seedTurn(_ inbound: InboundMessage, session: Session = Session(), version: Int = 0, tickets: [Ticket] = [],
                     replies: [RenderedMessage] = [], queued: [RenderedMessage] = []) -> TurnRecord {
    TurnRecord(inbound: inbound, replies: replies, plan: WritePlan(
        session: SessionWrite(inbound.from, session, .version(version)), contact: ContactWrite(inbound.from, locale: session.locale),
        tickets: tickets, outbox: queued, at: inbound.receivedAt
    ))
}

extension ConversationStore {
    /// Gives `address` this session, whatever it had (a test starting a resident in a language, or mid-survey),
    /// through the store's own write path.
    public func seedSession(_ session: Session, for address: ChannelAddress, at date: Date = t0) async throws {
        let (stored, _) = try await turnContext(for: address, referencing: [])
        try await apply(WritePlan(session: SessionWrite(address, session, .version(stored.version)),
                                  contact: ContactWrite(address, locale: session.locale), at: date))
    }
}
