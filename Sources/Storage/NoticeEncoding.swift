import Foundation
import Messaging

/// The JSON of many copies of a message that differ only in the recipient: encoded once per distinct message, the
/// address put in afterwards (encoded on its own when it has characters JSON escapes).
public enum NoticeEncoding {
    public static let placeholder = "cityline-notice-recipient-7f3a"

    public static func encode(_ messages: [RenderedMessage]) throws -> [String] {
        // The last message of each channel and language (recipient aside) and its JSON split around the recipient:
        // the copies of one rendering follow one another, so one comparison finds the template; an email with its own
        // unsubscribe link is encoded on its own.
        var templates: [String: (shape: RenderedMessage, parts: (String, String)?)] = [:]
        let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "+@.-_:"))
        return try messages.map { message in
            var shape = message
            shape.to.address = placeholder
            let key = message.to.channel.rawValue + "|" + message.locale.code
            let parts: (String, String)?
            if let known = templates[key], known.shape == shape {
                parts = known.parts
            } else {
                let pieces = try StoredJSON.encode(shape).components(separatedBy: placeholder)
                parts = pieces.count == 2 ? (pieces[0], pieces[1]) : nil
                templates[key] = (shape, parts)
            }
            let address = message.to.address
            guard let (before, after) = parts,
                  address.unicodeScalars.allSatisfy({ $0.isASCII && safe.contains($0) }) else { return try StoredJSON.encode(message) }
            return before + address + after
        }
    }
}
