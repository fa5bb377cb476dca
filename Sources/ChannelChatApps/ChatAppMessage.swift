import CityModel
import Crypto
import Foundation

/// One message a resident sent through a chat app, decoded from the app's webhook and not yet stored: what the
/// HTTP edge turns into an `InboundMessage` (after fetching a photo, and reading a tapped button as its choice).
public struct ChatAppMessage: Hashable, Sendable {
    /// What the message carries.
    public enum Content: Hashable, Sendable {
        case text(String)
        /// A shared location pin: it answers "where?" as its coordinates.
        case location(latitude: Double, longitude: Double)
        /// A photo: the app's reference to fetch it by (a WhatsApp media id, a Telegram file id), and its caption.
        case photo(reference: String, contentType: String?, caption: String?)
        /// A tapped reply button or list row (WhatsApp): the choice's key, and its title as the resident saw it.
        case choice(key: String, title: String)
        /// A kind of message CityLine cannot read (a sticker, a voice note …): answered with a helpful text.
        case unsupported(type: String)
    }

    public var from: ChannelAddress
    /// The app's id for the message (`wamid…`; `<chat id>:<message id>` on Telegram): a redelivery carries the same.
    public var id: String
    public var content: Content
    /// The resident's language as the app knows it (Telegram's `language_code`), a hint for a new conversation.
    public var languageHint: String?

    public init(from: ChannelAddress, id: String, content: Content, languageHint: String? = nil) {
        self.from = from
        self.id = id
        self.content = content
        self.languageHint = languageHint
    }

    /// The text the engine reads for this message: coordinates for a location ("39.781700, -89.650100", which
    /// the location reader takes as a point), the choice's key for a button, the caption for a photo.
    public var text: String {
        switch content {
        case .text(let text): text
        case .location(let latitude, let longitude): String(format: "%.6f, %.6f", latitude, longitude)
        case .photo(_, _, let caption): caption ?? ""
        case .choice(let key, _): key
        case .unsupported(let type): "[\(type)]"
        }
    }
}

/// Why a webhook's body could not be read (400, nothing stored).
public struct ChatAppPayloadError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Comparisons of secrets that take the same time whatever the input, so a caller learns nothing from timing.
public enum ConstantTime {
    /// Whether `given` equals `expected`, comparing their SHA-256 digests byte by byte without stopping early.
    public static func equal(_ given: String, _ expected: String) -> Bool {
        let a = Array(SHA256.hash(data: Data(given.utf8)))
        let b = Array(SHA256.hash(data: Data(expected.utf8)))
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
