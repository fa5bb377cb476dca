import CityModel

/// What a channel can carry, so the composer, `cityline check` and the adapters ask the profile instead of
/// naming channels: adding a channel means one adapter (decode inbound, send outbound) and one profile.
///
/// ```swift
/// ChannelProfile(channel: .whatsapp, grouping: .separate, maxLength: 4096, choices: .buttons(max: 3, labelLength: 20),
///                media: true, threading: false, inlineReplies: false)
/// ```
public struct ChannelProfile: Hashable, Sendable {
    /// How the messages of one turn are sent.
    public enum Grouping: Hashable, Sendable {
        /// One message each (SMS, chat apps).
        case separate
        /// All in one (email: the turn's messages as paragraphs of one mail).
        case combined
    }

    /// How a question's choices are shown.
    public enum Choices: Hashable, Sendable {
        /// As numbered lines in the text (SMS, email).
        case numberedText
        /// As buttons the resident taps, up to `max` with labels up to `labelLength` characters; more fall back to text.
        case buttons(max: Int, labelLength: Int)
    }

    public var channel: Channel
    public var grouping: Grouping
    /// SMS: the most segments one message may take (`sms.max_segments`); longer text is shortened to fit.
    public var maxSegments: Int?
    /// The most characters one message may have; nil: no limit that matters.
    public var maxLength: Int?
    public var choices: Choices
    /// Whether an HTML alternative is sent (email).
    public var html: Bool
    /// Whether photos can come in (MMS, email attachments, chat apps).
    public var media: Bool
    /// Whether replies answer the resident's own message (email's In-Reply-To; a chat app's reply-to).
    public var threading: Bool
    /// Whether a reply can ride on the response to the resident's own request (TwiML, the chat socket) instead of
    /// the outbox.
    public var inlineReplies: Bool
    /// Plain punctuation only (curly quotes and dashes would force UCS-2 and double an SMS's cost).
    public var plainPunctuation: Bool
    /// The template parts a city's `Templates/<channel>/` must have.
    public var templateParts: [String]
    /// What the resident gets on it, in the words of a message ("STOP to stop texts / emails / messages"): strings
    /// test `{{#channel.messages}}` (chat apps and the web chat), `{{#channel.email}}`, else they say texts.
    public var messages: Bool

    public init(channel: Channel, grouping: Grouping = .separate, maxSegments: Int? = nil, maxLength: Int? = nil,
                choices: Choices = .numberedText, html: Bool = false, media: Bool = false, threading: Bool = false,
                inlineReplies: Bool = false, plainPunctuation: Bool = false, templateParts: [String] = ["message"], messages: Bool = false) {
        self.channel = channel
        self.grouping = grouping
        self.maxSegments = maxSegments
        self.maxLength = maxLength
        self.choices = choices
        self.html = html
        self.media = media
        self.threading = threading
        self.inlineReplies = inlineReplies
        self.plainPunctuation = plainPunctuation
        self.templateParts = templateParts
        self.messages = messages
    }

    /// Whether a resident is at the other end.
    public var reachesResident: Bool { channel.reachesResident }

    public static func sms(maxSegments: Int) -> ChannelProfile {
        ChannelProfile(channel: .sms, maxSegments: maxSegments, media: true, inlineReplies: true, plainPunctuation: true)
    }

    public static let email = ChannelProfile(channel: .email, grouping: .combined, html: true, media: true, threading: true,
                                             templateParts: ["subject", "text", "html"])
    public static let chat = ChannelProfile(channel: .chat, maxLength: 4_000, choices: .buttons(max: 10, labelLength: 40),
                                            inlineReplies: true, messages: true)
    public static let whatsapp = ChannelProfile(channel: .whatsapp, maxLength: 4_096, choices: .buttons(max: 3, labelLength: 20),
                                                media: true, threading: true, messages: true)
    public static let telegram = ChannelProfile(channel: .telegram, maxLength: 4_096, choices: .buttons(max: 10, labelLength: 64),
                                                media: true, threading: true, messages: true)
    /// A department's system: the body as composed, no template.
    public static let webhook = ChannelProfile(channel: .webhook, templateParts: [])
}

/// The profiles of a deployment's channels.
public struct ChannelProfiles: Sendable {
    public private(set) var byChannel: [Channel: ChannelProfile]

    /// The channels CityLine ships, SMS limited to `smsSegments` segments per message.
    public init(smsSegments: Int) {
        byChannel = Dictionary(uniqueKeysWithValues: [
            ChannelProfile.sms(maxSegments: smsSegments), .email, .chat, .whatsapp, .telegram, .webhook,
        ].map { ($0.channel, $0) })
    }

    /// The channel's profile; a channel with none is plain text, one message each.
    public subscript(_ channel: Channel) -> ChannelProfile { byChannel[channel] ?? ChannelProfile(channel: channel) }

    /// Adds or replaces a profile.
    public mutating func register(_ profile: ChannelProfile) { byChannel[profile.channel] = profile }

    /// The channels residents use, in a stable order.
    public var residentChannels: [Channel] { byChannel.keys.filter(\.reachesResident).sorted() }
}
