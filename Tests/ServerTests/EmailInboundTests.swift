import CityLineApp
import CityLineTestSupport
import AsyncHTTPClient
import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import StorageSQLite
import Testing

/// `POST /webhooks/email/inbound`: a resident's email becomes a turn, and the answer goes back by email.
@Suite struct EmailInboundTests {
    /// The real application (`buildApplication`) on an SQLite store the test can look into.
    func app(token: String? = nil) async throws -> (SQLiteStore, some ApplicationProtocol) {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        let environment = token.map { ["CITYLINE_EMAIL_INBOUND_TOKEN": $0] } ?? [:]
        return (store, try await buildApplication(try .testing(store: .sqlite(store), environment: environment, clock: { t0 })))
    }

    static func email(_ headers: String, _ body: String) -> ByteBuffer {
        ByteBuffer(string: (headers + "\n\n" + body).replacingOccurrences(of: "\n", with: "\r\n"))
    }

    static let report = email("From: Maria <maria@example.org>\nTo: 311@springfield.example\nSubject: Broken streetlight\nMessage-ID: <m1@example.org>",
                              "at 5th and Oak, dark for a week")

    @Test func anEmailIsAnsweredByEmailOnceEvenWhenRedelivered() async throws {
        let (store, app) = try await app()
        try await app.test(.live) { client in
            let first = try await client.execute(uri: "/webhooks/email/inbound", method: .post, body: Self.report)
            #expect(first.status == .ok)
            #expect(String(buffer: first.body).contains("accepted"))
            let again = try await client.execute(uri: "/webhooks/email/inbound", method: .post, body: Self.report)
            #expect(String(buffer: again.body).contains("redelivered"))
        }
        let entries = try await outboxEntries(store)
        #expect(entries.count == 1, "one email for the turn, and nothing for the redelivery")
        let reply = try #require(entries.first?.message)
        #expect(reply.to == ChannelAddress(channel: .email, address: "maria@example.org"))
        // The answer is in the thread Maria started (issue 11: it used to be "Springfield 311", a thread of its own).
        #expect(reply.subject == "Re: Broken streetlight" && reply.html?.contains("<html lang=\"en\"") == true)
        #expect(reply.inReplyTo == MessageThread(id: "m1@example.org", subject: "Broken streetlight"))
        #expect(reply.body.contains("Street light"), "the report is understood: \(reply.body)")
        #expect(try await store.count("messages") == 2, "the inbound email and the reply, once")
    }

    @Test func stopByEmailIsConfirmedInEmailWords() async throws {
        let (store, app) = try await app()
        try await app.test(.live) { client in
            let stop = Self.email("From: maria@example.org\nSubject: Re: Springfield 311: report #1000002\nMessage-ID: <m2@example.org>",
                                  "STOP\n\nOn Mon, Nov 23, 2026, Springfield 311 wrote:\n> Is it fixed?")
            let response1 = try await client.execute(uri: "/webhooks/email/inbound", method: .post, body: stop)
            #expect(response1.status == .ok)
        }
        let confirmation = try #require(try await outboxEntries(store).first?.message)
        #expect(confirmation.kind == .optOutConfirmation)
        #expect(confirmation.body.contains("won't get more emails"), "\(confirmation.body)")
        #expect(try await store.session(for: ChannelAddress(channel: .email, address: "maria@example.org"))?.optedOut == true)
    }

    @Test func robotsAndUnreadableMessagesChangeNothing() async throws {
        let (store, app) = try await app()
        try await app.test(.live) { client in
            let away = Self.email("From: maria@example.org\nAuto-Submitted: auto-replied\nSubject: Out of office", "I am away until Monday.")
            let ignored = try await client.execute(uri: "/webhooks/email/inbound", method: .post, body: away)
            #expect(ignored.status == .ok && String(buffer: ignored.body).contains("ignored"))
            let garbage = try await client.execute(uri: "/webhooks/email/inbound", method: .post, body: ByteBuffer(string: "hello there"))
            #expect(garbage.status == .badRequest)
            let noSender = try await client.execute(uri: "/webhooks/email/inbound", method: .post, body: Self.email("Subject: hi", "pothole"))
            #expect(noSender.status == .badRequest && String(buffer: noSender.body).contains("no From header"))
            // Over 10 MiB: sent with AsyncHTTPClient and a long timeout (the test client's is 20 s, and a sanitized
            // server takes longer than that to read 10 MiB on a loaded machine).
            var big = ByteBuffer(string: "From: maria@example.org\r\n\r\n")
            big.writeRepeatingByte(UInt8(ascii: "a"), count: 10 * 1024 * 1024 + 1)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(try #require(client.port))/webhooks/email/inbound")
            request.method = .POST
            request.body = .bytes(big)
            let response2 = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
            #expect(response2.status.code == 413)
        }
        #expect(try await store.count("messages") == 0)
        #expect(try await outboxEntries(store).isEmpty)
    }

    @Test func aTokenKeepsStrangersOut() async throws {
        let (store, app) = try await app(token: "mta-secret")
        try await app.test(.live) { client in
            let response3 = try await client.execute(uri: "/webhooks/email/inbound", method: .post, body: Self.report)
            #expect(response3.status == .unauthorized)
            var wrong = HTTPFields()
            wrong[.authorization] = "Bearer guess"
            let response4 = try await client.execute(uri: "/webhooks/email/inbound", method: .post, headers: wrong, body: Self.report)
            #expect(response4.status == .unauthorized)
            var right = HTTPFields()
            right[.authorization] = "Bearer mta-secret"
            let response5 = try await client.execute(uri: "/webhooks/email/inbound", method: .post, headers: right, body: Self.report)
            #expect(response5.status == .ok)
        }
        #expect(try await store.count("messages") == 2)
    }
}
