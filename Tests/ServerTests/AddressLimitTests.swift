import ChannelSMS
import CityLineApp
import CityLineTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StorageSQLite
import Testing
import Transport
import WebAPI

/// Limits per network address on what anyone may call without a credential (the public pages, Open311, unsubscribe
/// links, photos) and on console sign-ins; carriers' webhooks and `/health` are never limited.
@Suite struct AddressLimitTests {
    @Test func anAddressPastItsLimitGets429UntilItRefillsAndOthersAreNotTouched() async throws {
        let now = Locked(t0)
        let app = try await buildApplication(try .testing(store: .sqlite(try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")),
                                                          environment: [
            "CITYLINE_PUBLIC_REQUESTS_PER_IP_PER_MINUTE": "5", "CITYLINE_SIGN_INS_PER_IP_PER_MINUTE": "3",
            "CITYLINE_TRUSTED_PROXIES": "127.0.0.1", "CITYLINE_PUBLIC_URL": TwilioWebhookTests.publicURL,
            "TWILIO_AUTH_TOKEN": TwilioWebhookTests.token,
        ], clock: { now.withLock { $0 } }))
        try await app.test(.live) { client in
            func get(_ path: String, from address: String) async throws -> (HTTPResponse.Status, String?) {
                try await client.execute(uri: path, method: .get, headers: [ChatGate.forwardedFor: address]) {
                    ($0.status, $0.headers[.retryAfter])
                }
            }
            // Five at once, then the sixth waits 60/5 = 12 s.
            for _ in 0..<5 { #expect(try await get("/open311/v2/services.json", from: "203.0.113.5").0 == .ok) }
            let refused = try await get("/open311/v2/services.json", from: "203.0.113.5")
            #expect(refused.0 == .tooManyRequests && refused.1 == "12")
            #expect(try await get("/", from: "203.0.113.5").0 == .tooManyRequests, "the front page counts too")
            // Another address behind the same proxy is not touched; neither is /health nor a carrier's webhook.
            #expect(try await get("/open311/v2/services.json", from: "203.0.113.6").0 == .ok)
            #expect(try await get("/health", from: "203.0.113.5").0 == .ok)
            let form = TwilioWebhookTests.form(sid: "SMlimit1", body: "pothole at 1423 Oak St")
            var headers = TwilioWebhookTests.headers(form)
            headers[ChatGate.forwardedFor] = "203.0.113.5"
            try await client.execute(uri: "/webhooks/twilio/sms", method: .post, headers: headers,
                                     body: ByteBuffer(string: FormBody.encode(form))) { #expect($0.status == .ok) }
            // Twelve seconds on, one more.
            now.withLock { $0 = t0.addingTimeInterval(12) }
            #expect(try await get("/open311/v2/services.json", from: "203.0.113.5").0 == .ok)
            #expect(try await get("/open311/v2/services.json", from: "203.0.113.5").0 == .tooManyRequests)

            // Sign-ins: three wrong tokens, then even the form is not read — the page says when to try again.
            func signIn(from address: String) async throws -> (HTTPResponse.Status, String) {
                try await client.execute(uri: "/console/sign-in", method: .post, headers: [
                    .contentType: "application/x-www-form-urlencoded", ChatGate.forwardedFor: address,
                ], body: ByteBuffer(string: "token=clt_guess")) { ($0.status, String(buffer: $0.body)) }
            }
            for _ in 0..<3 { #expect(try await signIn(from: "198.51.100.7").0 == .unauthorized) }
            let locked = try await signIn(from: "198.51.100.7")
            #expect(locked.0 == .tooManyRequests && locked.1.contains("Too many sign-in attempts from this network. Try again in 20 seconds."))
            #expect(try await signIn(from: "198.51.100.8").0 == .unauthorized, "another address is not locked out")
        }
    }

    @Test func whichPathsAreLimited() {
        for path in ["/", "/chat", "/chat/chat.js", "/open311/v2/requests.json", "/unsubscribe/abc", "/chat/photos", "/openapi.json"] {
            #expect(AddressLimits.isPublic(path: path), "\(path)")
        }
        for path in ["/webhooks/twilio/sms", "/webhooks/email/inbound", "/api/v1/tickets", "/console", "/console/sign-in", "/dashboard", "/health", "/metrics"] {
            #expect(!AddressLimits.isPublic(path: path), "\(path)")
        }
    }
}
