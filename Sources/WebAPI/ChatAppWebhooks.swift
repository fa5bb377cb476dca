import ChannelChatApps
import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Messaging
import Storage
import Switchboard

/// `GET`, `POST /webhooks/whatsapp` (WhatsApp Cloud API) and `POST /webhooks/telegram` (Telegram Bot API).
///
/// Both are ordinary channels: each message is one turn of the resident's conversation, committed before the
/// `200`; the replies go through the durable outbox to the app (or the outbox file without credentials). A
/// redelivered message (the same `wamid`, the same Telegram chat and message id) changes nothing. A bad signature
/// or secret token is 403, a body that is not the app's JSON 400, a body over 1 MiB 413 — and nothing is stored.
///
/// A shared location answers "where?" with its point; a photo is fetched (the apps' links expire) and kept with the
/// report like a web-chat photo — or, when it cannot be fetched (no credentials, the app unreachable), kept as
/// the app's reference (`whatsapp-media:<id>`, `telegram-file:<file_id>`). A tapped WhatsApp button or list row
/// sends the choice's key; a tapped Telegram keyboard button sends its text, read as the choice it shows. A
/// message CityLine cannot read (a sticker, a voice note) is answered with `chatapp.unsupported` in the
/// resident's language. Telegram's `language_code` starts a new resident's conversation in that language.
public struct ChatAppWebhooks: Sendable {
    /// What the chat apps' webhooks need beyond the common dependencies.
    public struct Settings: Sendable {
        /// `WHATSAPP_VERIFY_TOKEN`: the subscription handshake's token; unset: every handshake is refused.
        public var whatsappVerifyToken: String?
        /// `WHATSAPP_APP_SECRET`: checks `X-Hub-Signature-256`; unset (only without WhatsApp credentials, for trying
        /// CityLine locally): not checked.
        public var whatsappAppSecret: String?
        /// Fetches WhatsApp photos; nil keeps their media id.
        public var whatsappMedia: (any ChatAppMedia)?
        /// `TELEGRAM_SECRET_TOKEN`: what `X-Telegram-Bot-Api-Secret-Token` must be; unset (only without a bot token):
        /// not checked.
        public var telegramSecretToken: String?
        /// Fetches Telegram photos; nil keeps their file id.
        public var telegramMedia: (any ChatAppMedia)?
        /// The conversation so far, to read a tapped keyboard button against the question it answers.
        public var transcripts: any HandoffStore

        public init(whatsappVerifyToken: String?, whatsappAppSecret: String?, whatsappMedia: (any ChatAppMedia)?,
                    telegramSecretToken: String?, telegramMedia: (any ChatAppMedia)?, transcripts: any HandoffStore) {
            self.whatsappVerifyToken = whatsappVerifyToken
            self.whatsappAppSecret = whatsappAppSecret
            self.whatsappMedia = whatsappMedia
            self.telegramSecretToken = telegramSecretToken
            self.telegramMedia = telegramMedia
            self.transcripts = transcripts
        }
    }

    static let signatureHeader = HTTPField.Name("X-Hub-Signature-256")!
    static let secretTokenHeader = HTTPField.Name("X-Telegram-Bot-Api-Secret-Token")!
    /// The key of the answer to a message CityLine cannot read.
    static let unsupportedKey = "chatapp.unsupported"
    /// Chat apps batch several messages and statuses in one body.
    static let maxBody = 1 << 20

    let dependencies: WebAPIDependencies
    let settings: Settings

    init(_ dependencies: WebAPIDependencies, _ settings: Settings) {
        self.dependencies = dependencies
        self.settings = settings
    }

    func register(on router: Router<WebContext>) {
        router.get("/webhooks/whatsapp") { request, _ in self.verify(request) }
        router.post("/webhooks/whatsapp") { request, _ in try await self.whatsapp(request) }
        router.post("/webhooks/telegram") { request, _ in try await self.telegram(request) }
    }

    private func reject(_ status: HTTPResponse.Status, _ reason: String, _ request: Request) -> Response {
        WebhookRejection(status, reason).response(dependencies.logger, path: request.uri.path)
    }

    // MARK: WhatsApp

    /// The subscription handshake: `hub.mode=subscribe&hub.verify_token=…&hub.challenge=…` → the challenge.
    func verify(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        guard let expected = settings.whatsappVerifyToken, query["hub.mode"] == "subscribe",
              let token = query["hub.verify_token"].map(String.init), ConstantTime.equal(token, expected),
              let challenge = query["hub.challenge"].map(String.init), !challenge.isEmpty, challenge.count <= 256 else {
            return reject(.forbidden, "verification refused: hub.mode must be subscribe and hub.verify_token WHATSAPP_VERIFY_TOKEN", request)
        }
        return JSONResponse.text(.ok, challenge)
    }

    func whatsapp(_ request: Request) async throws -> Response {
        guard let body = try await request.body(upTo: Self.maxBody) else {
            return reject(.contentTooLarge, "body larger than \(Self.maxBody) bytes", request)
        }
        if let secret = settings.whatsappAppSecret {
            guard WhatsAppSignature(appSecret: secret).isValid(request.headers[Self.signatureHeader], body: body) else {
                return reject(.forbidden, "invalid X-Hub-Signature-256", request)
            }
        }
        let notification: WhatsAppNotification
        do {
            notification = try WhatsAppNotification(body)
        } catch {
            return reject(.badRequest, "\(error)", request)
        }
        for status in notification.statuses {
            let known = try await dependencies.outbox.recordDelivery(providerID: status.messageID, status: status.status,
                                                                     errorCode: status.errorCode, at: dependencies.clock())
            if !known {
                // Not marked sent yet (or never sent through the outbox): kept an hour for `markSent`.
                dependencies.logger.debug("delivery status for a message not (yet) marked sent: kept an hour",
                                          metadata: ["status": "\(status.status)"])
            }
        }
        for message in notification.messages {
            try await receive(message, media: settings.whatsappMedia, scheme: "whatsapp-media:")
        }
        return JSONResponse.text(.ok, "")
    }

    // MARK: Telegram

    func telegram(_ request: Request) async throws -> Response {
        if let secret = settings.telegramSecretToken {
            guard let given = request.headers[Self.secretTokenHeader], ConstantTime.equal(given, secret) else {
                return reject(.forbidden, "invalid X-Telegram-Bot-Api-Secret-Token", request)
            }
        }
        guard let body = try await request.body(upTo: Self.maxBody) else {
            return reject(.contentTooLarge, "body larger than \(Self.maxBody) bytes", request)
        }
        let update: TelegramUpdate
        do {
            update = try TelegramUpdate(body)
        } catch {
            return reject(.badRequest, "\(error)", request)
        }
        guard var message = update.message else { return JSONResponse.text(.ok, "") } // an edit, a group, a bot: nothing to do
        if let hint = message.languageHint, !hint.isEmpty {
            try await dependencies.switchboard.hintLanguage(LanguageTag(hint), for: message.from, at: dependencies.clock())
        }
        if case .text(let text) = message.content, let key = try await keyboardChoice(text, to: message.from) {
            message.content = .choice(key: key, title: text)
        }
        try await receive(message, media: settings.telegramMedia, scheme: "telegram-file:")
        return JSONResponse.text(.ok, "")
    }

    /// The choice a tapped reply-keyboard button sent ("2. Bigger than a dinner plate"), read against the bot's
    /// latest message to the resident; nil for anything else they typed.
    private func keyboardChoice(_ text: String, to address: ChannelAddress) async throws -> String? {
        guard text.count <= 200 else { return nil }
        let recent = try await settings.transcripts.transcript(of: address, since: dependencies.clock().addingTimeInterval(-7 * 86_400), limit: 10)
        guard let question = recent.last(where: { $0.from == .bot }) else { return nil }
        return ChoiceMenu(question.text).key(answering: text)
    }

    // MARK: Both

    /// One message as a turn of the resident's conversation (or the answer to one CityLine cannot read).
    private func receive(_ message: ChatAppMessage, media source: (any ChatAppMedia)?, scheme: String) async throws {
        let now = dependencies.clock()
        var media: [MediaRef] = []
        if case .photo(let reference, let contentType, _) = message.content {
            media.append(await photo(reference, contentType: contentType, source: source, scheme: scheme))
        }
        let inbound = InboundMessage(from: message.from, text: message.text, media: media, externalID: message.id, receivedAt: now)
        if case .unsupported(let type) = message.content {
            dependencies.logger.info("unreadable chat-app message answered", metadata: ["channel": "\(message.from.channel)", "type": "\(type)"])
            _ = try await dependencies.switchboard.answerUnreadable(inbound, say: Self.unsupportedKey)
            return
        }
        _ = try await dependencies.switchboard.receive(inbound, delivery: .outbox)
    }

    /// The photo kept under the data directory, or the app's reference to it when it cannot be fetched.
    private func photo(_ reference: String, contentType: String?, source: (any ChatAppMedia)?, scheme: String) async -> MediaRef {
        let fallback = MediaRef(url: scheme + reference, contentType: contentType)
        guard let source, let photos = dependencies.chatPhotos else { return fallback }
        do {
            let bytes = try await source.fetch(reference, limit: photos.maxBytes)
            guard let kept = try photos.keep(fetched: bytes) else {
                dependencies.logger.warning("a chat-app photo is not an image of a format taken; its reference is kept")
                return fallback
            }
            return kept
        } catch {
            dependencies.logger.warning("a chat-app photo could not be fetched; its reference is kept", metadata: ["error": "\((error as? ChatAppMediaError)?.description ?? "\(type(of: error))")"])
            return fallback
        }
    }
}
