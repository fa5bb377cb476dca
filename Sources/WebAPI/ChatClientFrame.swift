import Foundation

/// A frame a browser sends on `/chat/ws` (the protocol is described on `ChatSocket`), read from its text alone —
/// no session, store or clock: the part of the chat protocol that reads outside input, so that it can be fuzzed
/// (`Fuzz/`). Anything malformed is a `ChatProblem` with the code and message the `error` frame carries.
public enum ChatClientFrame: Hashable, Sendable {
    /// `{"type": "start", "session": null | "<token>", "locale": "es"?}`.
    case start(session: String?, locale: String?)
    /// `{"type": "message", "id": "<client id>", "text", "photo"?}`; the text trimmed.
    case message(id: String, text: String, photo: String?)

    /// The whole frame read at once (the socket reads it in the same steps, checking its session between them).
    public static func decode(_ text: String) throws -> ChatClientFrame {
        let (type, object) = try typed(text)
        switch type {
        case "start":
            let (session, locale) = try start(object)
            return .start(session: session, locale: locale)
        case "message":
            let (id, text, photo) = try message(object)
            return .message(id: id, text: text, photo: photo)
        default: throw unknownType(type)
        }
    }

    /// The frame's JSON object and its `type`.
    static func typed(_ text: String) throws(ChatProblem) -> (String, [String: Any]) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              let type = object["type"] as? String else {
            throw ChatProblem("bad_frame", "a frame is a JSON object with a \"type\"")
        }
        return (type, object)
    }

    static func unknownType(_ type: String) -> ChatProblem {
        ChatProblem("bad_frame", "unknown type '\(type.prefix(40))'; use start or message")
    }

    static func start(_ object: [String: Any]) throws(ChatProblem) -> (session: String?, locale: String?) {
        let locale = object["locale"] as? String
        if let token = object["session"] as? String { return (token, locale) }
        guard object["session"] == nil || object["session"] is NSNull else {
            throw ChatProblem("bad_frame", "\"session\" is a token from an earlier \"started\", or null")
        }
        return (nil, locale)
    }

    static func message(_ object: [String: Any]) throws(ChatProblem) -> (id: String, text: String, photo: String?) {
        guard let id = object["id"] as? String, (1...64).contains(id.count) else {
            throw ChatProblem("bad_frame", "a message needs an \"id\" of 1 to 64 characters")
        }
        guard let raw = object["text"] as? String else { throw ChatProblem("bad_frame", "a message needs a \"text\"", id: id) }
        var photo: String?
        if let name = object["photo"] {
            // A photo uploaded to `POST /chat/photos` first, named here; the socket checks it is one.
            guard let name = name as? String else {
                throw ChatProblem("unknown_photo", "upload the photo to /chat/photos first, then name it in \"photo\"", id: id)
            }
            photo = name
        }
        return (id, raw.trimmingCharacters(in: .whitespacesAndNewlines), photo)
    }
}
