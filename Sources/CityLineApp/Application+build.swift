import AsyncHTTPClient
import ChannelWebhook
import CityModel
import ChannelEmail
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOPosix
import Outreach
import ServiceLifecycle
import Storage
import Switchboard
import WebAPI

/// Builds CityLine — the one composition root: the city, the store, the transports, the switchboard, the HTTP
/// routes, and the services that run beside the server (the scheduler, the outbox dispatcher, the SMTP listener)
/// — from one configuration. `cityline serve` runs what it returns; tests build the same application with a
/// store, a clock and a city of their own (see `AppConfiguration`).
///
/// Opens the store (freeing leases a stopped process left, when no other process uses it), and binds the SMTP listener, before returning, so
/// a port in use or a missing secret stops start-up with an `AppError` saying what to change.
public func buildApplication(_ configuration: AppConfiguration) async throws -> some ApplicationProtocol {
    let loaded = try LoadedCity.load(configuration.city)
    var logger = configuration.logHandler.map { Logger(label: "cityline", factory: $0) } ?? Logger(label: "cityline")
    logger.logLevel = configuration.logLevel
    let store = try await configuration.storage.open()
    if let released = try await store.releaseLeasesIfAlone(configuration.clock()) {
        if released.jobs + released.outbox > 0 {
            logger.notice("resumed work left by a stopped process", metadata: ["jobs": "\(released.jobs)", "outbox": "\(released.outbox)"])
        }
    } else {
        logger.notice("another process uses this database: work it leased is taken over only when its leases expire")
    }
    if let department = loaded.city.departments.first(where: { $0.webhook != nil }), configuration.webhookSecret == nil {
        throw AppError("department '\(department.code)' has a webhook but CITYLINE_WEBHOOK_SECRET is not set: events could not be signed")
    }
    let (host, port) = (configuration.http.host, configuration.http.port)
    let publicBase = configuration.publicURL ?? "http://\(host):\(port)"
    let secret = try await ServerSecret.key(configuration, store: store)
    let unsubscribe = UnsubscribeLinks(secret: secret, publicURL: publicBase)
    var transports = try Outbound.transports(configuration, unsubscribe: unsubscribe, pacing: store.ports, logger: logger)
    // Web chat: what arrives later is pushed to the resident's open tabs (and kept for their history).
    let chatHub = ChatHub()
    transports.transports[.chat] = ChatTransport(hub: chatHub, record: transports.fallback)
    let metrics = configuration.metrics ?? .process
    let composer = loaded.composer { address in address.channel == .email ? unsubscribe.link(for: address.address) : nil }
    let switchboard = Switchboard(engine: loaded.engine, composer: composer, store: store.ports,
                                  numbers: configuration.trackingNumbers ?? SequenceTrackingNumbers(store: store.ports), logger: logger,
                                  metrics: metrics.recorder)
    if configuration.twilio.authToken != nil, configuration.publicURL == nil {
        throw AppError("TWILIO_AUTH_TOKEN is set but CITYLINE_PUBLIC_URL is not: webhook signatures cannot be checked")
    }
    if configuration.whatsapp.accessToken != nil, configuration.whatsapp.appSecret == nil {
        throw AppError("WHATSAPP_ACCESS_TOKEN is set but WHATSAPP_APP_SECRET is not: X-Hub-Signature-256 could not be checked")
    }
    if configuration.telegram.botToken != nil, configuration.telegram.secretToken == nil {
        throw AppError("TELEGRAM_BOT_TOKEN is set but TELEGRAM_SECRET_TOKEN is not: anyone could post updates as Telegram "
            + "(choose one and give it to setWebhook as secret_token)")
    }
    // WhatsApp and Telegram: the Cloud API and the Bot API when their credentials are set.
    Outbound.addChatApps(to: &transports, configuration, city: loaded.city, renderer: composer.renderer, transcripts: store.ports)
    let outreach = OutreachPolicy(city: loaded.city)
    // One pace per chat resident, for their messages and their photos alike.
    let chatLimiter = ChatLimiter()
    let photos = ChatPhotos(directory: configuration.storage.dataDirectory + "/photos", maxBytes: configuration.chat.photoMaxBytes,
                            store: store.ports, limiter: chatLimiter, clock: configuration.clock)
    var web = WebAPIDependencies(
        city: loaded.city, switchboard: switchboard, tickets: store.ports, tokens: store.ports, outbox: store.ports,
        jobs: store.ports, desk: OperatorDesk(switchboard: switchboard, store: store.ports, policy: outreach, clock: configuration.clock),
        reports: store.ports,
        console: ConsoleSessions(secret: secret, secure: publicBase.hasPrefix("https://")),
        frontDoor: FrontDoor(smsNumber: configuration.twilio.from, emailAddress: configuration.email?.from.address),
        outreach: outreach, unsubscribe: unsubscribe,
        twilioAuthToken: configuration.twilio.authToken, publicURL: configuration.publicURL,
        emailInboundToken: configuration.emailInboundToken, chatPhotos: photos,
        metrics: MetricsEndpoint(token: configuration.metricsToken) { [ports = store.ports] in try await metrics.scrape(ports) },
        logger: logger, clock: configuration.clock
    )
    web.chatApps = Outbound.chatAppWebhooks(configuration, transcripts: store.ports)
    web.addressLimits = AddressLimits(publicPerMinute: configuration.chat.publicRequestsPerMinute,
                                      signInsPerMinute: configuration.chat.signInsPerMinute, trustedProxies: configuration.chat.trustedProxies)
    web.notices = NoticeDesk(city: loaded.city, store: store.ports, composer: composer, policy: outreach,
                             segmentsPerSecond: configuration.twilio.segmentsPerSecond, clock: configuration.clock)
    let router = buildRouter(web)
    // Departments with a work-order system of their own: new tickets filed there (Open311 client), statuses back.
    var endpoints: [String: (endpoint: Open311Endpoint, apiKey: String)] = [:]
    for department in loaded.city.departments {
        guard let endpoint = department.open311 else { continue }
        guard let key = configuration.open311Keys[endpoint.apiKeyVariable] else {
            throw AppError("department '\(department.code)' files into an Open311 server but \(endpoint.apiKeyVariable) (its api_key) is not set")
        }
        endpoints[department.code] = (endpoint, key)
    }
    if !endpoints.isEmpty {
        transports.transports[.open311] = Open311ClientTransport(endpoints: endpoints, client: HTTPClient.shared, links: store.ports,
                                                                 fallback: transports.fallback, now: configuration.clock)
    }
    var services: [any ServiceLifecycle.Service] = []
    if configuration.runsBackgroundWork {
        if !endpoints.isEmpty {
            services.append(Open311Sync(city: loaded.city, store: store.ports, remote: Open311HTTPRemote(client: HTTPClient.shared),
                                        policy: outreach, logger: logger, clock: configuration.clock))
        }
        services.append(Scheduler(switchboard: switchboard, jobs: store.ports, policy: outreach, logger: logger, clock: configuration.clock))
        services.append(OutboxDispatcher(store: store.ports, transports: transports, policy: outreach, logger: logger,
                                         metrics: metrics.recorder, clock: configuration.clock))
    }
    // Mail relayed by the city's MTA: each message becomes the sender's turn, acknowledged once it is stored.
    var smtpPort: Int?
    if configuration.smtpListener.isEnabled {
        let intake = EmailIntake(receive: { message in try await switchboard.receive(message, delivery: .outbox).redelivered },
                                 clock: configuration.clock)
        let requested = configuration.smtpListener.port
        let listener = SMTPListener(host: host, port: requested, commandTimeout: configuration.smtpListener.commandTimeout,
                                    dataTimeout: configuration.smtpListener.dataTimeout, group: MultiThreadedEventLoopGroup.singleton, logger: logger,
                                    deliver: { try await intake.take($0) })
        let server: SMTPListener.Server
        do {
            server = try await listener.bind()
        } catch {
            throw AppError("cannot listen for SMTP on \(host):\(requested): \(error) (choose another --smtp-port, or --no-smtp)")
        }
        smtpPort = server.channel.localAddress?.port ?? requested
        services.append(SMTPService(listener: listener, server: server))
    }
    let summary = StartupSummary(
        program: loaded.city.program.resolve(loaded.city.defaultLocale), host: host,
        checksSignatures: configuration.twilio.authToken != nil, publicURL: configuration.publicURL, unsubscribeBase: publicBase,
        emailTokenRequired: configuration.emailInboundToken != nil,
        whatsappSignatures: configuration.whatsapp.appSecret != nil, telegramSecret: configuration.telegram.secretToken != nil, metricsTokenRequired: configuration.metricsToken != nil, smtpPort: smtpPort, data: store.location,
        transports: transports.summary
    )
    let onServerRunning = configuration.onServerRunning
    let chat = ChatSocket(switchboard: switchboard, store: store.ports, hub: chatHub, limiter: chatLimiter,
                          gate: ChatGate(connectionsPerAddress: configuration.chat.connectionsPerAddress,
                                         sessionsPerMinute: configuration.chat.sessionsPerMinute),
                          photos: photos, logger: logger, clock: configuration.clock)
    let trustedProxies = configuration.chat.trustedProxies
    let slowClients = configuration.http.slowClients
    return Application(
        router: router,
        // Slow clients are not waited for (see `SlowClientLimits`); the chat's WebSocket is upgraded out of those limits.
        server: HTTPServerBuilder { responder in
            HeadDeadlineChildChannel(HTTP1WebSocketUpgradeChannel(
                responder: responder, configuration: .init(http1: slowClients.http1, ws: .init(maxFrameSize: ChatSocket.maxFrame))
            ) { request, channel, _ in
                // `/chat/ws`, from a page of this server (or a client that sends no Origin, like the test clients).
                guard request.path?.split(separator: "?").first == "/chat/ws", ChatSocket.allows(origin: request.headerFields[.origin],
                                                                                             authority: request.authority, publicURL: publicBase)
                else { return .dontUpgrade }
                let client = ChatGate.clientAddress(peer: channel.remoteAddress?.ipAddress, forwardedFor: request.headerFields[ChatGate.forwardedFor],
                                                    trustedProxies: trustedProxies)
                return .upgrade([:]) { inbound, outbound, _ in try await chat.handle(inbound, outbound, client: client) }
            }, head: slowClients.head)
        },
        configuration: .init(address: .hostname(host, port: port), serverName: "CityLine"),
        services: services,
        onServerRunning: { channel in
            let bound = channel.localAddress?.port ?? port
            await onServerRunning(bound, summary.lines(port: bound))
        },
        logger: logger
    )
}
