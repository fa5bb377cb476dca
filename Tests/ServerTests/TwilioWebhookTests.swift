import ChannelSMS
import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Messaging
import Storage
import StorageSQLite
import Testing
import Transport
import WebAPI

/// Twilio's signature algorithm against its published example and our own quirks.
@Suite struct TwilioSignatureTests {
    static let published: [(String, String)] = [
        ("CallSid", "CA1234567890ABCDE"), ("Caller", "+14158675310"), ("Digits", "1234"), ("From", "+14158675310"), ("To", "+18005551212"),
    ]

    @Test func twiliosPublishedExample() {
        let signer = TwilioSignature(authToken: "12345")
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        #expect(signer.sign(url: url, parameters: Self.published) == "GvWf1cFY/Q7PnoempGyD5oXAezc=")
        #expect(signer.isValid("GvWf1cFY/Q7PnoempGyD5oXAezc=", url: url, parameters: Self.published.reversed()))
    }

    @Test func tamperingIsDetected() {
        let signer = TwilioSignature(authToken: "12345")
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        var changed = Self.published
        changed[2].1 = "1235"
        #expect(!signer.isValid("GvWf1cFY/Q7PnoempGyD5oXAezc=", url: url, parameters: changed))
        #expect(!signer.isValid("GvWf1cFY/Q7PnoempGyD5oXAezc=", url: "https://mycompany.com/myapp.php?foo=1&bar=3", parameters: Self.published))
        #expect(!TwilioSignature(authToken: "54321").isValid("GvWf1cFY/Q7PnoempGyD5oXAezc=", url: url, parameters: Self.published))
        #expect(!signer.isValid("not base64!", url: url, parameters: Self.published))
    }

    @Test func defaultPortWithOrWithout() {
        let signer = TwilioSignature(authToken: "secret")
        let withPort = signer.sign(url: "https://city.example:443/webhooks/twilio/sms", parameters: [("Body", "hi")])
        let without = signer.sign(url: "https://city.example/webhooks/twilio/sms", parameters: [("Body", "hi")])
        #expect(signer.isValid(withPort, url: "https://city.example/webhooks/twilio/sms", parameters: [("Body", "hi")]))
        #expect(signer.isValid(without, url: "https://city.example:443/webhooks/twilio/sms", parameters: [("Body", "hi")]))
        // Another port is another URL.
        #expect(!signer.isValid(without, url: "https://city.example:8443/webhooks/twilio/sms", parameters: [("Body", "hi")]))
    }
}

/// Real HTTP against a running server on a free loopback port, with signatures checked.
@Suite struct TwilioWebhookTests {
    static let token = "test-auth-token"
    static let publicURL = "https://311.springfield.example"

    struct Harness {
        let store: SQLiteStore
        let app: any ApplicationProtocol
    }

    /// The real application with `TWILIO_AUTH_TOKEN` (unless `signatures` is false) and `CITYLINE_PUBLIC_URL` set.
    func harness(signatures: Bool = true) async throws -> Harness {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        var environment = ["CITYLINE_PUBLIC_URL": Self.publicURL]
        if signatures { environment["TWILIO_AUTH_TOKEN"] = Self.token }
        let app = try await buildApplication(try .testing(store: .sqlite(store), environment: environment))
        return Harness(store: store, app: app)
    }

    static func form(sid: String, body: String, from: String = "+12175550100", media: [String] = []) -> [(String, String)] {
        var form = [("MessageSid", sid), ("From", from), ("To", "+12175550311"), ("Body", body), ("NumMedia", "\(media.count)")]
        for (index, url) in media.enumerated() {
            form += [("MediaUrl\(index)", url), ("MediaContentType\(index)", "image/jpeg")]
        }
        return form
    }

    static func headers(_ form: [(String, String)], path: String = "/webhooks/twilio/sms", token: String = token) -> HTTPFields {
        let signature = TwilioSignature(authToken: token).sign(url: publicURL + path, parameters: form)
        return [.contentType: "application/x-www-form-urlencoded", HTTPField.Name("X-Twilio-Signature")!: signature]
    }

    @Test func signedMessageIsStoredAndAnsweredWithTwiML() async throws {
        let h = try await harness()
        try await h.app.test(.live) { client in
            let form = Self.form(sid: "SM100", body: "There's a pothole & a sinkhole at 1423 Oak St", media: ["https://api.twilio.example/ME1"])
            try await client.execute(uri: "/webhooks/twilio/sms", method: .post, headers: Self.headers(form),
                                     body: ByteBuffer(string: FormBody.encode(form))) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/xml") == true)
                let xml = String(buffer: response.body)
                #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>Pothole: got it."))
                #expect(xml.hasSuffix("</Message></Response>"))
            }
        }
        #expect(try await h.store.hasInbound(externalID: "SM100", channel: .sms))
    }

    @Test func redeliveryGetsTheSameReplyAndNoNewEffect() async throws {
        let h = try await harness()
        try await h.app.test(.live) { client in
            var bodies: [String] = []
            for (sid, text) in [("SM1", "pothole at 1423 Oak St"), ("SM2", "skip"), ("SM3", "skip"), ("SM4", "skip"), ("SM5", "yes"), ("SM5", "yes")] {
                let form = Self.form(sid: sid, body: text)
                try await client.execute(uri: "/webhooks/twilio/sms", method: .post, headers: Self.headers(form),
                                         body: ByteBuffer(string: FormBody.encode(form))) { response in
                    #expect(response.status == .ok)
                    bodies.append(String(buffer: response.body))
                }
            }
            #expect(bodies[4].contains("Tracking number"))
            #expect(bodies[5] == bodies[4])
        }
        #expect(try await h.store.count("tickets") == 1)
        #expect(try await h.store.count("messages") == 10) // 5 in, 5 out
    }

    /// Carriers redeliver late: the same MessageSid three days on — long after the session expired — gets the
    /// reply it got then and changes nothing (the message log keeps every id it has seen).
    @Test func aRedeliveryThreeDaysLaterAnswersTheSameAndChangesNothing() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        let now = Locked(t0)
        let app = try await buildApplication(try .testing(store: .sqlite(store), environment: ["CITYLINE_PUBLIC_URL": Self.publicURL,
                                                                                             "TWILIO_AUTH_TOKEN": Self.token],
                                                          clock: { now.withLock { $0 } }))
        try await app.test(.live) { client in
            func send(_ sid: String, _ text: String) async throws -> String {
                let form = Self.form(sid: sid, body: text)
                return try await client.execute(uri: "/webhooks/twilio/sms", method: .post, headers: Self.headers(form),
                                                body: ByteBuffer(string: FormBody.encode(form))) { String(buffer: $0.body) }
            }
            let first = try await send("SM1", "pothole at 1423 Oak St")
            now.withLock { $0 = t0.addingTimeInterval(72 * 3_600 + 60) }
            #expect(try await send("SM1", "pothole at 1423 Oak St") == first, "the reply it got then")
            #expect(try await store.count("messages") == 2, "one in, one out: nothing new")
            #expect(try await store.session(for: ChannelAddress(channel: .sms, address: "+12175550100"))?.lastActivity == t0)
        }
    }

    @Test func badSignatureIs403AndStoresNothing() async throws {
        let h = try await harness()
        try await h.app.test(.live) { client in
            let form = Self.form(sid: "SM9", body: "pothole at 1423 Oak St")
            var tampered = form
            tampered[3].1 = "pothole at 1500 Oak St"
            for (headers, body) in [
                (Self.headers(form), FormBody.encode(tampered)),                       // body changed after signing
                (Self.headers(form, token: "wrong"), FormBody.encode(form)),           // wrong token
                (HTTPFields([HTTPField(name: .contentType, value: "application/x-www-form-urlencoded")]), FormBody.encode(form)), // no signature
            ] as [(HTTPFields, String)] {
                try await client.execute(uri: "/webhooks/twilio/sms", method: .post, headers: headers, body: ByteBuffer(string: body)) {
                    #expect($0.status == .forbidden)
                }
            }
        }
        #expect(try await h.store.count("messages") == 0)
        #expect(try await h.store.count("sessions") == 0)
    }

    @Test func malformedOversizedAndInvalidUTF8AreRejected() async throws {
        let h = try await harness(signatures: false)
        try await h.app.test(.live) { client in
            let big = ByteBuffer(string: "MessageSid=SM1&From=%2B1&Body=" + String(repeating: "a", count: 70_000))
            try await client.execute(uri: "/webhooks/twilio/sms", method: .post, body: big) { #expect($0.status == .contentTooLarge) }
            let invalid = ByteBuffer(string: "MessageSid=SM2&From=%2B1&Body=%FF%FE")
            try await client.execute(uri: "/webhooks/twilio/sms", method: .post, body: invalid) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("UTF-8"))
            }
            var raw = ByteBuffer(string: "MessageSid=SM3&From=%2B1&Body=")
            raw.writeBytes([0xC3, 0x28])
            try await client.execute(uri: "/webhooks/twilio/sms", method: .post, body: raw) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/webhooks/twilio/sms", method: .post, body: ByteBuffer(string: "From=%2B1&Body=hi")) {
                #expect($0.status == .badRequest) // no MessageSid
            }
        }
        #expect(try await h.store.count("messages") == 0)
    }

    @Test func deliveryReceiptsOnlyMoveForward() async throws {
        let h = try await harness()
        let id = try await h.store.enqueue(RenderedMessage(to: ChannelAddress(channel: .sms, address: "+1"), body: "x", locale: .english,
                                                           kind: .statusUpdate), at: t0)
        try await h.store.markSent(id, providerID: "SMout", at: t0)
        try await h.app.test(.live) { client in
            for status in ["delivered", "sent", "queued"] {
                let form = [("MessageSid", "SMout"), ("MessageStatus", status)]
                try await client.execute(uri: "/webhooks/twilio/status", method: .post,
                                         headers: Self.headers(form, path: "/webhooks/twilio/status"),
                                         body: ByteBuffer(string: FormBody.encode(form))) { #expect($0.status == .ok) }
            }
            // A receipt for a message we never sent is accepted and ignored.
            let unknown = [("MessageSid", "SMother"), ("MessageStatus", "failed"), ("ErrorCode", "30003")]
            try await client.execute(uri: "/webhooks/twilio/status", method: .post, headers: Self.headers(unknown, path: "/webhooks/twilio/status"),
                                     body: ByteBuffer(string: FormBody.encode(unknown))) { #expect($0.status == .ok) }
        }
        #expect(try await h.store.outboxEntry(id)?.deliveryStatus == "delivered")
    }

    @Test func healthAnswers() async throws {
        let h = try await harness()
        try await h.app.test(.live) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
            }
        }
    }
}
