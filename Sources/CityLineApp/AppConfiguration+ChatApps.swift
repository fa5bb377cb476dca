import Foundation

extension AppConfiguration {
    /// WhatsApp Cloud API: the webhook's secrets, and outbound messages when the access token and phone number id
    /// are both set (otherwise WhatsApp messages go to the outbox file).
    public struct WhatsAppSettings: Sendable {
        /// `WHATSAPP_VERIFY_TOKEN`: the token you type in the Meta app's webhook settings; the subscription
        /// handshake (`GET /webhooks/whatsapp`) echoes the challenge only when it matches.
        public var verifyToken: String?
        /// `WHATSAPP_APP_SECRET`: the Meta app's secret; `X-Hub-Signature-256` is checked with it on every
        /// webhook. Required with an access token.
        public var appSecret: String?
        /// `WHATSAPP_ACCESS_TOKEN`: a system user's permanent token with `whatsapp_business_messaging`.
        public var accessToken: String?
        /// `WHATSAPP_PHONE_NUMBER_ID`: the business number's id (not the number itself).
        public var phoneNumberID: String?
        /// `WHATSAPP_API_BASE`: default `https://graph.facebook.com` (tests point it at a local fake).
        public var apiBase: String

        public static let defaultAPIBase = "https://graph.facebook.com"

        public init(verifyToken: String? = nil, appSecret: String? = nil, accessToken: String? = nil, phoneNumberID: String? = nil,
                    apiBase: String = defaultAPIBase) {
            self.verifyToken = verifyToken
            self.appSecret = appSecret
            self.accessToken = accessToken
            self.phoneNumberID = phoneNumberID
            self.apiBase = apiBase
        }

        /// Whether WhatsApp messages go out through the Cloud API.
        public var sends: Bool { accessToken != nil && phoneNumberID != nil }
    }

    /// Telegram Bot API: the webhook's secret token, and outbound messages when the bot token is set.
    public struct TelegramSettings: Sendable {
        /// `TELEGRAM_BOT_TOKEN`: the token BotFather gave (`123456:ABC…`).
        public var botToken: String?
        /// `TELEGRAM_SECRET_TOKEN`: the `secret_token` given to `setWebhook`; every update must carry it in
        /// `X-Telegram-Bot-Api-Secret-Token`. Required with a bot token.
        public var secretToken: String?
        /// `TELEGRAM_API_BASE`: default `https://api.telegram.org`.
        public var apiBase: String

        public static let defaultAPIBase = "https://api.telegram.org"

        public init(botToken: String? = nil, secretToken: String? = nil, apiBase: String = defaultAPIBase) {
            self.botToken = botToken
            self.secretToken = secretToken
            self.apiBase = apiBase
        }
    }

    /// Reads the chat apps' variables (empty ones count as unset).
    static func chatApps(_ value: (String) -> String?) throws -> (WhatsAppSettings, TelegramSettings) {
        let whatsapp = WhatsAppSettings(
            verifyToken: value(Variable.whatsappVerifyToken), appSecret: value(Variable.whatsappAppSecret),
            accessToken: value(Variable.whatsappAccessToken), phoneNumberID: value(Variable.whatsappPhoneNumberID),
            apiBase: try value(Variable.whatsappAPIBase).map { try httpURL($0, name: Variable.whatsappAPIBase) } ?? WhatsAppSettings.defaultAPIBase
        )
        if let secret = value(Variable.telegramSecretToken),
           !(1...256).contains(secret.count) || !secret.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) {
            throw AppError("\(Variable.telegramSecretToken) must be 1 to 256 characters A-Z, a-z, 0-9, _ and - (Telegram's rule for secret_token)")
        }
        let telegram = TelegramSettings(
            botToken: value(Variable.telegramBotToken), secretToken: value(Variable.telegramSecretToken),
            apiBase: try value(Variable.telegramAPIBase).map { try httpURL($0, name: Variable.telegramAPIBase) } ?? TelegramSettings.defaultAPIBase
        )
        return (whatsapp, telegram)
    }
}
