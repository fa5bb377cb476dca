import CityLineApp
import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Messaging
import NIOCore
import Storage
import StorageSQLite
import Testing
import WebAPI

/// RFC 8058 one-click unsubscribe: a POST with `List-Unsubscribe=One-Click` opts the address out; a GET (what mail
/// scanners do) does not; forged or altered tokens change nothing.
@Suite struct UnsubscribeTests {
    let links = UnsubscribeLinks(secret: Data("test-secret-0123456789-0123456789".utf8), publicURL: "https://311.springfield.example/")

    @Test func tokensRoundTripAndCannotBeForged() {
        let token = links.token(for: "ana@example.org")
        #expect(links.address(from: token) == "ana@example.org")
        #expect(links.link(for: "ana@example.org") == "https://311.springfield.example/unsubscribe/\(token)")
        let other = UnsubscribeLinks(secret: Data("another-secret-0123456789-012345".utf8), publicURL: "https://x")
        #expect(other.address(from: token) == nil, "another server's secret")
        let forged = token.replacingOccurrences(of: token.split(separator: ".")[0], with: "Ym9iQGV4YW1wbGUub3Jn") // bob@…
        #expect(links.address(from: forged) == nil)
        #expect(links.address(from: "garbage") == nil)
    }

    @Test func oneClickPostOptsOutAndGetDoesNot() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        let address = ChannelAddress(channel: .email, address: "ana@example.org")
        // The application signs links with CITYLINE_SECRET under CITYLINE_PUBLIC_URL: the same links as `links`.
        let app = try await buildApplication(try .testing(store: .sqlite(store), environment: [
            "CITYLINE_SECRET": "test-secret-0123456789-0123456789", "CITYLINE_PUBLIC_URL": "https://311.springfield.example/",
        ], clock: { t0 }))
        let path = "/unsubscribe/\(links.token(for: address.address))"
        try await app.test(.live) { client in
            let page = try await client.execute(uri: path, method: .get)
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("<form method=\"post\">"))
            #expect(try await store.recipient(address).optedOut == false, "GET must not unsubscribe")

            let bad = try await client.execute(uri: "/unsubscribe/nope.nope", method: .post, body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(bad.status == .notFound)

            let done = try await client.execute(uri: path, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(done.status == .ok)
        }
        #expect(try await store.recipient(address).optedOut)
        // And an update queued for that address is held back when the dispatcher claims it.
        _ = try await store.enqueue(RenderedMessage(to: address, body: "Update on report #1000002", locale: .english, kind: .statusUpdate),
                                    at: t0)
        let claimed = try #require(try await store.claimDue(now: t0, limit: 1, leaseUntil: t0.addingTimeInterval(60)).first)
        #expect(claimed.recipientOptedOutAt != nil)
        #expect(!claimed.mayGo(optedOutAt: claimed.recipientOptedOutAt))
    }
}
