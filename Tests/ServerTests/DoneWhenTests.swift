import AsyncHTTPClient
import ChannelSMS
import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import NIOCore
import Storage
import StorageSQLite
import Testing
import WebAPI

/// The scheduler issue's "done when", against the real `cityline serve` process, over HTTP only: closing a
/// ticket through the staff API brings the reporter and a Spanish-speaking follower a localized update, then the
/// reporter "is it fixed?" after the configured delay (0 s here); the SMS answers are stored, "no" reopens the
/// ticket, and nothing is sent twice or after STOP.
@Suite struct DoneWhenTests {
    static let token = "done-when-token"
    static let publicURL = "https://311.springfield.example"
    static let reporter = "+12175550100"
    static let follower = "+12175550111"

    @Test func closingAReportReachesReporterAndFollowerThenSurveysByText() async throws {
        let directory = try temporaryDirectory()
        let number = TrackingNumber(serial: 300_000)
        do {
            // The report as the reporter's dialog left it, and a staff token.
            let store = try SQLiteStore(path: directory + "/cityline.sqlite")
            try await store.commit(seedTurn(sms(Self.reporter, "pothole at 1423 Oak St", id: "SMseed", at: Date()), session: Session(locale: .english),
                                            tickets: [ticket(300_000, reporter: Self.reporter, at: Date())]))
            _ = try await store.createToken(hash: StaffTokenHash.hash("admin-secret"), role: .admin, department: nil, label: nil, at: Date())
        }
        let environment = ["CITYLINE_QUIET_HOURS_START": "00:00", "CITYLINE_QUIET_HOURS_END": "00:00", "CITYLINE_SURVEYS_DELAY": "0s"]
        let (server, base) = try await CrashTests.startServer(dataDirectory: directory, token: Self.token, publicURL: Self.publicURL,
                                                        extra: environment)
        try await stopping(server) {
            let outbox = OutboxFile(path: directory + "/outbox.jsonl")

            let follow = try await text(base, from: Self.follower, "SEGUIR \(number.digits)", sid: "SM1")
            #expect(follow.contains("Listo, le enviaremos novedades del reporte #\(number.digits)"), "\(follow)")

            #expect(try await patch(base, number, #"{"status": "closed", "status_note": "Patched today.", "resolution": "fixed"}"#) == 200)
            let updates = try await outbox.wait { lines in
                lines.filter { $0.kind == "status_update" }.count >= 2 && lines.contains { $0.kind == "survey" }
            }
            let toReporter = updates.filter { $0.to == Self.reporter && $0.kind == "status_update" }
            let toFollower = updates.filter { $0.to == Self.follower && $0.kind == "status_update" }
            #expect(toReporter.count == 1 && toReporter.first?.locale == "en" && toReporter.first?.body.contains("Patched today.") == true)
            #expect(toFollower.count == 1 && toFollower.first?.locale == "es" && toFollower.first?.body.hasPrefix("Cerramos el reporte") == true,
                    "\(toFollower)")
            let question = updates.filter { $0.kind == "survey" }
            #expect(question.map(\.to) == [Self.reporter], "only the reporter is asked")
            #expect(question.first?.body.contains("Is it fixed?") == true)

            // The answers, by text.
            let no = try await text(base, from: Self.reporter, "3", sid: "SM2")
            #expect(no.contains("reopened"), "\(no)")
            #expect(try await text(base, from: Self.reporter, "3", sid: "SM2") == no, "a redelivered answer gets the same reply")
            #expect(try await text(base, from: Self.reporter, "4", sid: "SM3").contains("Anything else"))
            #expect(try await text(base, from: Self.reporter, "The patch is already cracking", sid: "SM4").contains("Thank you"))
            let ticket = try await get(base, number)
            #expect(ticket["status"] as? String == "open", "reopened: \(ticket)")
            // Staff see the answers on the ticket.
            let answers = ticket["survey"] as? [String: Any]
            #expect(answers?["fixed"] as? String == "no" && answers?["rating"] as? Int == 4 && answers?["state"] as? String == "answered")
            #expect(answers?["comment"] as? String == "The patch is already cracking")
            let notes = (ticket["history"] as? [[String: Any]] ?? []).compactMap { $0["note"] as? String }
            #expect(notes.contains { $0.contains("not fixed") }, "\(notes)")
            let survey = try await SQLiteStore(path: directory + "/cityline.sqlite").survey(of: number)
            #expect(survey?.fixed == .no && survey?.rating == 4 && survey?.comment == "The patch is already cracking" && survey?.state == .answered)

            // STOP, then more work on the ticket: the follower hears nothing more; the reporter gets the update.
            #expect(try await text(base, from: Self.follower, "ALTO", sid: "SM5").contains("Ya no le enviaremos mensajes"))
            #expect(try await patch(base, number, #"{"status": "in_progress", "status_note": "A crew is on the way."}"#) == 200)
            let after = try await outbox.wait { lines in lines.filter { $0.kind == "status_update" }.count >= 3 }
            // Nothing more is queued (the reporter's survey reminder is due later), so nothing more can arrive.
            try await waitUntilDrained(databasePath: directory + "/cityline.sqlite")
            let final = try outbox.lines()
            #expect(final.filter { $0.to == Self.follower && $0.kind == "status_update" }.count == 1, "nothing after STOP")
            #expect(final.filter { $0.to == Self.reporter && $0.kind == "status_update" }.count == 2)
            #expect(final.filter { $0.kind == "survey" }.count == 1, "one survey per ticket, ever")
            #expect(Set(final.map(\.id)).count == final.count, "a message was written twice")
            #expect(after.count <= final.count)
        }
    }

    // MARK: - HTTP

    func text(_ base: String, from: String, _ body: String, sid: String) async throws -> String {
        let form = [("MessageSid", sid), ("From", from), ("To", "+12175550199"), ("Body", body)]
        let request = CrashTests.signedWebhook(base: base, publicURL: Self.publicURL, form: form, signer: TwilioSignature(authToken: Self.token))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status == .ok)
        return String(buffer: try await response.body.collect(upTo: 1 << 16))
    }

    func patch(_ base: String, _ number: TrackingNumber, _ json: String) async throws -> UInt {
        var request = HTTPClientRequest(url: base + "/api/v1/tickets/\(number.digits)")
        request.method = .PATCH
        request.headers.add(name: "Authorization", value: "Bearer admin-secret")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        return try await HTTPClient.shared.execute(request, timeout: .seconds(10)).status.code
    }

    func get(_ base: String, _ number: TrackingNumber) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: base + "/api/v1/tickets/\(number.digits)")
        request.headers.add(name: "Authorization", value: "Bearer admin-secret")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (try JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }
}

/// `outbox.jsonl` as a test reads it.
struct OutboxFile {
    struct Line {
        var id: String, to: String, kind: String, locale: String, body: String
    }

    let path: String

    func lines() throws -> [Line] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { raw in
            guard let object = try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any] else { return nil }
            return Line(id: object["id"] as? String ?? "", to: object["to"] as? String ?? "", kind: object["kind"] as? String ?? "",
                        locale: object["locale"] as? String ?? "", body: object["body"] as? String ?? "")
        }
    }

    /// Polls until `done` holds (at most 20 s).
    func wait(until done: ([Line]) -> Bool) async throws -> [Line] {
        for _ in 0..<200 {
            let current = try lines()
            if done(current) { return current }
            try await Task.sleep(for: .milliseconds(100))
        }
        let current = try lines()
        Issue.record("timed out waiting for the outbox file: \(current.map { "\($0.kind) \($0.to)" })")
        return current
    }
}
