import CityLineApp
import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Localization
import Logging
import Outreach
import Storage
import StorageSQLite
import Switchboard
import Testing
import WebAPI

/// The staff API over real HTTP: who may see and change what.
@Suite struct StaffAPITests {
    struct Harness {
        let store: SQLiteStore
        let app: any ApplicationProtocol
        let admin: String
        let streets: String
        let parks: String
    }

    func harness() async throws -> Harness {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        // Two tickets: a pothole for streets, a park bench for parks.
        try await store.commit(seedTurn(sms("+12175550100", "x", id: "SM1"), tickets: [ticket(1), ticket(2, department: "parks")]))
        for (secret, role, department) in [("admin-secret", StaffRole.admin, nil), ("streets-secret", .staff, "streets"),
                                           ("parks-secret", .staff, "parks")] as [(String, StaffRole, String?)] {
            _ = try await store.createToken(hash: StaffTokenHash.hash(secret), role: role, department: department, label: nil, at: t0)
        }
        let app = try await buildApplication(try .testing(store: .sqlite(store), clock: { t0.addingTimeInterval(3600) }))
        return Harness(store: store, app: app, admin: "admin-secret", streets: "streets-secret", parks: "parks-secret")
    }

    static func auth(_ token: String?) -> HTTPFields {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        headers[.contentType] = "application/json"
        return headers
    }

    static func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
    }

    static func errorCode(_ response: TestResponse) -> String? { (json(response)["error"] as? [String: Any])?["code"] as? String }

    @Test func authorizationMatrix() async throws {
        let h = try await harness()
        let pothole = TrackingNumber(serial: 1).digits
        try await h.app.test(.live) { client in
            // (token, path, expected status)
            let cases: [(String?, String, HTTPResponse.Status)] = [
                (nil, "/api/v1/tickets", .unauthorized),
                ("not-a-token", "/api/v1/tickets", .unauthorized),
                (nil, "/api/v1/tickets/\(pothole)", .unauthorized),
                (h.admin, "/api/v1/tickets", .ok),
                (h.admin, "/api/v1/tickets/\(pothole)", .ok),
                (h.streets, "/api/v1/tickets/\(pothole)", .ok),
                (h.parks, "/api/v1/tickets/\(pothole)", .forbidden),
                (h.parks, "/api/v1/tickets?department=streets", .forbidden),
                (h.admin, "/api/v1/tickets/1234567", .notFound),   // valid check digit? no: not a tracking number
                (h.admin, "/api/v1/tickets/\(TrackingNumber(serial: 5).digits)", .notFound),
                (h.admin, "/api/v1/tickets?status=bogus", .badRequest),
            ]
            for (token, path, status) in cases {
                try await client.execute(uri: path, method: .get, headers: Self.auth(token)) { response in
                    #expect(response.status == status, "\(token ?? "no token") \(path)")
                    if status != .ok { #expect(Self.errorCode(response) != nil, "JSON error body for \(path)") }
                }
            }
            // Lists are scoped: a staff token sees its department only.
            for (token, expected) in [(h.admin, 2), (h.streets, 1), (h.parks, 1)] {
                try await client.execute(uri: "/api/v1/tickets", method: .get, headers: Self.auth(token)) { response in
                    #expect((Self.json(response)["tickets"] as? [Any])?.count == expected)
                }
            }
        }
    }

    /// A status change through the API schedules the residents' update in the same transaction; closing it
    /// schedules the survey, once.
    @Test func closingThroughTheAPISchedulesTheUpdateAndTheSurvey() async throws {
        let h = try await harness()
        let id = TrackingNumber(serial: 1).digits
        try await h.app.test(.live) { client in
            for _ in 0..<2 {
                let close = #"{"status": "closed", "status_note": "Patched today.", "resolution": "fixed"}"#
                let response = try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: Self.auth(h.streets),
                                                        body: ByteBuffer(string: close))
                #expect(response.status == .ok)
            }
        }
        let survey = try await h.store.job(dedupeKey: "survey:\(id)")
        #expect(survey?.dueAt == t0.addingTimeInterval(3600 + Double(try Demo.city.timings.surveyDelay)))
        let counts = try await h.store.jobCounts()
        // The same change sent twice at the same moment (a double click) is one update and one department event;
        // one survey, ever.
        #expect(counts[.pending] == 3, "one update, one department event and one survey: \(counts)")
        #expect(try await h.store.job(dedupeKey: "department:\(id):status_changed:\(Int((t0.timeIntervalSince1970 + 3600) * 1000))") != nil)
    }

    /// Staff words reach a Spanish-speaking resident in Spanish: a canned note (`status_note_key`) is translated;
    /// the crew's own words are framed as theirs instead of pasted into a Spanish sentence.
    @Test func statusNotesReachTheResidentInTheirLanguage() async throws {
        let h = try await harness()
        let reporter = ChannelAddress(channel: .sms, address: "+12175550100")
        try await h.store.seedSession(Session(locale: LanguageTag("es")), for: reporter)
        let (first, second) = (TrackingNumber(serial: 1).digits, TrackingNumber(serial: 2).digits)
        try await h.app.test(.live) { client in
            for (body, status) in [(#"{"status_note_key": "nonsense"}"#, HTTPResponse.Status.badRequest),
                                   (#"{"status_note_key": "repaired", "status_note": "Fixed."}"#, .badRequest),
                                   (#"{"status": "closed", "status_note_key": "repaired"}"#, .ok)] {
                try await client.execute(uri: "/api/v1/tickets/\(first)", method: .patch, headers: Self.auth(h.admin),
                                         body: ByteBuffer(string: body)) { #expect($0.status == status, "\(body)") }
            }
            try await client.execute(uri: "/api/v1/tickets/\(second)", method: .patch, headers: Self.auth(h.admin),
                                     body: ByteBuffer(string: #"{"status": "closed", "status_note": "Repaired"}"#)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/status-notes", method: .get, headers: Self.auth(h.streets)) { response in
                let notes = Self.json(response)["status_notes"] as? [[String: Any]] ?? []
                #expect(notes.compactMap { $0["code"] as? String }.contains("repaired"))
                #expect(((notes.first { $0["code"] as? String == "repaired" })?["text"] as? [String: String])?["es"] == "Ya se reparó.")
            }
        }
        let switchboard = try Demo.switchboard(h.store)
        let scheduler = Scheduler(switchboard: switchboard, jobs: h.store, policy: OutreachPolicy(city: try Demo.city),
                                  logger: Logger(label: "test"), clock: { t0.addingTimeInterval(2 * 3600) })
        while try await scheduler.runDue() > 0 {}
        let updates = try await outboxEntries(h.store).filter { $0.message.kind == .statusUpdate }.map(\.message.body)
        #expect(updates.contains { $0.contains("Ya se reparó.") && $0.hasPrefix("Cerramos el reporte #\(first)") }, "\(updates)")
        #expect(updates.contains { $0.contains("Nota del equipo: \"Repaired\"") && $0.hasPrefix("Cerramos el reporte #\(second)") }, "\(updates)")
    }

    @Test func staffUpdateStatusAddNotesAndReassign() async throws {
        let h = try await harness()
        let id = TrackingNumber(serial: 1).digits
        try await h.app.test(.live) { client in
            let patch = #"{"status": "in_progress", "status_note": "A crew is scheduled for Wednesday."}"#
            try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: Self.auth(h.streets),
                                     body: ByteBuffer(string: patch)) { response in
                #expect(response.status == .ok)
                let body = Self.json(response)
                #expect(body["status"] as? String == "in_progress")
                #expect(body["status_note"] as? String == "A crew is scheduled for Wednesday.")
                #expect((body["history"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["created", "status"])
                #expect((body["reporter"] as? [String: Any])?["address"] as? String == "sms:…00") // masked
            }
            try await client.execute(uri: "/api/v1/tickets/\(id)/notes", method: .post, headers: Self.auth(h.streets),
                                     body: ByteBuffer(string: #"{"text": "Needs asphalt truck", "public": false}"#)) {
                #expect($0.status == .created)
            }
            // Invalid changes: 400 and nothing changes.
            for bad in [#"{"status": "done"}"#, #"{"colour": "red"}"#, "not json", #"{"department": "nope"}"#, "{}"] {
                try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: Self.auth(h.streets),
                                         body: ByteBuffer(string: bad)) { #expect($0.status == .badRequest, "\(bad)") }
            }
            // Another department may not touch it; after reassignment, streets may not either.
            try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: Self.auth(h.parks),
                                     body: ByteBuffer(string: #"{"status": "closed"}"#)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: Self.auth(h.streets),
                                     body: ByteBuffer(string: #"{"department": "parks"}"#)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/tickets/\(id)", method: .get, headers: Self.auth(h.streets)) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: Self.auth(h.parks),
                                     body: ByteBuffer(string: #"{"status": "closed", "resolution": "fixed"}"#)) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response)["closed_at"] as? String != nil)
            }
        }
        let history = try await h.store.history(of: TrackingNumber(serial: 1))
        #expect(history.map(\.kind) == [.created, .status, .note, .department, .status])
        #expect(history[2].isPublic == false)
        #expect(history.last?.actor.hasPrefix("staff:") == true)
        #expect(try await h.store.ticket(TrackingNumber(serial: 1))?.resolution == "fixed")
        // The newly responsible department's system hears of the reassignment.
        let assigned = try await h.store.job(dedupeKey: "department:\(id):assigned:\(Int((t0.timeIntervalSince1970 + 3600) * 1000))")
        #expect(assigned?.work == .departmentEvent(ticket: TrackingNumber(serial: 1), event: "assigned"))
    }
}
