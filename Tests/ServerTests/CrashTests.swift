import AsyncHTTPClient
import ChannelSMS
import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import NIOCore
import Outreach
import Storage
import StorageSQLite
import Testing
import Transport

/// Kill the real server with SIGKILL in the middle of a burst of signed webhooks; after restart, every message
/// that got a 200 must be in the database.
@Suite struct CrashTests {
    /// Starts `cityline serve` on a free port; returns the process and its base URL. Waits for the server's first
    /// line on a thread of its own (`blocking`): a sanitized server takes long to start.
    static func startServer(dataDirectory: String, token: String, publicURL: String,
                            extra: [String: String] = [:]) async throws -> (Process, String) {
        try await blocking { try startServerWaiting(dataDirectory: dataDirectory, token: token, publicURL: publicURL, extra: extra) }
    }

    private static func startServerWaiting(dataDirectory: String, token: String, publicURL: String,
                                           extra: [String: String]) throws -> (Process, String) {
        let process = Process()
        guard let binary = CityLineBinary.url else { throw CrashTestError(description: "build the cityline executable first") }
        process.executableURL = binary
        process.arguments = ["serve", "--port", "0", "--smtp-port", "0", "--data-dir", dataDirectory]
        process.currentDirectoryURL = Demo.root
        var environment = ProcessInfo.processInfo.environment
        environment["TWILIO_AUTH_TOKEN"] = token
        environment["CITYLINE_PUBLIC_URL"] = publicURL
        environment["LOG_LEVEL"] = "error"
        environment.removeValue(forKey: "TWILIO_ACCOUNT_SID")
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The first line says where it serves: "CityLine — … — serving http://127.0.0.1:PORT".
        var collected = Data()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            collected.append(chunk)
            if let text = String(data: collected, encoding: .utf8), let range = text.range(of: "serving http://") {
                let rest = text[range.upperBound...]
                if let end = rest.firstIndex(where: { $0 == "\n" }) { return (process, "http://" + rest[..<end]) }
            }
        }
        process.terminate()
        throw CrashTestError(description: "server did not start: \(String(decoding: collected, as: UTF8.self))")
    }

    struct CrashTestError: Error, CustomStringConvertible { var description: String }

    /// A Twilio SMS webhook to `base`, signed for `publicURL`.
    static func signedWebhook(base: String, publicURL: String, form: [(String, String)], signer: TwilioSignature) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: base + "/webhooks/twilio/sms")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "X-Twilio-Signature", value: signer.sign(url: publicURL + "/webhooks/twilio/sms", parameters: form))
        request.body = .bytes(ByteBuffer(string: FormBody.encode(form)))
        return request
    }

    @Test func sigtermStopsCleanly() async throws {
        let (server, base) = try await Self.startServer(dataDirectory: try temporaryDirectory(), token: "t", publicURL: "https://x.example")
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/health"), timeout: .seconds(5))
        #expect(response.status == .ok)
        kill(server.processIdentifier, SIGTERM)
        await server.exited()
        #expect(server.terminationReason == .exit)
        #expect(server.terminationStatus == 0)
    }

    @Test func everyAcknowledgedMessageSurvivesSIGKILL() async throws {
        let directory = try temporaryDirectory()
        let token = "crash-token"
        let publicURL = "https://311.springfield.example"
        let (server, base) = try await Self.startServer(dataDirectory: directory, token: token, publicURL: publicURL)
        let acknowledged = Locked<[String]>([])
        let signer = TwilioSignature(authToken: token)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for index in 0..<400 {
                        let sid = "SMcrash\(worker)x\(index)"
                        let form = [("MessageSid", sid), ("From", "+1217555\(String(format: "%02d%02d", worker, index % 100))"),
                                    ("Body", "pothole at \(index) Oak St")]
                        let request = Self.signedWebhook(base: base, publicURL: publicURL, form: form, signer: signer)
                        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)),
                              response.status == .ok,
                              let body = try? await response.body.collect(upTo: 1 << 16),
                              String(buffer: body).contains("<Response>") else { return } // the server is gone
                        acknowledged.withLock { $0.append(sid) }
                    }
                }
            }
            // Kill without warning once a good number of messages went through.
            while acknowledged.withLock({ $0.count }) < 300 { try await Task.sleep(for: .milliseconds(5)) }
            kill(server.processIdentifier, SIGKILL)
            try await group.waitForAll()
        }
        await server.exited()
        #expect(server.terminationReason == .uncaughtSignal)

        let store = try SQLiteStore(path: directory + "/cityline.sqlite")
        let sids = acknowledged.withLock { $0 }
        #expect(sids.count >= 300)
        var missing: [String] = []
        for sid in sids where try await !store.hasInbound(externalID: sid, channel: .sms) { missing.append(sid) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(10))")

        // And the restarted server answers a redelivery of an acknowledged message from the database.
        let (restarted, newBase) = try await Self.startServer(dataDirectory: directory, token: token, publicURL: publicURL)
        try await stopping(restarted) {
            let sid = try #require(sids.first)
            let worker = sid.dropFirst("SMcrash".count).split(separator: "x")
            let form = [("MessageSid", sid), ("From", "+1217555\(String(format: "%02d%02d", Int(worker[0])!, Int(worker[1])! % 100))"),
                        ("Body", "pothole at \(worker[1]) Oak St")]
            let request = Self.signedWebhook(base: newBase, publicURL: publicURL, form: form, signer: signer)
            let before = try await store.count("messages")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status == .ok)
            #expect(try await store.count("messages") == before)
        }
    }
}

/// Kill the server while it runs due jobs (status updates and surveys for 40 closed tickets); after a restart,
/// each resident has exactly one update and one survey question in the outbox file — none lost, none twice.
@Suite struct JobCrashTests {
    @Test func dueJobsRunExactlyOnceAcrossSIGKILL() async throws {
        let directory = try temporaryDirectory()
        var city = try Demo.city
        city.timings.surveyDelay = 0
        let policy = OutreachPolicy(city: city)
        do {
            let store = try SQLiteStore(path: directory + "/cityline.sqlite")
            for serial in 0..<40 {
                let reporter = "+1217556\(String(format: "%04d", serial))"
                try await store.commit(seedTurn(sms(reporter, "x", id: "SMjob\(serial)"), tickets: [ticket(200_000 + serial, reporter: reporter)]))
                _ = try await store.update(TrackingNumber(serial: 200_000 + serial), TicketChange(status: .closed, resolution: "fixed"),
                                           actor: "staff:1", at: Date().addingTimeInterval(-7_200)) { ticket, events in
                    policy.jobs(after: events, ticket: ticket)
                }
            }
        }
        // No quiet hours and no survey delay, whatever the time of day the test runs.
        let environment = ["CITYLINE_QUIET_HOURS_START": "00:00", "CITYLINE_QUIET_HOURS_END": "00:00", "CITYLINE_SURVEYS_DELAY": "0s"]
        let (server, _) = try await CrashTests.startServer(dataDirectory: directory, token: "t", publicURL: "https://x.example",
                                                     extra: environment)
        try await Task.sleep(for: .milliseconds(150))
        kill(server.processIdentifier, SIGKILL)
        await server.exited()

        let (restarted, _) = try await CrashTests.startServer(dataDirectory: directory, token: "t", publicURL: "https://x.example",
                                                        extra: environment)
        try await stopping(restarted) {
            let outboxFile = directory + "/outbox.jsonl"
            var lines: [[String: Any]] = []
            // Wait for 40 updates and 40 survey questions (the file also holds each department's "closed" event). Counting
            // lines is not enough: a survey whose closing update is still queued waits a second for it, and in that
            // second the queues hold nothing due.
            for _ in 0..<300 {
                let text = (try? String(contentsOfFile: outboxFile, encoding: .utf8)) ?? ""
                lines = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                let surveys = lines.filter { $0["kind"] as? String == "survey" }.count
                let updates = lines.filter { $0["kind"] as? String == "status_update" }.count
                if surveys >= 40, updates >= 40 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            // Nothing more is due, so nothing more can arrive: the file is final.
            try await waitUntilDrained(databasePath: directory + "/cityline.sqlite")
            lines = ((try? String(contentsOfFile: outboxFile, encoding: .utf8)) ?? "").split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let ids = lines.compactMap { $0["id"] as? String }
            #expect(ids.count == lines.count && ids.count >= 80)
            #expect(Set(ids).count == ids.count, "an outbox message was written twice")
            let kinds = Dictionary(grouping: lines, by: { "\($0["kind"] ?? "none"): \(String(describing: $0["body"] ?? "").prefix(40))" }).mapValues(\.count)
            for kind in ["status_update", "survey"] {
                let recipients = lines.filter { $0["kind"] as? String == kind }.compactMap { $0["to"] as? String }
                #expect(recipients.count == 40, "\(kind): \(recipients.count) messages; kinds in the file: \(kinds)")
                #expect(Set(recipients).count == 40, "\(kind): someone got it twice")
            }
        }
    }
}
