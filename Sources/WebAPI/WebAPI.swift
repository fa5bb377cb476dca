import CityModel
import Foundation
import Hummingbird
import Logging
import NIOCore
import Outreach
import Storage
import Switchboard

/// What the HTTP edge needs, assembled by the composition root.
public struct WebAPIDependencies: Sendable {
    public var city: City
    public var switchboard: Switchboard
    public var tickets: any TicketStore
    public var tokens: any TokenStore
    public var outbox: any OutboxStore
    /// The job queue, for the operators' dead-letter view (`/api/v1/jobs`); nil leaves those routes out.
    public var jobs: (any JobStore)?
    /// The operators' side of human handoff (`/api/v1/conversations`); nil leaves those routes out.
    public var desk: OperatorDesk?
    /// The KPIs, equity view, trend and CSV export (`/api/v1/reports`) and the dashboard; nil leaves them out.
    public var reports: (any ReportStore)?
    /// Area notices (`/api/v1/notices`, admin tokens); nil leaves those routes out.
    public var notices: NoticeDesk?
    /// How residents reach the city, for the front page (`GET /`).
    public var frontDoor: FrontDoor
    /// Operators' console sign-in (`/console`); nil leaves the console out.
    public var console: ConsoleSessions?
    /// One-click email unsubscribe links, when email is configured.
    public var unsubscribe: UnsubscribeLinks?
    /// Decides what a staff change sends residents (updates, surveys), scheduled in the change's transaction.
    public var outreach: OutreachPolicy
    /// Validates `X-Twilio-Signature` when set (`TWILIO_AUTH_TOKEN`).
    public var twilioAuthToken: String?
    /// The public base URL Twilio calls (`CITYLINE_PUBLIC_URL`), used to check signatures.
    public var publicURL: String?
    /// When set, `POST /webhooks/email/inbound` needs `Authorization: Bearer <token>` (`CITYLINE_EMAIL_INBOUND_TOKEN`).
    public var emailInboundToken: String?
    /// Photos residents send through the web chat (`POST /chat/photos`, and the staff API's links to them); nil
    /// leaves photo upload out.
    public var chatPhotos: ChatPhotos?
    /// `GET /metrics` (Prometheus); nil leaves it out.
    public var metrics: MetricsEndpoint?
    /// The WhatsApp and Telegram webhooks' secrets, photo fetchers and the transcript they read; nil leaves
    /// `/webhooks/whatsapp` and `/webhooks/telegram` out.
    public var chatApps: ChatAppWebhooks.Settings?
    /// Limits per network address on the public pages and APIs and on console sign-ins; nil: none.
    public var addressLimits: AddressLimits?
    /// Largest webhook body accepted; larger ones get 413 and change nothing.
    public var maxWebhookBytes: Int
    public var logger: Logger
    public var clock: @Sendable () -> Date

    public init(city: City, switchboard: Switchboard, tickets: any TicketStore, tokens: any TokenStore, outbox: any OutboxStore,
                jobs: (any JobStore)? = nil, desk: OperatorDesk? = nil, reports: (any ReportStore)? = nil, console: ConsoleSessions? = nil, frontDoor: FrontDoor = FrontDoor(), outreach: OutreachPolicy? = nil, unsubscribe: UnsubscribeLinks? = nil, twilioAuthToken: String?, publicURL: String?, emailInboundToken: String? = nil, chatPhotos: ChatPhotos? = nil,
                metrics: MetricsEndpoint? = nil, maxWebhookBytes: Int = 64 * 1024,
                logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.city = city
        self.outreach = outreach ?? OutreachPolicy(city: city)
        self.unsubscribe = unsubscribe
        self.switchboard = switchboard
        self.tickets = tickets
        self.tokens = tokens
        self.outbox = outbox
        self.jobs = jobs
        self.desk = desk
        self.reports = reports
        self.console = console
        self.frontDoor = frontDoor
        self.twilioAuthToken = twilioAuthToken
        self.publicURL = publicURL
        self.emailInboundToken = emailInboundToken
        self.chatPhotos = chatPhotos
        self.metrics = metrics
        self.maxWebhookBytes = maxWebhookBytes
        self.logger = logger
        self.clock = clock
    }
}

/// Builds the router with every endpoint of the contract that exists so far.
public func buildRouter(_ dependencies: WebAPIDependencies) -> Router<WebContext> {
    let router = Router(context: WebContext.self)
    if let limits = dependencies.addressLimits { router.add(middleware: AddressLimitMiddleware(limits: limits, clock: dependencies.clock)) }
    router.add(middleware: StoreUnavailableMiddleware(logger: dependencies.logger))
    router.get("/health") { _, _ in
        JSONResponse.make(["status": "ok"])
    }
    dependencies.metrics?.register(on: router, logger: dependencies.logger)
    OpenAPIDocument.register(on: router)
    FrontPage(city: dependencies.city, renderer: dependencies.switchboard.composer.renderer, door: dependencies.frontDoor).register(on: router)
    ChatPage(city: dependencies.city, renderer: dependencies.switchboard.composer.renderer, takesPhotos: dependencies.chatPhotos != nil,
             photoMaxBytes: dependencies.chatPhotos?.maxBytes ?? 0).register(on: router)
    WebBrand(city: dependencies.city, renderer: dependencies.switchboard.composer.renderer).register(on: router)
    dependencies.chatPhotos?.register(on: router)
    TwilioWebhooks(dependencies).register(on: router)
    if let settings = dependencies.chatApps { ChatAppWebhooks(dependencies, settings).register(on: router) }
    EmailWebhook(dependencies).register(on: router)
    let staff = StaffAPI(dependencies)
    staff.register(on: router)
    Open311API(dependencies: dependencies).register(on: router)
    if let console = dependencies.console, let desk = dependencies.desk {
        Console(sessions: console, desk: desk, tokens: dependencies.tokens, city: dependencies.city, clock: dependencies.clock,
                guarded: staff.guarded, notices: dependencies.notices != nil, limits: dependencies.addressLimits).register(on: router)
        if let reports = dependencies.reports {
            Dashboard(sessions: console, tokens: dependencies.tokens, store: reports, city: dependencies.city, clock: dependencies.clock)
                .register(on: router)
        }
    }
    let switchboard = dependencies.switchboard
    dependencies.unsubscribe?.register(on: router, optOut: { try await switchboard.recordOptOut($0, at: $1) }, clock: dependencies.clock)
    return router
}

enum JSONResponse {
    /// `object` as JSON, keys sorted.
    static func data(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    static func make(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = data(object)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `{"error": {"code": …, "message": …}}`.
    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        make(["error": ["code": code, "message": message]], status: status)
    }

    static func text(_ status: HTTPResponse.Status, _ text: String, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Request {
    /// The body, at most `limit` bytes; nil when it is larger.
    func body(upTo limit: Int) async throws -> [UInt8]? {
        do {
            return Array(try await body.collect(upTo: limit).readableBytesView)
        } catch is NIOTooManyBytesError {
            return nil
        }
    }
}
