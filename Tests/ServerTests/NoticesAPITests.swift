import CityLineTestSupport
import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

/// `/api/v1/notices` over real HTTP: admin only, a dry run that shows the cost, a notice that is queued and counted,
/// a cancel, and bad input that gets a clear 4xx and queues nothing.
extension StaffAPITests {
    static var square: [String: Any] { ["type": "Polygon", "coordinates": [[
        [-89.600, 39.760], [-89.580, 39.760], [-89.580, 39.772], [-89.600, 39.772], [-89.600, 39.760],
    ]]] }

    static func JSONResponse(_ object: [String: Any]) -> Data { (try? JSONSerialization.data(withJSONObject: object)) ?? Data() }

    @Test func noticesAreSentCountedAndCancelledByAdmins() async throws {
        let h = try await harness()
        try await h.store.apply(WritePlan(alerts: [
            .subscribe(AlertSubscription(address: ChannelAddress(channel: .sms, address: "+12175550301"),
                                         place: AlertPlace(matched: "6448 Lawrence Ave", point: Coordinate(latitude: 39.766377, longitude: -89.589912)),
                                         locale: .english, source: "sms", consentedAt: t0)),
            .subscribe(AlertSubscription(address: ChannelAddress(channel: .sms, address: "+12175550302"),
                                         place: AlertPlace(matched: "3689 10th St", point: Coordinate(latitude: 39.773494, longitude: -89.685608)),
                                         locale: .english, source: "sms", consentedAt: t0)),
        ], at: t0))
        let request: [String: Any] = ["area": Self.square, "messages": ["en": "Road closed on Lawrence Ave today."], "emergency": false]
        var dryRequest = request
        dryRequest["dry_run"] = true
        let notice = String(decoding: Self.JSONResponse(request), as: UTF8.self), dry = String(decoding: Self.JSONResponse(dryRequest), as: UTF8.self)
        try await h.app.test(.live) { client in
            #expect(try await client.execute(uri: "/api/v1/notices", method: .post, headers: Self.auth(nil), body: ByteBuffer(string: notice)).status
                == .unauthorized)
            let staff = try await client.execute(uri: "/api/v1/notices", method: .post, headers: Self.auth(h.streets), body: ByteBuffer(string: notice))
            #expect(staff.status == .forbidden && Self.errorCode(staff) == "forbidden")

            let preview = try await client.execute(uri: "/api/v1/notices", method: .post, headers: Self.auth(h.admin), body: ByteBuffer(string: dry))
            #expect(preview.status == .ok)
            let cost = Self.json(preview)["cost"] as? [String: Any] ?? [:]
            #expect(cost["recipients"] as? Int == 1 && cost["sms_segments"] as? Int == 1, "\(cost)")
            let languages = cost["languages"] as? [[String: Any]] ?? []
            #expect(languages.first?["locale"] as? String == "en" && languages.first?["encoding"] as? String == "GSM-7")
            #expect((cost["fallbacks"] as? [String: String])?["es"] == "en", "a missing translation is flagged: \(cost)")
            #expect(try await h.store.notices(limit: 5).isEmpty, "a dry run queues nothing")

            let sent = try await client.execute(uri: "/api/v1/notices", method: .post, headers: Self.auth(h.admin), body: ByteBuffer(string: notice))
            #expect(sent.status == .accepted)
            let created = Self.json(sent)
            let id = try #require(created["id"] as? Int)
            #expect(created["targeted"] as? Int == 1 && created["queued"] as? Int == 1 && created["sent"] as? Int == 0, "\(created)")

            let shown = try await client.execute(uri: "/api/v1/notices/\(id)", method: .get, headers: Self.auth(h.admin))
            #expect(shown.status == .ok && Self.json(shown)["queued"] as? Int == 1 && Self.json(shown)["state"] as? String == "sending")
            let list = try await client.execute(uri: "/api/v1/notices", method: .get, headers: Self.auth(h.admin))
            #expect((Self.json(list)["notices"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])

            let cancel = try await client.execute(uri: "/api/v1/notices/\(id)/cancel", method: .post, headers: Self.auth(h.admin))
            #expect(cancel.status == .ok && Self.json(cancel)["withdrawn"] as? Int == 1 && Self.json(cancel)["cancelled"] as? Int == 1)
            #expect(Self.json(cancel)["state"] as? String == "cancelled")
            #expect(try await client.execute(uri: "/api/v1/notices/999/cancel", method: .post, headers: Self.auth(h.admin)).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/notices/abc", method: .get, headers: Self.auth(h.admin)).status == .notFound)
        }
    }

    @Test func badNoticesGetAClearErrorAndQueueNothing() async throws {
        let h = try await harness()
        let bowtie: [String: Any] = ["type": "Polygon", "coordinates": [[[-89.60, 39.76], [-89.58, 39.77], [-89.58, 39.76], [-89.60, 39.77], [-89.60, 39.76]]]]
        let text: [String: Any] = ["en": "Road closed."]
        let cases: [([String: Any], HTTPResponse.Status, String)] = [
            (["area": bowtie, "messages": text], .unprocessableContent, "invalid_area"),
            (["area": ["type": "Polygon", "coordinates": [[[-89.6, 39.76], [-89.58, 39.76], [-89.58, 39.77]]]], "messages": text],
             .unprocessableContent, "invalid_area"),
            (["area": ["type": "Point", "coordinates": [-89.6, 39.76]], "messages": text], .badRequest, "invalid_area"),
            (["area": ["type": "Polygon", "coordinates": [[["a", "b"]]]], "messages": text], .unprocessableContent, "invalid_area"),
            (["area": ["jurisdiction": "atlantis"], "messages": text], .badRequest, "unknown_jurisdiction"),
            (["area": "everyone", "messages": text], .badRequest, "invalid_area"),
            (["messages": text], .badRequest, "missing_area"),
            (["area": "all", "messages": ["en": "   "]], .badRequest, "empty_text"),
            (["area": "all", "messages": ["fr": "Route fermée."]], .badRequest, "unknown_locale"),
            (["area": "all", "messages": [:] as [String: Any]], .badRequest, "missing_messages"),
            (["area": "all"], .badRequest, "missing_messages"),
            (["area": "all", "messages": text, "topic": "parking"], .badRequest, "unknown_topic"),
            (["area": "all", "messages": text, "emergency": "yes"], .badRequest, "invalid_emergency"),
            (["area": "all", "messages": text, "priority": 1], .badRequest, "unknown_field"),
        ]
        let requests = cases.map { (String(decoding: Self.JSONResponse($0.0), as: UTF8.self), $0.1, $0.2) }
        try await h.app.test(.live) { client in
            for (body, status, code) in requests {
                let response = try await client.execute(uri: "/api/v1/notices", method: .post, headers: Self.auth(h.admin),
                                                        body: ByteBuffer(string: body))
                #expect(response.status == status && Self.errorCode(response) == code, "\(body): \(response.status) \(Self.json(response))")
                let message = (Self.json(response)["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(!message.isEmpty)
            }
            let broken = try await client.execute(uri: "/api/v1/notices", method: .post, headers: Self.auth(h.admin),
                                                  body: ByteBuffer(string: "{not json"))
            #expect(broken.status == .badRequest && Self.errorCode(broken) == "invalid_json")
        }
        #expect(try await h.store.notices(limit: 5).isEmpty)
        #expect(try await outboxEntries(h.store).filter { $0.message.kind == .alert }.isEmpty)
    }
}
