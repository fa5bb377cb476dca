import CityModel
import Foundation

/// One Telegram Bot API update, as a webhook receives it: the message a resident sent the bot in a private chat.
///
/// ```json
/// {"update_id": 904, "message": {"message_id": 17, "date": 1732377600,
///   "from": {"id": 5550100, "is_bot": false, "first_name": "María", "language_code": "es"},
///   "chat": {"id": 5550100, "type": "private"}, "text": "Hay un bache"}}
/// ```
/// Text, a shared `location`, a `photo` (the largest size's `file_id`, with its `caption`) are read; any other
/// message (a sticker, a voice note, a document …) is `unsupported`. Updates without a message (an edit, a
/// callback), messages in groups and messages from bots carry nothing for CityLine: `message` is nil. A body
/// that is not an update throws `ChatAppPayloadError`.
public struct TelegramUpdate: Sendable {
    public var updateID: Int64
    public var message: ChatAppMessage?

    public init(_ body: [UInt8]) throws {
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: Data(body))
        } catch let error as DecodingError {
            throw ChatAppPayloadError("not a Telegram update: \(WhatsAppNotification.describe(error))")
        }
        updateID = payload.update_id
        guard let message = payload.message, message.chat.type == "private", message.from?.is_bot != true else {
            message = nil
            return
        }
        let content: ChatAppMessage.Content
        if let text = message.text {
            content = .text(text)
        } else if let location = message.location {
            guard (-90...90).contains(location.latitude), (-180...180).contains(location.longitude) else {
                throw ChatAppPayloadError("'message.location' is not a point")
            }
            content = .location(latitude: location.latitude, longitude: location.longitude)
        } else if let sizes = message.photo, !sizes.isEmpty {
            // The sizes come smallest first; the largest is the photo itself.
            let largest = sizes.max { ($0.width * $0.height, $0.file_size ?? 0) < ($1.width * $1.height, $1.file_size ?? 0) }!
            content = .photo(reference: largest.file_id, contentType: "image/jpeg", caption: message.caption)
        } else {
            content = .unsupported(type: Self.kinds.first { message.present.contains($0) } ?? "message")
        }
        self.message = ChatAppMessage(from: ChannelAddress(channel: .telegram, address: String(message.chat.id)),
                                      id: "\(message.chat.id):\(message.message_id)", content: content,
                                      languageHint: message.from?.language_code)
    }

    /// Kinds of message CityLine names when it cannot read one (for the log; the resident gets the same answer).
    static let kinds = ["sticker", "voice", "audio", "video", "video_note", "animation", "document", "contact", "poll", "dice",
                        "venue", "game"]

    struct Payload: Decodable {
        struct User: Decodable {
            var id: Int64
            var is_bot: Bool?
            var language_code: String?
        }
        struct Chat: Decodable {
            var id: Int64
            var type: String
        }
        struct Location: Decodable {
            var latitude: Double
            var longitude: Double
        }
        struct PhotoSize: Decodable {
            var file_id: String
            var width: Int
            var height: Int
            var file_size: Int?
        }
        struct Message: Decodable {
            var message_id: Int64
            var from: User?
            var chat: Chat
            var text: String?
            var caption: String?
            var location: Location?
            var photo: [PhotoSize]?
            /// Which of the other kinds' keys the message has.
            var present: Set<String> = []

            enum CodingKeys: String, CodingKey, CaseIterable {
                case message_id, from, chat, text, caption, location, photo
            }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                message_id = try container.decode(Int64.self, forKey: .message_id)
                from = try container.decodeIfPresent(User.self, forKey: .from)
                chat = try container.decode(Chat.self, forKey: .chat)
                text = try container.decodeIfPresent(String.self, forKey: .text)
                caption = try container.decodeIfPresent(String.self, forKey: .caption)
                location = try container.decodeIfPresent(Location.self, forKey: .location)
                photo = try container.decodeIfPresent([PhotoSize].self, forKey: .photo)
                let any = try decoder.container(keyedBy: AnyKey.self)
                present = Set(any.allKeys.map(\.stringValue))
            }
        }
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        var update_id: Int64
        var message: Message?
    }
}
