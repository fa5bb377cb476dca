import CityModel
import Foundation

/// One WhatsApp Cloud API webhook body: the residents' messages and the delivery statuses of ours.
///
/// ```json
/// {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
///   "messaging_product": "whatsapp", "metadata": {"phone_number_id": "1234"},
///   "contacts": [{"wa_id": "12175550100", "profile": {"name": "Maria"}}],
///   "messages": [{"from": "12175550100", "id": "wamid.HBg…", "timestamp": "1732377600", "type": "text", "text": {"body": "pothole"}}],
///   "statuses": [{"id": "wamid.HBg…", "status": "delivered", "timestamp": "1732377660", "recipient_id": "12175550100"}]}}]}]}
/// ```
/// Messages: `text`, `location` (a pin), `image` (a media id to fetch), `interactive` (`button_reply` or
/// `list_reply`: the id is the choice's key), `button` (a template's quick reply); `reaction`s are ignored;
/// every other type (sticker, audio, video, document, contacts …) is `unsupported`. A body that is not this
/// shape throws `ChatAppPayloadError`.
public struct WhatsAppNotification: Sendable {
    /// A delivery status of a message we sent (`sent`, `delivered`, `read`, `failed`).
    public struct Status: Hashable, Sendable {
        /// The `wamid` the Cloud API gave when we sent it.
        public var messageID: String
        public var status: String
        /// The first error's code, for `failed`.
        public var errorCode: String?
    }

    public var messages: [ChatAppMessage]
    public var statuses: [Status]

    public init(_ body: [UInt8]) throws {
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: Data(body))
        } catch let error as DecodingError {
            throw ChatAppPayloadError("not a WhatsApp webhook notification: \(Self.describe(error))")
        }
        var messages: [ChatAppMessage] = []
        var statuses: [Status] = []
        for entry in payload.entry {
            for change in entry.changes ?? [] {
                guard let value = change.value else { continue }
                for message in value.messages ?? [] {
                    guard (1...20).contains(message.from.count), message.from.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                        throw ChatAppPayloadError("'from' must be a WhatsApp id (the phone number's digits)")
                    }
                    guard (1...256).contains(message.id.count) else { throw ChatAppPayloadError("a message needs an 'id'") }
                    guard let content = try Self.content(of: message) else { continue }
                    messages.append(ChatAppMessage(from: ChannelAddress(channel: .whatsapp, address: message.from), id: message.id,
                                                   content: content))
                }
                for status in value.statuses ?? [] {
                    statuses.append(Status(messageID: status.id, status: status.status,
                                           errorCode: status.errors?.first?.code.map(String.init)))
                }
            }
        }
        self.messages = messages
        self.statuses = statuses
    }

    /// What a message carries; nil for one that needs no answer (a reaction).
    static func content(of message: Payload.Message) throws -> ChatAppMessage.Content? {
        switch message.type {
        case "text":
            guard let body = message.text?.body else { throw ChatAppPayloadError("a text message needs 'text.body'") }
            return .text(body)
        case "location":
            guard let location = message.location, (-90...90).contains(location.latitude), (-180...180).contains(location.longitude) else {
                throw ChatAppPayloadError("a location message needs 'location.latitude' and 'location.longitude'")
            }
            return .location(latitude: location.latitude, longitude: location.longitude)
        case "image":
            guard let image = message.image, !image.id.isEmpty else { throw ChatAppPayloadError("an image message needs 'image.id'") }
            return .photo(reference: image.id, contentType: image.mime_type, caption: image.caption)
        case "interactive":
            guard let reply = message.interactive?.button_reply ?? message.interactive?.list_reply else {
                throw ChatAppPayloadError("an interactive message needs 'button_reply' or 'list_reply'")
            }
            return .choice(key: reply.id, title: reply.title ?? reply.id)
        case "button":
            guard let button = message.button else { throw ChatAppPayloadError("a button message needs 'button'") }
            return .text(button.text ?? button.payload ?? "")
        case "reaction":
            return nil
        default:
            return .unsupported(type: String(message.type.prefix(32)))
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): "missing '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case .dataCorrupted(let context): context.codingPath.isEmpty ? "malformed JSON"
            : "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' is malformed"
        @unknown default: "malformed"
        }
    }

    /// The wire shape (only what CityLine reads).
    struct Payload: Decodable {
        struct Entry: Decodable { var changes: [Change]? }
        struct Change: Decodable { var value: Value? }
        struct Value: Decodable {
            var messages: [Message]?
            var statuses: [StatusPayload]?
        }
        struct Message: Decodable {
            struct Text: Decodable { var body: String }
            struct Location: Decodable {
                var latitude: Double
                var longitude: Double
            }
            struct Image: Decodable {
                var id: String
                var mime_type: String?
                var caption: String?
            }
            struct Reply: Decodable {
                var id: String
                var title: String?
            }
            struct Interactive: Decodable {
                var button_reply: Reply?
                var list_reply: Reply?
            }
            struct Button: Decodable {
                var payload: String?
                var text: String?
            }
            var from: String
            var id: String
            var type: String
            var text: Text?
            var location: Location?
            var image: Image?
            var interactive: Interactive?
            var button: Button?
        }
        struct StatusPayload: Decodable {
            struct Failure: Decodable { var code: Int? }
            var id: String
            var status: String
            var errors: [Failure]?
        }
        var object: String?
        var entry: [Entry]
    }
}
