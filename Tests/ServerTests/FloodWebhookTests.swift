import ChannelSMS
import CityLineApp
import CityLineTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StorageSQLite
import Transport
import Testing

/// One number texting 300 messages in 10 seconds through the signed Twilio webhook, while another resident makes
/// a report: the flooder gets a bounded number of replies and one notice, every message is stored, the other
/// resident is answered as usual.
@Suite struct FloodWebhookTests {
    @Test func aNumberTexting300MessagesIn10SecondsGetsBoundedRepliesAndEveryoneElseIsUnaffected() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        let now = Locked(t0)
        let app = try await buildApplication(try .testing(store: .sqlite(store), environment: [
            "CITYLINE_PUBLIC_URL": TwilioWebhookTests.publicURL, "TWILIO_AUTH_TOKEN": TwilioWebhookTests.token,
        ], clock: { now.withLock { $0 } }))
        let flooder = "+12175550166", neighbour = "+12175550177"
        let (floodReplies, neighbourReplies) = try await app.test(.live) { client in
            var floodReplies: [String] = []
            var neighbourReplies: [String] = []
            func text(_ from: String, _ sid: String, _ body: String) async throws -> [String] {
                let form = TwilioWebhookTests.form(sid: sid, body: body, from: from)
                return try await client.execute(uri: "/webhooks/twilio/sms", method: .post, headers: TwilioWebhookTests.headers(form),
                                                body: ByteBuffer(string: FormBody.encode(form))) { response in
                    #expect(response.status == .ok)
                    // Each <Message> of the TwiML is one text to the resident.
                    return String(buffer: response.body).components(separatedBy: "<Message>").dropFirst().map { String($0.prefix { $0 != "<" }) }
                }
            }
            let neighbourTurns = ["pothole at 1423 Oak St", "skip", "skip", "skip", "yes"]
            for index in 0..<300 {
                now.withLock { $0 = t0.addingTimeInterval(Double(index) / 30) }
                floodReplies += try await text(flooder, "SMflood\(index)", index.isMultiple(of: 2) ? "hello?" : "are you there")
                if index.isMultiple(of: 60) {
                    neighbourReplies.append((try await text(neighbour, "SMn\(index)", neighbourTurns[index / 60])).joined(separator: " "))
                }
            }
            return (floodReplies, neighbourReplies)
        }
        let notices = floodReplies.filter { $0.contains("faster than we can answer") }
        #expect(notices.count == 1, "one notice")
        #expect(floodReplies.count <= 2 * 21 + 1, "bounded: \(floodReplies.count) texts for 300 messages")
        // Every message of the flood is kept (an operator can read them), and each answered turn is stored once.
        #expect(try await store.count("messages") >= 300 + 5 + 5)
        // The neighbour's report went through as always.
        #expect(neighbourReplies[0].contains("Pothole: got it"), "\(neighbourReplies)")
        #expect(neighbourReplies[4].contains("Tracking number"), "\(neighbourReplies)")
        #expect(!neighbourReplies.joined().contains("faster than we can answer"))
    }
}
