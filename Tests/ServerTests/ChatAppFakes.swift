import AsyncHTTPClient
import CityLineTestSupport
import Foundation
import Hummingbird
import NIOCore

/// A request a fake chat-app API received: its path and its JSON body.
struct Received: Sendable {
    var path: String
    var body: String

    /// The message's text: WhatsApp's `text.body`, Telegram's `text`.
    var text: String {
        let object = json
        if let whatsapp = object["text"] as? [String: Any], let body = whatsapp["body"] as? String { return body }
        return object["text"] as? String ?? ""
    }

    /// The body as JSON.
    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]) ?? [:] }
}

/// A stand-in for the WhatsApp Cloud API (`/v21.0/{phone-number-id}/messages`, media lookups and downloads) or the
/// Telegram Bot API (`/bot{token}/sendMessage`, `getFile`, `/file/bot{token}/…`) on loopback: it records every
/// message sent, gives each an id, and serves one photo.
final class FakeChatAppAPI: Sendable {
    let received = Locked<[Received]>([])
    /// A tiny PNG (the signature and a header are what the photo store checks).
    static let photo: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1]
    static let botToken = "4242:TEST-token"

    var messages: [Received] { received.withLock { $0 } }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        whatsapp(router)
        telegram(router)
        return router
    }

    private func whatsapp(_ router: Router<BasicRequestContext>) {
        router.post("/v21.0/:id/messages") { request, _ in
            guard request.headers[.authorization] == "Bearer wa-access" else { return Response(status: .unauthorized) }
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let count = self.received.withLock { list in
                list.append(Received(path: request.uri.path, body: body))
                return list.count
            }
            return Self.json(#"{"messaging_product":"whatsapp","messages":[{"id":"wamid.OUT\#(count)"}]}"#)
        }
        router.get("/v21.0/:id") { request, context in
            guard request.headers[.authorization] == "Bearer wa-access" else { return Response(status: .unauthorized) }
            let id = context.parameters.get("id") ?? ""
            let base = "http://\(request.head.authority ?? "127.0.0.1")"
            return Self.json(#"{"url":"\#(base)/media/\#(id)","mime_type":"image/png","id":"\#(id)"}"#)
        }
        router.get("/media/:media") { request, _ in
            guard request.headers[.authorization] == "Bearer wa-access" else { return Response(status: .unauthorized) }
            return Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: Self.photo)))
        }
    }

    /// The Bot API's paths hold the token (`/bot4242:TEST-token/…`), a colon the router would read as a parameter:
    /// they are matched by parameter and checked.
    private func telegram(_ router: Router<BasicRequestContext>) {
        let bot = "bot\(Self.botToken)"
        router.post("/:bot/sendMessage") { request, context in
            guard context.parameters.get("bot") == bot else { return Response(status: .unauthorized) }
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let count = self.received.withLock { list in
                list.append(Received(path: request.uri.path, body: body))
                return list.count
            }
            return Self.json(#"{"ok":true,"result":{"message_id":\#(count),"chat":{"id":1,"type":"private"},"date":0}}"#)
        }
        router.get("/:bot/getFile") { request, context in
            guard context.parameters.get("bot") == bot else { return Response(status: .unauthorized) }
            let id = request.uri.queryParameters["file_id"].map(String.init) ?? ""
            return Self.json(#"{"ok":true,"result":{"file_id":"\#(id)","file_path":"photos/\#(id).png"}}"#)
        }
        router.get("/file/:bot/photos/:name") { _, context in
            guard context.parameters.get("bot") == bot else { return Response(status: .unauthorized) }
            return Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: Self.photo)))
        }
    }

    /// Waits (polling, up to 30 s) until `count` messages arrived; the messages.
    func waitFor(_ count: Int) async throws -> [Received] {
        for _ in 0..<300 {
            let now = messages
            if now.count >= count { return now }
            try await Task.sleep(for: .milliseconds(100))
        }
        return messages
    }
}

enum ChatAppClient {
    /// POSTs `body` with `headers`; the status and the answer's text.
    static func post(_ url: String, _ body: String, headers: [(String, String)] = []) async throws -> (UInt, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    static func patch(_ url: String, _ body: String, token: String) async throws -> (UInt, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .PATCH
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    static func get(_ url: String) async throws -> (UInt, String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }
}

/// A clock at 14:00 in Springfield today (so nothing waits for quiet hours), running at real speed, that a test
/// can move forward by whole days (still 14:00).
final class ShiftableClock: Sendable {
    let shift: Locked<TimeInterval>

    init() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Chicago")!
        let target = calendar.date(bySettingHour: 14, minute: 0, second: 0, of: Date()) ?? Date()
        shift = Locked(target.timeIntervalSinceNow)
    }

    func advance(days: Int) { shift.withLock { $0 += Double(days) * 86_400 } }
    var now: @Sendable () -> Date { { Date().addingTimeInterval(self.shift.withLock { $0 }) } }
}
