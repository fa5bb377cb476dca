import ChannelEmail
import Foundation
import Logging
import Storage
import StoragePostgres
import StorageSQLite
import WebAPI

/// Everything CityLine is configured with, read once — from the command line's flags and the environment — by
/// `AppConfiguration(flags:environment:)`, and nothing read anywhere else.
///
/// Each key is documented where it is declared, with the flag or environment variable it comes from. Empty
/// environment variables count as unset. Secrets (`TWILIO_AUTH_TOKEN`, `SMTP_URL`'s password, `CITYLINE_SECRET`,
/// `CITYLINE_WEBHOOK_SECRET`, `CITYLINE_EMAIL_INBOUND_TOKEN`, `CITYLINE_METRICS_TOKEN`, `WHATSAPP_APP_SECRET`,
/// `WHATSAPP_ACCESS_TOKEN`, `WHATSAPP_VERIFY_TOKEN`, `TELEGRAM_BOT_TOKEN`, `TELEGRAM_SECRET_TOKEN`) only ever come from the environment.
///
/// Tests build the real application from a configuration too (`buildApplication(_:)`), with what they want to
/// see or control handed in: a store (`storage.store`), a city already loaded (`city.preloaded`), a clock,
/// sequential tracking numbers, no SMTP listener, port 0, no background work.
public struct AppConfiguration: Sendable {
    /// The HTTP server.
    public var http: HTTPSettings
    /// The SMTP listener for mail relayed by the city's MTA.
    public var smtpListener: SMTPListenerSettings
    /// Where conversations, tickets, the outbox and jobs are kept.
    public var storage: StorageSettings
    /// Which city to serve: its configuration, the locales and the templates.
    public var city: CitySettings
    /// Twilio: webhook signatures, and outbound SMS when the account, token and sender are all set.
    public var twilio: TwilioSettings
    /// Outbound email: `SMTP_URL` (`smtp://user:pass@host:port`, STARTTLS, or `smtps://…`), `SMTP_FROM` (the
    /// sender, required with `SMTP_URL`) and `SMTP_CA_FILE` (extra trusted CA certificates, PEM). Nil when
    /// `SMTP_URL` is unset: email then goes to the outbox file. See `SMTPConfiguration`.
    public var email: SMTPConfiguration?
    /// The web chat's limits per network address, and the proxies in front of the server.
    public var chat: ChatSettings
    /// WhatsApp Cloud API (`WHATSAPP_*`, see `WhatsAppSettings`): unset, WhatsApp messages go to the outbox file.
    public var whatsapp = WhatsAppSettings()
    /// Telegram Bot API (`TELEGRAM_*`, see `TelegramSettings`): unset, Telegram messages go to the outbox file.
    public var telegram = TelegramSettings()
    /// `CITYLINE_PUBLIC_URL`: the public base URL (`https://311.springfield.example`) — Twilio signatures are
    /// checked against it, Twilio posts delivery receipts to it, unsubscribe links point at it. Normalized once:
    /// no trailing slash. Nil when unset (signatures then cannot be checked; links use the local address).
    public var publicURL: String?
    /// `CITYLINE_WEBHOOK_SECRET`: signs the events sent to departments' webhooks (`CityLine-Signature`);
    /// required when a department has a webhook.
    public var webhookSecret: String?
    /// Departments' Open311 `api_key`s: every environment variable whose name contains `OPEN311` (a department's
    /// `open311.api_key_env` names one, e.g. `STREETS_OPEN311_KEY`); secrets never sit in configuration files.
    public var open311Keys: [String: String] = [:]
    /// `CITYLINE_EMAIL_INBOUND_TOKEN`: when set, `POST /webhooks/email/inbound` needs
    /// `Authorization: Bearer <token>`.
    public var emailInboundToken: String?
    /// `CITYLINE_METRICS_TOKEN`: when set, `GET /metrics` needs `Authorization: Bearer <token>` (unset: served, like
    /// `/health`, to whoever reaches the address the server listens on).
    public var metricsToken: String?
    /// Where the application's metrics are kept (`GET /metrics`). Nil: `AppMetrics.process`, which bootstraps the
    /// process's global `MetricsSystem` — what `cityline serve` uses; tests give each application its own.
    public var metrics: AppMetrics?
    /// `CITYLINE_SECRET`: the server's secret (signs unsubscribe links). Unset: a random key kept in
    /// `<data-dir>/secret.key`, made on first start.
    public var serverSecret: String?
    /// `LOG_LEVEL` (`trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`; default `info`), or a
    /// command's `--log-level`.
    public var logLevel: Logger.Level
    /// Where the application's log records go: a swift-log handler made per label. Nil: the process's
    /// `LoggingSystem` (what `cityline serve` bootstraps); tests capture the records of one application.
    public var logHandler: (@Sendable (String) -> any LogHandler)?
    /// What the application reads the time from (the HTTP edge, the scheduler, the dispatcher). Default: the
    /// system clock; tests pass a fixed or manual one.
    public var clock: @Sendable () -> Date
    /// Where tracking numbers come from. Nil: the store's durable sequence (`SequenceTrackingNumbers`); tests pass
    /// sequential ones.
    public var trackingNumbers: (any TrackingNumberSource)?
    /// Whether the scheduler (updates, surveys, department events) and the outbox dispatcher run. Always on in
    /// `cityline serve`; tests of the HTTP edge turn it off and drive both themselves.
    public var runsBackgroundWork: Bool
    /// Called once the HTTP server listens, with the port it bound (the one to use with port 0) and the start-up
    /// summary. Default: writes the summary to standard output.
    public var onServerRunning: @Sendable (_ port: Int, _ summary: [String]) async -> Void

    /// The HTTP server's address.
    public struct HTTPSettings: Sendable {
        /// `--host`: the address to listen on.
        public var host: String
        /// `--port`: the port to listen on; 0 is any free port.
        public var port: Int

        /// How long slow clients are waited for (`CITYLINE_HTTP_HEAD_TIMEOUT`, `…_IDLE_TIMEOUT`, `…_REQUEST_TIMEOUT`).
        public var slowClients: SlowClientLimits

        public static let defaultHost = "127.0.0.1"
        public static let defaultPort = 8311

        public init(host: String = defaultHost, port: Int = defaultPort, slowClients: SlowClientLimits = SlowClientLimits()) {
            self.host = host
            self.port = port
            self.slowClients = slowClients
        }
    }

    /// The SMTP listener (mail relayed by the city's MTA); it listens on `http.host`.
    public struct SMTPListenerSettings: Sendable {
        /// `--smtp-port`: the port; 0 is any free port.
        public var port: Int
        /// False with `--no-smtp`: mail then arrives through `POST /webhooks/email/inbound` only.
        public var isEnabled: Bool

        /// How long a client may take to send one command line (`CITYLINE_SMTP_COMMAND_TIMEOUT`, default 5 minutes as
        /// RFC 5321 § 4.5.3.2.7 asks) and one message's content, from DATA to its final dot
        /// (`CITYLINE_SMTP_DATA_TIMEOUT`, default 10 minutes, § 4.5.3.2.6).
        public var commandTimeout: Duration
        public var dataTimeout: Duration

        public static let defaultPort = 2525

        public init(port: Int = defaultPort, isEnabled: Bool = true, commandTimeout: Duration = SMTPListener.defaultCommandTimeout,
                    dataTimeout: Duration = SMTPListener.defaultDataTimeout) {
            self.port = port
            self.isEnabled = isEnabled
            self.commandTimeout = commandTimeout
            self.dataTimeout = dataTimeout
        }
    }

    /// Where data lives.
    public struct StorageSettings: Sendable {
        /// `--data-dir`: created if missing; holds `cityline.sqlite`, `outbox.jsonl` and `secret.key`.
        public var dataDirectory: String
        /// `--database-url`, else `CITYLINE_DATABASE_URL`: `postgres://user:password@host:5432/db` selects PostgreSQL
        /// (several `cityline serve` processes may share it); the data directory still holds the outbox file and secret.
        public var databaseURL: String?
        /// The store to use: the SQLite file in the data directory, or one handed in (tests keep a reference to
        /// look inside it).
        public var store: StoreChoice

        public static let defaultDataDirectory = "./.cityline"

        public init(dataDirectory: String = defaultDataDirectory, databaseURL: String? = nil, store: StoreChoice = .dataDirectory) {
            self.dataDirectory = dataDirectory
            self.databaseURL = databaseURL
            self.store = store
        }
    }

    /// Which store the application uses.
    public enum StoreChoice: Sendable {
        /// `cityline.sqlite` in the data directory, or PostgreSQL with a database URL.
        case dataDirectory
        /// A store made by the caller.
        case sqlite(SQLiteStore)
        /// A PostgreSQL store made by the caller.
        case postgres(PostgresStore)
        /// The in-memory twin (nothing survives the process).
        case memory(MemoryStore)
    }

    /// The city configuration, the locales and the templates.
    public struct CitySettings: Sendable {
        /// `--config`: the city configuration directory; nil is the demo city (`DemoCity/` under the resource root).
        public var configDirectory: String?
        /// `--locales`: the locale files; nil is `Locales/` under the resource root.
        public var localesDirectory: String?
        /// `--templates`: the channel templates; nil is `Templates/` under the resource root. The city's own
        /// `templates/` folder overrides single files.
        public var templatesDirectory: String?
        /// `CITYLINE_HOME`: where the shipped `DemoCity/`, `Locales/` and `Templates/` are. Unset: the current
        /// directory or one of its parents, else the source checkout the binary was built from.
        public var home: String?
        /// Every other `CITYLINE_*` variable: overrides of `city.yaml` keys (`CITYLINE_SURVEYS_DELAY=0s` for
        /// `surveys.delay`), passed to `CityLoader`. The variables named in this file are not among them.
        public var overrides: [String: String]
        /// A city already loaded (tests load the demo city once); when set, the directories above are not read.
        public var preloaded: LoadedCity?

        public init(configDirectory: String? = nil, localesDirectory: String? = nil, templatesDirectory: String? = nil,
                    home: String? = nil, overrides: [String: String] = [:], preloaded: LoadedCity? = nil) {
            self.configDirectory = configDirectory
            self.localesDirectory = localesDirectory
            self.templatesDirectory = templatesDirectory
            self.home = home
            self.overrides = overrides
            self.preloaded = preloaded
        }
    }

    /// Twilio's credentials and endpoint.
    public struct TwilioSettings: Sendable {
        /// `TWILIO_ACCOUNT_SID`.
        public var accountSID: String?
        /// `TWILIO_AUTH_TOKEN`: when set, `X-Twilio-Signature` is checked on every Twilio webhook (and
        /// `CITYLINE_PUBLIC_URL` is required).
        public var authToken: String?
        /// `TWILIO_FROM`: the sender, a phone number (`+1…`) or a messaging service SID (`MG…`).
        public var from: String?
        /// `TWILIO_API_BASE`: any Twilio-compatible API; default `https://api.twilio.com`.
        public var apiBase: String
        /// `TWILIO_SEGMENTS_PER_SECOND`: the sender's pace in SMS segments per second (fractions allowed); default 1,
        /// a US long code (3 toll-free, 100 a short code).
        public var segmentsPerSecond: Double

        public static let defaultAPIBase = "https://api.twilio.com"

        public init(accountSID: String? = nil, authToken: String? = nil, from: String? = nil, apiBase: String = defaultAPIBase,
                    segmentsPerSecond: Double = 1) {
            self.accountSID = accountSID
            self.authToken = authToken
            self.from = from
            self.apiBase = apiBase
            self.segmentsPerSecond = segmentsPerSecond
        }

        /// Whether SMS go out through Twilio: the account, the token and the sender are all set.
        public var sendsSMS: Bool { accountSID != nil && authToken != nil && from != nil }
    }

    /// The web's door: limits per network address on the chat (see `ChatGate`), the public pages and sign-ins (see
    /// `AddressLimits`), and the reverse proxies that name the address.
    public struct ChatSettings: Sendable {
        /// `CITYLINE_CHAT_CONNECTIONS_PER_IP`: chat connections one network address may hold open (default 50 — a
        /// library's or a school's residents share one address).
        public var connectionsPerAddress: Int
        /// `CITYLINE_CHAT_SESSIONS_PER_IP_PER_MINUTE`: new chat conversations one network address may start a minute
        /// (as many at once, then at that pace; default 20).
        public var sessionsPerMinute: Double
        /// `CITYLINE_TRUSTED_PROXIES`: the city's reverse proxies and load balancers, as a comma-separated list of IP
        /// addresses. A request from one of them is counted against the address it names in `X-Forwarded-For`;
        /// from anywhere else that header is ignored. Default none.
        public var trustedProxies: Set<String>
        /// The largest photo a resident may send through the web chat, in bytes (`CITYLINE_CHAT_PHOTO_MAX_BYTES`,
        /// default 10 MiB — a phone camera's full-size JPEG).
        public var photoMaxBytes: Int
        /// `CITYLINE_PUBLIC_REQUESTS_PER_IP_PER_MINUTE`: requests one network address may make a minute to the public
        /// pages, Open311, unsubscribe links and photo uploads (as many at once, then at that pace; default 300).
        public var publicRequestsPerMinute: Double
        /// `CITYLINE_SIGN_INS_PER_IP_PER_MINUTE`: console sign-in attempts one network address may make a minute
        /// (default 10).
        public var signInsPerMinute: Double

        public init(connectionsPerAddress: Int = 50, sessionsPerMinute: Double = 20, trustedProxies: Set<String> = [],
                    photoMaxBytes: Int = 10 << 20, publicRequestsPerMinute: Double = 300, signInsPerMinute: Double = 10) {
            self.connectionsPerAddress = connectionsPerAddress
            self.sessionsPerMinute = sessionsPerMinute
            self.trustedProxies = trustedProxies
            self.photoMaxBytes = photoMaxBytes
            self.publicRequestsPerMinute = publicRequestsPerMinute
            self.signInsPerMinute = signInsPerMinute
        }
    }

    /// A configuration with every default: the demo city, `127.0.0.1:8311`, `./.cityline`, no credentials.
    public init(http: HTTPSettings = HTTPSettings(), smtpListener: SMTPListenerSettings = SMTPListenerSettings(),
                storage: StorageSettings = StorageSettings(), city: CitySettings = CitySettings(),
                twilio: TwilioSettings = TwilioSettings(), email: SMTPConfiguration? = nil, publicURL: String? = nil,
                webhookSecret: String? = nil, emailInboundToken: String? = nil, metricsToken: String? = nil, serverSecret: String? = nil,
                logLevel: Logger.Level = .info) {
        self.http = http
        self.smtpListener = smtpListener
        self.storage = storage
        self.city = city
        self.twilio = twilio
        self.email = email
        self.publicURL = publicURL
        chat = ChatSettings()
        self.webhookSecret = webhookSecret
        self.emailInboundToken = emailInboundToken
        self.metricsToken = metricsToken
        metrics = nil
        self.serverSecret = serverSecret
        self.logLevel = logLevel
        logHandler = nil
        clock = { Date() }
        trackingNumbers = nil
        runsBackgroundWork = true
        onServerRunning = { _, summary in StartupSummary.write(summary) }
    }
}
