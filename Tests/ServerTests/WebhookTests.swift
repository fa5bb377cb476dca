import AsyncHTTPClient
import ChannelWebhook
import CityLineTestSupport
import CityModel
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Messaging
import NIOCore
import Storage
import StorageSQLite
import Testing
import Transport

/// Department webhooks: signed with HMAC-SHA256 over the timestamp and body, retried on 5xx, dead-lettered on
/// other 4xx; departments without a URL get the event in the outbox file.
@Suite struct WebhookTests {
    final class Receiver: Sendable {
        struct Recorded: Sendable {
            var signature: String?
            var eventID: String?
            var body: String
        }
        let recorded = Locked<[Recorded]>([])
        let answers = Locked<[HTTPResponse.Status]>([])

        func router() -> Router<BasicRequestContext> {
            let router = Router(context: BasicRequestContext.self)
            router.post("/hooks/streets") { request, _ -> Response in
                var request = request
                let body = try await request.collectBody(upTo: 1 << 16)
                self.recorded.withLock {
                    $0.append(Recorded(signature: request.headers[HTTPField.Name("CityLine-Signature")!],
                                       eventID: request.headers[HTTPField.Name("CityLine-Event-Id")!], body: String(buffer: body)))
                }
                return Response(status: self.answers.withLock { $0.isEmpty ? .noContent : $0.removeFirst() })
            }
            return router
        }
    }

    @Test func signedRetriedAndDeadLettered() async throws {
        let receiver = Receiver()
        receiver.answers.withLock { $0 = [.serviceUnavailable, .noContent, .badRequest] }
        try await withLoopbackServer(receiver.router()) { base in
            let secret = Data("department-secret".utf8)
            let filePath = try temporaryDirectory() + "/outbox.jsonl"
            let file = try OutboxFileTransport(path: filePath)
            let transport = WebhookTransport(secret: secret, client: HTTPClient.shared, fallback: file, now: { t0 })
            let url = base + "/hooks/streets"
            let body = #"{"event":"reopened","ticket":{"id":"1000002"}}"#
            func entry(_ id: Int64, to address: String) -> OutboxEntry {
                OutboxEntry(id: id, message: RenderedMessage(to: ChannelAddress(channel: .webhook, address: address), body: body,
                                                             locale: .english, kind: .notice), createdAt: t0, dueAt: t0)
            }
            await #expect(throws: TransportError.self) { try await transport.send(entry(7, to: url)) } // 503 → retry
            #expect(try await transport.send(entry(7, to: url)) == "webhook-7")
            do {
                _ = try await transport.send(entry(8, to: url))
                Issue.record("400 must fail")
            } catch let error as TransportError {
                #expect(error.kind == .permanent)
            }
            // A department without a system: the outbox file keeps it.
            _ = try await transport.send(entry(9, to: "department:parks"))
            let kept = try String(contentsOfFile: filePath, encoding: .utf8)
            #expect(kept.contains(#""to":"department:parks""#) && kept.contains(#""channel":"webhook""#), "\(kept)")

            let recorded = receiver.recorded.withLock { $0 }
            #expect(recorded.count == 3)
            #expect(recorded[0].eventID == "7" && recorded[1].eventID == "7", "the same id on a retry")
            let timestamp = Int(t0.timeIntervalSince1970)
            let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: secret))
            #expect(recorded[1].signature == "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined())
            #expect(recorded[1].body == body)
        }
    }
}
