import AsyncHTTPClient
import CityModel
import Foundation
import Messaging
import NIOCore
import Storage
import Transport

/// Sends Telegram messages through the Bot API (or any API at `apiBase` that speaks it):
/// `POST {apiBase}/bot{token}/sendMessage` with `{"chat_id", "text", "reply_markup"}`. A question's numbered
/// choices also come as a one-time reply keyboard (one button a row, "1. Smaller than a dinner plate"; tapping one
/// sends that text, which the webhook reads as the choice); any other message removes the keyboard.
///
/// Exactly once through the outbox lease (the Bot API has no idempotency key). Errors: 429 (with
/// `parameters.retry_after`) and 5xx → retry; 403 (the resident blocked the bot) → opted out, as STOP; other
/// 4xx → permanent with Telegram's description.
public struct TelegramTransport: Transport {
    public struct Credentials: Sendable {
        public var botToken: String
        /// `TELEGRAM_API_BASE`: default `https://api.telegram.org`.
        public var apiBase: String
        public static let defaultAPIBase = "https://api.telegram.org"

        public init(botToken: String, apiBase: String = defaultAPIBase) {
            self.botToken = botToken
            self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        }
    }

    let credentials: Credentials
    let client: HTTPClient

    public init(credentials: Credentials, client: HTTPClient) {
        self.credentials = credentials
        self.client = client
    }

    public var description: String {
        // The bot's id is the token's part before the colon; the rest is the secret.
        "telegram bot api \(credentials.apiBase) (bot \(credentials.botToken.split(separator: ":").first ?? "?"))"
    }

    /// The `sendMessage` body for a message.
    public struct Body: Encodable, Sendable {
        public struct Button: Encodable, Sendable { var text: String }
        public struct Markup: Encodable, Sendable {
            var keyboard: [[Button]]?
            var one_time_keyboard: Bool?
            var resize_keyboard: Bool?
            var remove_keyboard: Bool?
        }
        var chat_id: String
        var text: String
        var reply_markup: Markup

        public init(_ message: RenderedMessage) {
            chat_id = message.to.address
            text = message.body
            let choices = ChoiceMenu(message.body).choices
            reply_markup = choices.isEmpty ? Markup(remove_keyboard: true)
                : Markup(keyboard: choices.map { [Button(text: "\($0.key). \($0.label)")] }, one_time_keyboard: true, resize_keyboard: true)
        }
    }

    public func send(_ entry: OutboxEntry) async throws -> String? {
        var request = HTTPClientRequest(url: "\(credentials.apiBase)/bot\(credentials.botToken)/sendMessage")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(Body(entry.message))))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(15))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw TransportError(.retry, "Telegram Bot API unreachable: \(type(of: error))")
        }
        let answer = try? JSONDecoder().decode(Answer.self, from: Data(body.readableBytesView))
        let status = response.status.code
        if (200..<300).contains(status), answer?.ok != false {
            return answer?.result?.message_id.map { "telegram:\(entry.id):\($0)" } // no chat id: it is the resident's address
        }
        let described = "Telegram HTTP \(status)" + (answer?.description.map { ": \($0.prefix(200))" } ?? "")
        if status == 429 || status >= 500 {
            throw TransportError(.retry, described, retryAfter: answer?.parameters?.retry_after.map(TimeInterval.init))
        }
        if status == 403 { throw TransportError(.optedOut, described) }
        throw TransportError(.permanent, described)
    }

    struct Answer: Decodable {
        struct Result: Decodable { var message_id: Int64? }
        struct Parameters: Decodable { var retry_after: Int? }
        var ok: Bool?
        var result: Result?
        var description: String?
        var parameters: Parameters?
    }
}
