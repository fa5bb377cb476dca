import ArgumentParser
import CityConfig
import CityModel
import Conversation
import Foundation
import Localization
import Logging
import Messaging
import Outreach
import Rendering
import Storage
import StoragePostgres
import StorageSQLite
import Switchboard
import Transport

/// Enqueues N status-update notifications into the job queue (SQLite, or PostgreSQL with --database-url), then drains them — job → rendered message in
/// the recipient's language → outbox → outbox file — and reports both rates. Durable throughout (WAL,
/// synchronous=FULL, fsync of the outbox file), as in production.
@main
struct OutreachBench: AsyncParsableCommand {
    @Option(help: "Notifications to enqueue.") var count = 1_000_000
    @Option(help: "Tickets they are about.") var tickets = 1_000
    @Option(help: "Working directory (a fresh temporary one by default).") var directory: String?
    @Option(help: "postgres://… to run on PostgreSQL (an empty database or schema) instead of SQLite.") var databaseURL: String?
    @Flag(help: "Run the scheduler to the end before the dispatcher starts, and time each.") var separate = false
    @Flag(help: "Interleave the tickets (every batch touches every ticket) instead of the fan-out order.") var interleaved = false

    func run() async throws {
        let dir = directory ?? (FileManager.default.temporaryDirectory.appendingPathComponent("cityline-outreach-\(UUID().uuidString)").path)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        guard let root = ResourceLocator.root(home: ProcessInfo.processInfo.environment["CITYLINE_HOME"]) else { throw ValidationError("run from the repository (Locales/ not found)") }
        // No quiet hours, so the run does not depend on the time of day.
        let city = try CityLoader(directory: root + "/DemoCity", environment: ["CITYLINE_QUIET_HOURS_START": "00:00",
                                                                              "CITYLINE_QUIET_HOURS_END": "00:00"]).load()
        let (catalog, lexicon) = try LocaleLoader(directory: root + "/Locales").load()
        let store: any ConversationStore & JobStore & OutboxStore & TrackingNumberStore
        if let databaseURL {
            store = try await PostgresStore(url: try DatabaseURL(databaseURL))
        } else {
            store = try SQLiteStore(path: dir + "/cityline.sqlite")
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let renderer = MessageRenderer(catalog: catalog, timeZone: city.timeZone, fallbacks: city.fallbackLocales)
        let composer = MessageComposer(renderer: renderer, templates: try TemplateLoader(directories: [root + "/Templates"]).load(), city: city)
        let switchboard = Switchboard(engine: Engine(city: city, lexicon: lexicon), composer: composer,
                                      store: store, numbers: SequenceTrackingNumbers(store: store), logger: logger)
        let start = Date()
        for serial in 0..<tickets {
            let reporter = ChannelAddress(channel: .sms, address: "+1217600\(String(format: "%04d", serial))")
            let draft = TicketDraft(
                trackingNumber: TrackingNumber(serial: 300_000 + serial), serviceCode: "pothole", department: "streets",
                jurisdiction: "springfield", description: "pothole", location: Location(kind: .address, text: "\(serial) Oak St"),
                attributes: [], media: [], locale: .english, channel: .sms, requestedAt: start, expectedAt: start.addingTimeInterval(86_400)
            )
            let locale = [LanguageTag("en"), LanguageTag("es"), LanguageTag("vi")][serial % 3]
            try await store.commit(TurnRecord(inbound: InboundMessage(from: reporter, text: "pothole", receivedAt: start), plan: WritePlan(
                session: SessionWrite(reporter, Session(locale: locale), .version(0)), contact: ContactWrite(reporter, locale: locale),
                tickets: [Ticket(draft: draft, reporter: reporter, updatedAt: start)], at: start
            )))
        }

        // 1. Enqueue: one transaction per 20,000 jobs.
        let enqueueStart = ContinuousClock.now
        var batch: [NewJob] = []
        batch.reserveCapacity(20_000)
        for i in 0..<count {
            // In the order a fan-out creates them: each ticket's recipients one after another.
            let ticket = TrackingNumber(serial: 300_000 + (interleaved ? i % tickets : i / max(1, count / tickets)))
            // A million notifications go to a million residents (followers of many tickets), not to a few.
            let to = ChannelAddress(channel: .sms, address: "+1\(String(2_170_000_000 + i))")
            batch.append(NewJob(.notify(ticket: ticket, status: .inProgress, note: "A crew is scheduled.", to: to),
                                key: "bench:\(i)", dueAt: start))
            if batch.count == 20_000 {
                try await store.schedule(batch, at: start)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try await store.schedule(batch, at: start) }
        let enqueued = ContinuousClock.now - enqueueStart
        print("enqueued \(count) notifications in \(Self.seconds(enqueued)) s: \(Int(Double(count) / Self.seconds(enqueued)))/s")

        // 2. Drain: the scheduler renders each into the outbox; the dispatcher writes the outbox file.
        var schedulerSettings = Scheduler.Settings()
        schedulerSettings.batchSize = 1_000
        var dispatcherSettings = OutboxDispatcher.Settings()
        dispatcherSettings.batchSize = 1_000
        let scheduler = Scheduler(switchboard: switchboard, jobs: store, policy: OutreachPolicy(city: city), settings: schedulerSettings,
                                  logger: logger)
        let file = try OutboxFileTransport(path: dir + "/outbox.jsonl")
        let dispatcher = OutboxDispatcher(store: store, transports: TransportRegistry(fallback: file), settings: dispatcherSettings, policy: OutreachPolicy(city: city),
                                          logger: logger)
        if separate {
            let a = ContinuousClock.now
            while try await scheduler.runDue() > 0 {}
            let b = ContinuousClock.now
            while try await dispatcher.dispatchDue() > 0 {}
            let c = ContinuousClock.now
            print("scheduler alone: \(Int(Double(count) / Self.seconds(b - a)))/s; dispatcher alone: \(Int(Double(count) / Self.seconds(c - b)))/s")
            return
        }
        let drainStart = ContinuousClock.now
        async let jobs: Void = { while try await scheduler.runDue() > 0 {} }()
        async let sends: Void = {
            var idle = 0
            while idle < 20 {
                if try await dispatcher.dispatchDue() > 0 { idle = 0 } else {
                    idle += 1
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }()
        try await jobs
        try await sends
        let drained = ContinuousClock.now - drainStart - .milliseconds(1_000) // the dispatcher's idle check at the end
        let counts = try await store.jobCounts()
        let outbox = try await store.outboxCounts()
        let unfinished = (outbox[.pending] ?? 0) + (outbox[.sending] ?? 0) + (outbox[.held] ?? 0)
        print("drained \(count) notifications to \(file.path) in \(Self.seconds(drained)) s: \(Int(Double(count) / Self.seconds(drained)))/s "
              + "(jobs done \(counts[.done] ?? 0), outbox unfinished \(unfinished))")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
