import AsyncHTTPClient
import CityModel
import Foundation
import Localization
import NIOCore
import Storage
import Transport

/// Sends WhatsApp messages through the Cloud API (or any API at `apiBase` that speaks it):
/// `POST {apiBase}/{version}/{phone-number-id}/messages` with `Authorization: Bearer {access token}` and a
/// `WhatsAppOutbound` body; the answer's `messages[0].id` (`wamid…`) is the provider id delivery statuses name.
///
/// **The 24-hour window.** WhatsApp takes free-form messages only within 24 hours of the resident's last message.
/// A message due later (a status update days after the report, a survey, an operator's late answer) goes as the
/// city's pre-approved template for its kind and language (`whatsapp.templates` in `city.yaml`); with none
/// configured it is dead-lettered saying which template is missing — it shows in `GET /api/v1/outbox?state=dead`,
/// and `POST /api/v1/outbox/{id}/retry` sends it once the template is configured (or goes free-form if the
/// resident has written since). WhatsApp would refuse it anyway (error 131047), so nothing is tried in vain.
///
/// Exactly once: the Cloud API has no idempotency key, so the outbox lease is what keeps a message from going
/// twice, as for every transport. Errors: 429 and 5xx (and Meta's throttling codes) → retry, honouring
/// `Retry-After`; other 4xx → permanent, with Meta's code and message (never the number or the text).
public struct WhatsAppTransport: Transport {
    public struct Credentials: Sendable {
        public var accessToken: String
        public var phoneNumberID: String
        /// `WHATSAPP_API_BASE`: default `https://graph.facebook.com`.
        public var apiBase: String
        /// The Graph API version in the path (`v21.0`).
        public var version: String

        public static let defaultAPIBase = "https://graph.facebook.com"
        public static let defaultVersion = "v21.0"

        public init(accessToken: String, phoneNumberID: String, apiBase: String = defaultAPIBase, version: String = defaultVersion) {
            self.accessToken = accessToken
            self.phoneNumberID = phoneNumberID
            self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
            self.version = version
        }
    }

    /// How long after a resident's message free-form messages may go.
    public static let window: TimeInterval = 24 * 3_600

    let credentials: Credentials
    let client: HTTPClient
    let templates: WhatsAppTemplates
    /// The list button's label in a language ("Choose").
    let listButton: @Sendable (LanguageTag) -> String
    /// When the resident last wrote (nil: never).
    let lastInbound: @Sendable (ChannelAddress) async throws -> Date?
    let now: @Sendable () -> Date

    public init(credentials: Credentials, client: HTTPClient, templates: WhatsAppTemplates,
                listButton: @escaping @Sendable (LanguageTag) -> String,
                lastInbound: @escaping @Sendable (ChannelAddress) async throws -> Date?, now: @escaping @Sendable () -> Date = { Date() }) {
        self.credentials = credentials
        self.client = client
        self.templates = templates
        self.listButton = listButton
        self.lastInbound = lastInbound
        self.now = now
    }

    public var description: String { "whatsapp cloud api \(credentials.apiBase) (number id …\(credentials.phoneNumberID.suffix(4)))" }

    /// What to send for `entry` at `date`, given when the resident last wrote; a permanent `TransportError` when
    /// it may not go (outside the window with no template).
    public static func body(for entry: OutboxEntry, lastInbound: Date?, at date: Date, templates: WhatsAppTemplates,
                            listButton: String) throws -> WhatsAppOutbound {
        let message = entry.message
        if let last = lastInbound, date.timeIntervalSince(last) < window {
            return WhatsAppOutbound.freeForm(message, listButton: listButton)
        }
        guard let template = templates.template(kind: message.kind.rawValue, locale: message.locale) else {
            throw TransportError(.permanent, "outside WhatsApp's 24-hour window (the resident has not written for 24 hours) and city.yaml has no "
                + "whatsapp.templates.\(message.kind.rawValue).\(message.locale.code): configure a pre-approved template, then retry it")
        }
        return WhatsAppOutbound.template(message, template)
    }

    public func send(_ entry: OutboxEntry) async throws -> String? {
        let last: Date?
        do {
            last = try await lastInbound(entry.message.to)
        } catch {
            throw TransportError(.retry, "cannot read when the resident last wrote: \(type(of: error))")
        }
        let outbound = try Self.body(for: entry, lastInbound: last, at: now(), templates: templates,
                                     listButton: listButton(entry.message.locale))
        var request = HTTPClientRequest(url: "\(credentials.apiBase)/\(credentials.version)/\(credentials.phoneNumberID)/messages")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(credentials.accessToken)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(outbound)))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(15))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw TransportError(.retry, "WhatsApp Cloud API unreachable: \(type(of: error))")
        }
        let data = Data(body.readableBytesView)
        let status = response.status.code
        if (200..<300).contains(status) {
            return (try? JSONDecoder().decode(Sent.self, from: data))?.messages.first?.id
        }
        let failure = (try? JSONDecoder().decode(Failure.self, from: data))?.error
        let described = "WhatsApp HTTP \(status)" + (failure?.code.map { " error \($0)" } ?? "")
            + (failure?.message.map { ": \($0.prefix(200))" } ?? "")
        // 4, 80007, 130429, 131048, 131056: Meta's rate limits.
        if status == 429 || status >= 500 || [4, 80_007, 130_429, 131_048, 131_056].contains(failure?.code ?? 0) {
            throw TransportError(.retry, described, retryAfter: response.headers.first(name: "Retry-After").flatMap(TimeInterval.init))
        }
        throw TransportError(.permanent, described)
    }

    struct Sent: Decodable {
        struct Message: Decodable { var id: String }
        var messages: [Message]
    }

    struct Failure: Decodable {
        struct Detail: Decodable {
            var code: Int?
            var message: String?
        }
        var error: Detail?
    }
}
