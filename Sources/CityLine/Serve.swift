import ArgumentParser
import AsyncHTTPClient
import ChannelEmail
import ChannelSMS
import ChannelWebhook
import Crypto
import CityModel
import Foundation
import Hummingbird
import Logging
import NIOPosix
import Outreach
import ServiceLifecycle
import Storage
import StorageSQLite
import Switchboard
import Transport
import WebAPI

/// `cityline serve` (and `cityline` alone): the HTTP server, the outbox dispatcher, everything.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run CityLine: HTTP server, webhooks, staff API, outbound dispatch.")

    @OptionGroup var city: CityOptions
    @OptionGroup var storage: StorageOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port = 8311

    @Option(name: .customLong("smtp-port"), help: "Port of the SMTP listener for mail relayed by the city's MTA (0: any free port).")
    var smtpPort = 2525

    @Flag(name: .customLong("no-smtp"), help: "Do not listen for SMTP (mail arrives through POST /webhooks/email/inbound only).")
    var noSMTP = false

    func run() async throws {
        let loaded = try LoadedCity.load(city)
        let logger = makeLogger("cityline")
        let store = try storage.openStore()
        if let released = try await store.releaseLeasesIfAlone(at: Date()) {
            if released.jobs + released.outbox > 0 {
                logger.notice("resumed work left by a stopped process", metadata: ["jobs": "\(released.jobs)", "outbox": "\(released.outbox)"])
            }
        } else {
            logger.notice("another process uses this database: work it leased is taken over only when its leases expire")
        }
        let environment = ProcessInfo.processInfo.environment
        if let department = loaded.city.departments.first(where: { $0.webhook != nil }),
           (environment["CITYLINE_WEBHOOK_SECRET"] ?? "").isEmpty {
            throw CLIError("department '\(department.code)' has a webhook but CITYLINE_WEBHOOK_SECRET is not set: events could not be signed")
        }
        let publicBase = environment["CITYLINE_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://\(host):\(port)"
        let unsubscribe = UnsubscribeLinks(secret: try Secrets.key(dataDirectory: storage.dataDirectory, environment: environment),
                                           publicURL: publicBase)
        let transports = try Outbound.transports(dataDirectory: storage.dataDirectory, environment: environment,
                                                 unsubscribe: unsubscribe, logger: logger)
        let composer = loaded.composer { address in address.channel == .email ? unsubscribe.link(for: address.address) : nil }
        let switchboard = Switchboard(engine: loaded.engine, composer: composer, store: store, numbers: SequenceTrackingNumbers(store: store),
                                      logger: logger)
        let twilioToken = environment["TWILIO_AUTH_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let publicURL = environment["CITYLINE_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if twilioToken != nil, publicURL == nil {
            throw CLIError("TWILIO_AUTH_TOKEN is set but CITYLINE_PUBLIC_URL is not: webhook signatures cannot be checked")
        }
        let outreach = OutreachPolicy(city: loaded.city)
        let router = buildRouter(WebAPIDependencies(
            city: loaded.city, switchboard: switchboard, tickets: store, tokens: store, outbox: store, jobs: store, outreach: outreach,
            unsubscribe: unsubscribe,
            twilioAuthToken: twilioToken, publicURL: publicURL,
            emailInboundToken: environment["CITYLINE_EMAIL_INBOUND_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }, logger: logger
        ))
        let dispatcher = OutboxDispatcher(store: store, transports: transports, policy: outreach, logger: logger)
        let scheduler = Scheduler(switchboard: switchboard, jobs: store, policy: outreach, logger: logger)
        // Mail relayed by the city's MTA: each message becomes the sender's turn, acknowledged once it is stored.
        var services: [any ServiceLifecycle.Service] = [scheduler, dispatcher]
        var smtpLine = "  SMTP in       off (--no-smtp)"
        if !noSMTP {
            let intake = EmailIntake(receive: { message in try await switchboard.receive(message, delivery: .outbox).redelivered })
            let listener = SMTPListener(host: host, port: smtpPort, group: MultiThreadedEventLoopGroup.singleton, logger: logger,
                                        deliver: { try await intake.take($0) })
            let server: SMTPListener.Server
            do {
                server = try await listener.bind()
            } catch {
                throw CLIError("cannot listen for SMTP on \(host):\(smtpPort): \(error) (choose another --smtp-port, or --no-smtp)")
            }
            smtpLine = "  SMTP in            smtp://\(host):\(server.channel.localAddress?.port ?? smtpPort)  (mail relayed by the city's MTA)"
            services.append(SMTPService(listener: listener, server: server))
        }
        let smtp = smtpLine
        let program = loaded.city.program.resolve(loaded.city.defaultLocale)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "CityLine"),
            services: services,
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                let base = "http://\(host):\(bound)"
                var lines = ["CityLine — \(program) — serving \(base)"]
                lines.append("  health        GET  \(base)/health")
                lines.append("  Twilio SMS    POST \(base)/webhooks/twilio/sms  (signatures: \(twilioToken == nil ? "not checked, TWILIO_AUTH_TOKEN unset" : "checked against \(publicURL ?? "")"))")
                lines.append("  delivery      POST \(base)/webhooks/twilio/status")
                lines.append("  email in      POST \(base)/webhooks/email/inbound  (raw RFC 5322; "
                    + ((environment["CITYLINE_EMAIL_INBOUND_TOKEN"] ?? "").isEmpty ? "no token: set CITYLINE_EMAIL_INBOUND_TOKEN unless only the local MTA can reach it)" : "Bearer token required)"))
                lines.append(smtp)
                lines.append("  staff API          \(base)/api/v1/tickets  (create a token: cityline token create --role admin)")
                lines.append("  dead letters  GET  \(base)/api/v1/outbox?state=dead, \(base)/api/v1/jobs?state=dead  (admin)")
                lines.append("  unsubscribe   POST \(base)/unsubscribe/{token}  (one-click, RFC 8058; emails link to "
                    + (publicURL.map { "\($0)/unsubscribe/…)" } ?? "\(publicBase)/unsubscribe/… — set CITYLINE_PUBLIC_URL so residents can reach it)"))
                lines.append("  data          \(store.path)")
                lines.append("  transports:")
                lines += transports.summary.map { "    \($0)" }
                FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            },
            logger: logger
        )
        try await app.runService()
    }
}

/// Where data lives: `--data-dir` (SQLite file and outbox file), or PostgreSQL with `--database-url`.
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory, created if missing: the SQLite database and the outbox file.")
    var dataDirectory = "./.cityline"

    @Option(name: .customLong("database-url"), help: "postgres://… to use PostgreSQL (or CITYLINE_DATABASE_URL).")
    var databaseURL: String?

    func openStore() throws -> SQLiteStore {
        if let url = databaseURL ?? ProcessInfo.processInfo.environment["CITYLINE_DATABASE_URL"], !url.isEmpty {
            throw CLIError("PostgreSQL (--database-url) is not available in this build yet; CityLine runs on SQLite in --data-dir")
        }
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            return try SQLiteStore(path: (dataDirectory as NSString).appendingPathComponent("cityline.sqlite"))
        } catch {
            throw CLIError("cannot open the database in \(dataDirectory): \(error)")
        }
    }
}

/// Outbound transports from the environment: Twilio when its credentials are set; the outbox file otherwise.
enum Outbound {
    static func transports(dataDirectory: String, environment: [String: String], unsubscribe: UnsubscribeLinks? = nil,
                           logger: Logger = Logger(label: "cityline")) throws -> TransportRegistry {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let file = try OutboxFileTransport(path: (dataDirectory as NSString).appendingPathComponent("outbox.jsonl"))
        var registry = TransportRegistry(fallback: file)
        if let sid = environment["TWILIO_ACCOUNT_SID"], let token = environment["TWILIO_AUTH_TOKEN"], let from = environment["TWILIO_FROM"],
           !sid.isEmpty, !token.isEmpty, !from.isEmpty {
            let callback = environment["CITYLINE_PUBLIC_URL"].map { ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + "/webhooks/twilio/status" }
            registry.transports[.sms] = TwilioTransport(
                credentials: .init(accountSID: sid, authToken: token, from: from,
                                   apiBase: environment["TWILIO_API_BASE"] ?? "https://api.twilio.com", statusCallback: callback),
                client: HTTPClient.shared, pacer: try SenderPacer(environment: environment)
            )
        }
        if let secret = environment["CITYLINE_WEBHOOK_SECRET"], !secret.isEmpty {
            registry.transports[.webhook] = WebhookTransport(secret: Data(secret.utf8), client: HTTPClient.shared, fallback: file)
        }
        do {
            if let smtp = try SMTPConfiguration.fromEnvironment(environment) {
                registry.transports[.email] = try EmailTransport(
                    configuration: smtp, group: MultiThreadedEventLoopGroup.singleton, logger: logger,
                    unsubscribeLink: { address in unsubscribe?.link(for: address) }
                )
            }
        } catch {
            throw CLIError("email: \(error)")
        }
        return registry
    }
}

/// The server's secret (signs unsubscribe links): `CITYLINE_SECRET`, else a random key kept in the data
/// directory (`secret.key`, readable by the owner only), made on first start.
enum Secrets {
    static func key(dataDirectory: String, environment: [String: String]) throws -> Data {
        if let secret = environment["CITYLINE_SECRET"], !secret.isEmpty { return Data(secret.utf8) }
        let path = (dataDirectory as NSString).appendingPathComponent("secret.key")
        if let existing = FileManager.default.contents(atPath: path), existing.count >= 32 { return existing }
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: path, contents: key, attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(path)")
        }
        return key
    }
}

func makeLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
    return logger
}

/// The SMTP listener as a service of the application: it stops with the server.
struct SMTPService: ServiceLifecycle.Service {
    let listener: SMTPListener
    let server: SMTPListener.Server

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await listener.serve(server) }
        } catch where Task.isCancelled || Task.isShuttingDownGracefully {
            return // stopping: the listener closing is not a failure
        }
    }
}
