import CityModel
import Foundation
import Localization

/// One inbound message as received from a channel.
public struct InboundMessage: Hashable, Sendable, Codable {
    public var from: ChannelAddress
    public var text: String
    public var media: [MediaRef]
    /// The channel's own id (Twilio `MessageSid`); a redelivery carries the same id.
    public var externalID: String?
    public var receivedAt: Date
    /// Where it sits in a threaded conversation (email), so replies answer it; nil on channels without threads.
    public var thread: MessageThread?

    public init(from: ChannelAddress, text: String, media: [MediaRef] = [], externalID: String? = nil, receivedAt: Date,
                thread: MessageThread? = nil) {
        self.from = from
        self.text = text
        self.media = media
        self.externalID = externalID
        self.receivedAt = receivedAt
        self.thread = thread
    }
}

/// A message rendered for a resident, as stored and sent.
public struct RenderedMessage: Hashable, Sendable, Codable {
    public var to: ChannelAddress
    /// Email subject; nil for other channels.
    public var subject: String?
    public var body: String
    /// Email HTML body (the text `body` is the plain alternative); nil for other channels.
    public var html: String?
    public var locale: LanguageTag
    public var kind: MessageKind
    public var ticket: TrackingNumber?
    /// The resident's message this one answers, on channels that thread (email: In-Reply-To and References).
    public var inReplyTo: MessageThread?
    /// An emergency area notice (`"emergency": true`): the one message besides replies, "call 911" and the STOP
    /// confirmation that goes out in quiet hours. Nil (absent from the JSON) for every other message.
    public var urgent: Bool?

    public init(to: ChannelAddress, subject: String? = nil, body: String, html: String? = nil, locale: LanguageTag,
                kind: MessageKind, ticket: TrackingNumber? = nil, inReplyTo: MessageThread? = nil) {
        self.to = to
        self.subject = subject
        self.body = body
        self.html = html
        self.locale = locale
        self.kind = kind
        self.ticket = ticket
        self.inReplyTo = inReplyTo
    }
}
