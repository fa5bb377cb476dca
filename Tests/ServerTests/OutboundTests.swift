import AsyncHTTPClient
import ChannelSMS
import CityLineTestSupport
import CityModel
import Foundation
import Hummingbird
import Logging
import Messaging
import Storage
import StorageSQLite
import Switchboard
import Testing
import Transport

/// The outbox dispatcher with real transports: the outbox file, and Twilio's REST API played by a local server.
@Suite struct OutboundTests {
    static func message(_ body: String, to: String = "+12175550100") -> RenderedMessage {
        RenderedMessage(to: ChannelAddress(channel: .sms, address: to), body: body, locale: .english, kind: .statusUpdate,
                        ticket: TrackingNumber(serial: 1))
    }

    @Test func outboxFileGetsEachMessageOnceEvenWhenRedispatched() async throws {
        let directory = try temporaryDirectory()
        let store = try SQLiteStore(path: directory + "/db.sqlite")
        let path = directory + "/outbox.jsonl"
        try await store.enqueue(Self.message("First"), at: t0)
        try await store.enqueue(Self.message("Second"), at: t0)
        let dispatcher = OutboxDispatcher(store: store, transports: TransportRegistry(fallback: try OutboxFileTransport(path: path)),
                                          logger: Logger(label: "test"), clock: { t0 })
        // One resident's messages go one after another: one per round.
        #expect(try await dispatcher.dispatchDue() == 1)
        #expect(try await dispatcher.dispatchDue() == 1)
        #expect(try await dispatcher.dispatchDue() == 0)
        // A dispatcher that died after writing but before marking sent: the entry comes back after its lease…
        let crashed = try await store.claimDue(now: t0, limit: 10, leaseUntil: t0)
        #expect(crashed.isEmpty)
        let third = try await store.enqueue(Self.message("Third"), at: t0)
        _ = try await OutboxFileTransport(path: path).send(try #require(try await store.outboxEntry(third)))
        // …and a new process's file transport sees the line already written and does not write it twice.
        let restarted = OutboxDispatcher(store: store, transports: TransportRegistry(fallback: try OutboxFileTransport(path: path)),
                                         logger: Logger(label: "test"), clock: { t0 })
        #expect(try await restarted.dispatchDue() == 1)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["body"] as? String == "First")
        #expect(first["channel"] as? String == "sms")
        #expect(first["to"] as? String == "+12175550100")
        #expect(first["kind"] as? String == "status_update")
        #expect(first["ticket_id"] as? String == TrackingNumber(serial: 1).digits)
        #expect(first["subject"] is NSNull)
        #expect(first["locale"] as? String == "en")
        #expect((first["created_at"] as? String)?.hasPrefix("2026-11-23T16:00:00") == true)
    }

    /// A Twilio-compatible API on loopback that records requests and answers as told.
    final class FakeTwilio: Sendable {
        struct Recorded: Sendable {
            var at: ContinuousClock.Instant
            var path: String
            var authorization: String?
            var form: [String: String]
        }

        let recorded = Locked<[Recorded]>([])
        let answers = Locked<[(HTTPResponse.Status, String)]>([])

        func router() -> Router<BasicRequestContext> {
            let router = Router(context: BasicRequestContext.self)
            router.post("/2010-04-01/Accounts/:sid/Messages.json") { request, _ -> Response in
                var request = request
                let body = try await request.collectBody(upTo: 1 << 16)
                let form = try FormBody(Array(body.readableBytesView))
                self.recorded.withLock {
                    $0.append(Recorded(at: .now, path: request.uri.path, authorization: request.headers[.authorization],
                                       form: Dictionary(form.parameters, uniquingKeysWith: { a, _ in a })))
                }
                let (status, json) = self.answers.withLock { $0.isEmpty ? (.created, #"{"sid": "SM0001", "status": "queued"}"#) : $0.removeFirst() }
                return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
            }
            return router
        }
    }

    @Test func twilioTransportSpeaksTwiliosWireFormatAndMapsErrors() async throws {
        let fake = FakeTwilio()
        fake.answers.withLock {
            $0 = [
                (.created, #"{"sid": "SM0001", "status": "queued"}"#),
                (.badRequest, #"{"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}"#),
                (.serviceUnavailable, #"{"message": "busy"}"#),
                (.badRequest, #"{"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}"#),
            ]
        }
        try await withLoopbackServer(fake.router()) { base in
            let transport = TwilioTransport(credentials: .init(
                accountSID: "AC123", authToken: "token", from: "+12175550311", apiBase: base,
                statusCallback: "https://311.springfield.example/webhooks/twilio/status"
            ), client: HTTPClient.shared)
            let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
            var ids: [Int64] = []
            for (index, body) in ["Your report 1000002 is being worked on.", "b", "c", "d"].enumerated() {
                ids.append(try await store.enqueue(Self.message(body, to: "+1217555010\(index)"), at: t0))
            }
            let dispatcher = OutboxDispatcher(store: store, transports: TransportRegistry(transports: [.sms: transport],
                                                                                            fallback: try OutboxFileTransport(path: try temporaryDirectory() + "/o.jsonl")),
                                              logger: Logger(label: "test"), clock: { t0 })
            for id in ids {
                // One at a time so the fake's answers line up with the entries.
                let entry = try #require(try await store.claimDue(now: t0, limit: 1, leaseUntil: t0.addingTimeInterval(60)).first)
                #expect(entry.id == id)
                await dispatcher.deliver(entry)
            }
            #expect(try await store.outboxEntry(ids[0])?.state == .sent)
            #expect(try await store.outboxEntry(ids[0])?.providerID == "SM0001")
            #expect(try await store.outboxEntry(ids[1])?.state == .dead)          // 21610: opted out…
            #expect(try await store.session(for: ChannelAddress(channel: .sms, address: "+12175550101"))?.optedOut == true) // …and remembered
            #expect(try await store.outboxEntry(ids[2])?.state == .pending)       // 503: retry later
            #expect(try await store.outboxEntry(ids[2])?.dueAt == t0.addingTimeInterval(5))
            #expect(try await store.outboxEntry(ids[3])?.state == .dead)          // other 4xx: permanent
            #expect(try await store.outboxEntry(ids[3])?.lastError == "Twilio HTTP 400 error 21211")

            let first = try #require(fake.recorded.withLock { $0.first })
            #expect(first.path == "/2010-04-01/Accounts/AC123/Messages.json")
            #expect(first.authorization == "Basic " + Data("AC123:token".utf8).base64EncodedString())
            #expect(first.form == ["To": "+12175550100", "From": "+12175550311", "Body": "Your report 1000002 is being worked on.",
                                   "StatusCallback": "https://311.springfield.example/webhooks/twilio/status"])
        }
    }
}
