import ChannelEmail
import CityModel
import Foundation
import Logging
import WebAPI

extension AppConfiguration {
    /// What the command line says; every field has the flag's default. Commands set the flags they have.
    public struct Flags: Sendable {
        /// `--host`.
        public var host = HTTPSettings.defaultHost
        /// `--port`.
        public var port = HTTPSettings.defaultPort
        /// `--smtp-port`.
        public var smtpPort = SMTPListenerSettings.defaultPort
        /// False with `--no-smtp`.
        public var smtp = true
        /// `--data-dir`.
        public var dataDirectory = StorageSettings.defaultDataDirectory
        /// `--database-url` (wins over `CITYLINE_DATABASE_URL`).
        public var databaseURL: String?
        /// `--config`.
        public var configDirectory: String?
        /// `--locales`.
        public var localesDirectory: String?
        /// `--templates`.
        public var templatesDirectory: String?
        /// `--log-level` (wins over `LOG_LEVEL`).
        public var logLevel: String?

        public init() {}
    }

    /// The environment variables CityLine reads itself; every other `CITYLINE_*` variable overrides a key of the
    /// city configuration.
    public enum Variable {
        public static let publicURL = "CITYLINE_PUBLIC_URL"
        public static let webhookSecret = "CITYLINE_WEBHOOK_SECRET"
        public static let emailInboundToken = "CITYLINE_EMAIL_INBOUND_TOKEN"
        public static let metricsToken = "CITYLINE_METRICS_TOKEN"
        public static let secret = "CITYLINE_SECRET"
        public static let databaseURL = "CITYLINE_DATABASE_URL"
        public static let home = "CITYLINE_HOME"
        public static let chatConnectionsPerIP = "CITYLINE_CHAT_CONNECTIONS_PER_IP"
        public static let chatSessionsPerIPPerMinute = "CITYLINE_CHAT_SESSIONS_PER_IP_PER_MINUTE"
        public static let chatPhotoMaxBytes = "CITYLINE_CHAT_PHOTO_MAX_BYTES"
        public static let trustedProxies = "CITYLINE_TRUSTED_PROXIES"
        public static let publicRequestsPerIPPerMinute = "CITYLINE_PUBLIC_REQUESTS_PER_IP_PER_MINUTE"
        public static let signInsPerIPPerMinute = "CITYLINE_SIGN_INS_PER_IP_PER_MINUTE"
        public static let httpHeadTimeout = "CITYLINE_HTTP_HEAD_TIMEOUT"
        public static let httpIdleTimeout = "CITYLINE_HTTP_IDLE_TIMEOUT"
        public static let httpRequestTimeout = "CITYLINE_HTTP_REQUEST_TIMEOUT"
        public static let smtpCommandTimeout = "CITYLINE_SMTP_COMMAND_TIMEOUT"
        public static let smtpDataTimeout = "CITYLINE_SMTP_DATA_TIMEOUT"
        public static let logLevel = "LOG_LEVEL"
        public static let twilioAccountSID = "TWILIO_ACCOUNT_SID"
        public static let twilioAuthToken = "TWILIO_AUTH_TOKEN"
        public static let twilioFrom = "TWILIO_FROM"
        public static let twilioAPIBase = "TWILIO_API_BASE"
        public static let twilioSegmentsPerSecond = "TWILIO_SEGMENTS_PER_SECOND"
        public static let smtpURL = "SMTP_URL"
        public static let smtpFrom = "SMTP_FROM"
        public static let smtpCAFile = "SMTP_CA_FILE"
        public static let whatsappVerifyToken = "WHATSAPP_VERIFY_TOKEN"
        public static let whatsappAppSecret = "WHATSAPP_APP_SECRET"
        public static let whatsappAccessToken = "WHATSAPP_ACCESS_TOKEN"
        public static let whatsappPhoneNumberID = "WHATSAPP_PHONE_NUMBER_ID"
        public static let whatsappAPIBase = "WHATSAPP_API_BASE"
        public static let telegramBotToken = "TELEGRAM_BOT_TOKEN"
        public static let telegramSecretToken = "TELEGRAM_SECRET_TOKEN"
        public static let telegramAPIBase = "TELEGRAM_API_BASE"

        /// The `CITYLINE_*` variables above, which are not city configuration overrides.
        static let own: Set<String> = [publicURL, webhookSecret, emailInboundToken, metricsToken, secret, databaseURL, home, chatConnectionsPerIP,
                                       chatSessionsPerIPPerMinute, chatPhotoMaxBytes, trustedProxies, httpHeadTimeout, httpIdleTimeout,
                                       publicRequestsPerIPPerMinute, signInsPerIPPerMinute,
                                       httpRequestTimeout, smtpCommandTimeout, smtpDataTimeout]
    }

    /// Reads the whole configuration from the command line's flags and an environment (the executable passes the
    /// process's; tests pass a dictionary). Throws an `AppError` naming the flag or variable of an invalid value.
    public init(flags: Flags = Flags(), environment: [String: String]) throws {
        func value(_ name: String) -> String? {
            guard let raw = environment[name], !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            return raw
        }
        guard (0...65_535).contains(flags.port) else { throw AppError("--port must be 0…65535, not \(flags.port)") }
        guard (0...65_535).contains(flags.smtpPort) else { throw AppError("--smtp-port must be 0…65535, not \(flags.smtpPort)") }

        let logLevel: Logger.Level
        if let flag = flags.logLevel {
            logLevel = try Self.logLevel(flag, name: "--log-level")
        } else {
            logLevel = try value(Variable.logLevel).map { try Self.logLevel($0, name: Variable.logLevel) } ?? .info
        }
        let email: SMTPConfiguration?
        do {
            email = try SMTPConfiguration.fromEnvironment(environment)
        } catch {
            throw AppError("email: \(error)")
        }
        func timeout(_ name: String, _ fallback: Duration) throws -> Duration {
            try value(name).map { try Self.timeout($0, name: name) } ?? fallback
        }
        let slow = SlowClientLimits()
        self.init(
            http: HTTPSettings(host: flags.host, port: flags.port, slowClients: SlowClientLimits(
                head: try timeout(Variable.httpHeadTimeout, slow.head), idle: try timeout(Variable.httpIdleTimeout, slow.idle),
                request: try timeout(Variable.httpRequestTimeout, slow.request))),
            smtpListener: SMTPListenerSettings(port: flags.smtpPort, isEnabled: flags.smtp,
                                               commandTimeout: try timeout(Variable.smtpCommandTimeout, SMTPListener.defaultCommandTimeout),
                                               dataTimeout: try timeout(Variable.smtpDataTimeout, SMTPListener.defaultDataTimeout)),
            storage: StorageSettings(dataDirectory: flags.dataDirectory,
                                     databaseURL: flags.databaseURL.flatMap { $0.isEmpty ? nil : $0 } ?? value(Variable.databaseURL)),
            city: CitySettings(
                configDirectory: flags.configDirectory, localesDirectory: flags.localesDirectory,
                templatesDirectory: flags.templatesDirectory, home: value(Variable.home),
                overrides: environment.filter { $0.key.hasPrefix("CITYLINE_") && !Variable.own.contains($0.key) }
            ),
            twilio: TwilioSettings(
                accountSID: value(Variable.twilioAccountSID), authToken: value(Variable.twilioAuthToken), from: value(Variable.twilioFrom),
                apiBase: try value(Variable.twilioAPIBase).map { try Self.httpURL($0, name: Variable.twilioAPIBase) }
                    ?? TwilioSettings.defaultAPIBase,
                segmentsPerSecond: try value(Variable.twilioSegmentsPerSecond).map(Self.segmentsPerSecond) ?? 1
            ),
            email: email,
            publicURL: try value(Variable.publicURL).map { try Self.httpURL($0, name: Variable.publicURL) },
            webhookSecret: value(Variable.webhookSecret),
            emailInboundToken: value(Variable.emailInboundToken),
            metricsToken: value(Variable.metricsToken),
            serverSecret: value(Variable.secret),
            logLevel: logLevel
        )
        (whatsapp, telegram) = try Self.chatApps(value)
        open311Keys = environment.filter { $0.key.contains("OPEN311") && !$0.value.isEmpty }
        chat = ChatSettings(
            connectionsPerAddress: try value(Variable.chatConnectionsPerIP).map { try Self.positiveInteger($0, name: Variable.chatConnectionsPerIP) } ?? 50,
            sessionsPerMinute: Double(try value(Variable.chatSessionsPerIPPerMinute)
                .map { try Self.positiveInteger($0, name: Variable.chatSessionsPerIPPerMinute) } ?? 20),
            trustedProxies: Set((value(Variable.trustedProxies) ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }),
            photoMaxBytes: try value(Variable.chatPhotoMaxBytes).map { try Self.positiveInteger($0, name: Variable.chatPhotoMaxBytes) } ?? 10 << 20,
            publicRequestsPerMinute: Double(try value(Variable.publicRequestsPerIPPerMinute)
                .map { try Self.positiveInteger($0, name: Variable.publicRequestsPerIPPerMinute) } ?? 300),
            signInsPerMinute: Double(try value(Variable.signInsPerIPPerMinute)
                .map { try Self.positiveInteger($0, name: Variable.signInsPerIPPerMinute) } ?? 10)
        )
    }

    /// A duration such as `10s`, `2m` or `1h`, above zero.
    static func timeout(_ raw: String, name: String) throws -> Duration {
        guard let seconds = ShortDuration.seconds(raw), seconds > 0 else {
            throw AppError("\(name) must be a duration above 0 such as 10s, 2m or 1h, not \"\(raw)\"")
        }
        return .seconds(seconds)
    }

    /// A whole number above zero.
    static func positiveInteger(_ raw: String, name: String) throws -> Int {
        guard let number = Int(raw.trimmingCharacters(in: .whitespaces)), number > 0 else {
            throw AppError("\(name) must be a whole number above 0, not \"\(raw)\"")
        }
        return number
    }

    static func logLevel(_ raw: String, name: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: raw.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw AppError("\(name) must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(raw)\"")
        }
        return level
    }

    /// An `http://` or `https://` URL with a host, without its trailing slashes.
    static func httpURL(_ raw: String, name: String) throws -> String {
        var url = raw.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", !(components.host ?? "").isEmpty else {
            throw AppError("\(name) must be an http:// or https:// URL such as https://311.springfield.example, not \"\(raw)\"")
        }
        return url
    }

    /// `TWILIO_SEGMENTS_PER_SECOND`: a positive number of SMS segments per second (fractions allowed, e.g. `0.5`).
    static func segmentsPerSecond(_ raw: String) throws -> Double {
        guard let rate = Double(raw.trimmingCharacters(in: .whitespaces)), rate.isFinite, rate > 0 else {
            throw AppError("\(Variable.twilioSegmentsPerSecond) must be a positive number of SMS segments per second "
                + "(e.g. 1 for a long code, 3 for toll-free, 100 for a short code), not \"\(raw)\"")
        }
        return rate
    }
}
