import CityConfig
import CityModel
import Conversation
import Foundation
import Logging
import Rendering
import Storage
import StorageSQLite
import Switchboard
import Hummingbird
import Synchronization

/// The demo city, loaded once.
enum Demo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let loaded = Result<(City, Engine, MessageComposer), any Error> {
        let city = try CityLoader(directory: root.appendingPathComponent("DemoCity").path, environment: [:]).load()
        let (catalog, lexicon) = try LocaleLoader(directory: root.appendingPathComponent("Locales").path).load()
        let renderer = MessageRenderer(catalog: catalog, timeZone: city.timeZone, fallbacks: city.fallbackLocales)
        let templates = try TemplateLoader(directories: [root.appendingPathComponent("Templates").path]).load()
        return (city, Engine(city: city, lexicon: lexicon), MessageComposer(renderer: renderer, templates: templates, city: city))
    }

    static func switchboard(_ store: any ConversationStore, numbers: any TrackingNumberSource = SequentialTrackingNumbers()) throws -> Switchboard {
        let (_, engine, composer) = try loaded.get()
        return Switchboard(engine: engine, composer: composer, store: store, numbers: numbers, logger: Logger(label: "test"))
    }

    static var city: City { get throws { try loaded.get().0 } }
}

/// A fresh temporary directory.
func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("cityline-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Every kind of store the storage contract must hold for.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory, sqlite
    var description: String { rawValue }

    typealias AllPorts = ConversationStore & TicketStore & OutboxStore & TokenStore & JobStore & TrackingNumberStore

    func make() throws -> any AllPorts {
        switch self {
        case .memory: return MemoryStore()
        case .sqlite: return try SQLiteStore(path: temporaryDirectory() + "/cityline.sqlite")
        }
    }
}

let t0 = ISO8601DateFormatter().date(from: "2026-11-23T16:00:00Z")!

func sms(_ from: String, _ text: String, id: String? = nil, at: Date = t0) -> InboundMessage {
    InboundMessage(from: ChannelAddress(channel: .sms, address: from), text: text, externalID: id, receivedAt: at)
}

func ticket(_ serial: Int, department: String = "streets", reporter: String = "+12175550100", at: Date = t0) -> Ticket {
    let draft = TicketDraft(
        trackingNumber: TrackingNumber(serial: serial), serviceCode: "pothole", department: department, jurisdiction: "springfield",
        description: "pothole", location: Location(kind: .address, text: "1 Oak St"), attributes: [], media: [],
        locale: .english, channel: .sms, requestedAt: at, expectedAt: at.addingTimeInterval(86_400)
    )
    return Ticket(draft: draft, reporter: ChannelAddress(channel: .sms, address: reporter), updatedAt: at)
}

/// The built `cityline` executable next to the test bundle (`.build/debug/`).
enum CityLineBinary {
    static var url: URL? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("cityline")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }
}

/// Runs `body` with a Hummingbird server for `router` on a free loopback port; `body` gets its base URL
/// (`http://127.0.0.1:PORT`). The server stops when `body` returns.
func withLoopbackServer(_ router: Router<BasicRequestContext>, _ body: (String) async throws -> Void) async throws {
    let port = Mutex(0)
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port ?? 0 } })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        while port.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(20)) }
        try await body("http://127.0.0.1:\(port.withLock { $0 })")
        group.cancelAll()
    }
}

/// Every outbox entry, oldest first.
func outboxEntries(_ store: any OutboxStore) async throws -> [OutboxEntry] {
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
func seedTurn(_ inbound: InboundMessage, session: Session = Session(), version: Int = 0, tickets: [Ticket] = [],
              replies: [RenderedMessage] = [], queued: [RenderedMessage] = []) -> TurnRecord {
    TurnRecord(inbound: inbound, replies: replies, plan: WritePlan(
        session: SessionWrite(inbound.from, session, .version(version)), contact: ContactWrite(inbound.from, locale: session.locale),
        tickets: tickets, outbox: queued, at: inbound.receivedAt
    ))
}
