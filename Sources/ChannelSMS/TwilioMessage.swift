import CityModel
import Foundation
import Messaging
import Storage
import Transport

/// A Twilio Messaging webhook (an inbound SMS or MMS), read from its form parameters.
///
/// ```
/// MessageSid=SM…&From=%2B12175550100&To=%2B12175550311&Body=Pothole+at+Oak+and+5th&NumMedia=1
/// &MediaUrl0=https://api.twilio.com/…&MediaContentType0=image/jpeg
/// ```
public struct TwilioInbound: Sendable {
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public var messageSid: String
    public var from: String
    public var to: String
    public var body: String
    public var media: [MediaRef]

    public init(_ form: FormBody) throws {
        guard let sid = form["MessageSid"] ?? form["SmsSid"], !sid.isEmpty else { throw Invalid(description: "MessageSid is missing") }
        guard let from = form["From"], !from.isEmpty else { throw Invalid(description: "From is missing") }
        messageSid = sid
        self.from = from
        to = form["To"] ?? ""
        body = form["Body"] ?? ""
        let count = Int(form["NumMedia"] ?? "0") ?? 0
        guard (0...10).contains(count) else { throw Invalid(description: "NumMedia must be 0 to 10") }
        media = (0..<count).compactMap { index in
            form["MediaUrl\(index)"].map { MediaRef(url: $0, contentType: form["MediaContentType\(index)"]) }
        }
    }

    public func message(receivedAt: Date) -> InboundMessage {
        InboundMessage(from: ChannelAddress(channel: .sms, address: from), text: body, media: media, externalID: messageSid,
                       receivedAt: receivedAt)
    }
}

/// TwiML for a webhook answer: one `<Message>` per reply, or an empty `<Response/>`.
public enum TwiML {
    public static func response(_ messages: [String]) -> String {
        let header = #"<?xml version="1.0" encoding="UTF-8"?>"#
        guard !messages.isEmpty else { return header + "<Response/>" }
        return header + "<Response>" + messages.map { "<Message>\(escape($0))</Message>" }.joined() + "</Response>"
    }

    /// XML text escaping in one pass (element content needs only &, < and >).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }
}
