import AsyncHTTPClient
import ChannelSMS
import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import NIOCore
import Storage
import StorageSQLite
import Testing

/// `GET /metrics` against the real application over HTTP: residents' signed Twilio webhooks (a report that becomes a
/// ticket, an emergency, a request for a person, STOP, a redelivery), the scheduler and the outbox dispatcher
/// running as in `cityline serve`, then a scrape — the counters moved, the queue gauges are there for every state,
/// and no label carries a phone number, a message or a tracking number. Then the same scrape of the real
/// `cityline serve` read by Prometheus' own Python parser (`prometheus-client`).
@Suite struct MetricsTests {
    static let token = "metrics-test-token"
    static let publicURL = "https://311.springfield.example"
    static let reporter = "+12175550140", caller = "+12175550141", quitter = "+12175550142", asker = "+12175550143"
    static let report = ["pothole at 1423 Oak St", "skip", "skip", "skip", "yes"]
    static let emergency = "I smell gas in my basement"

    /// One exposition line: `name{label="value",…} number`.
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// The samples of a text exposition; the test's own reading, to find values (the Python check below uses
    /// Prometheus' parser on the same format).
    static func samples(_ text: String) -> [Sample] {
        text.split(separator: "\n").compactMap { line -> Sample? in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                return nil
            }
            let series = line[..<space]
            guard let open = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
            var labels: [String: String] = [:]
            // Label values here are codes and names without quotes or commas inside.
            for pair in series[series.index(after: open)..<series.index(before: series.endIndex)].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { labels[String(parts[0])] = String(parts[1].dropFirst().dropLast()) }
            }
            return Sample(name: String(series[..<open]), labels: labels, value: value)
        }
    }

    static func value(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        return matching.isEmpty ? nil : matching.map(\.value).reduce(0, +)
    }

    static func scrape(_ base: String, token: String? = nil) async throws -> (status: UInt, contentType: String?, text: String) {
        var request = HTTPClientRequest(url: base + "/metrics")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 22)
        return (response.status.code, response.headers.first(name: "Content-Type"), String(buffer: body))
    }

    static func text(_ base: String, from: String, _ body: String, sid: String) async throws -> String {
        let form = [("MessageSid", sid), ("From", from), ("To", "+12175550199"), ("Body", body)]
        let request = CrashTests.signedWebhook(base: base, publicURL: publicURL, form: form, signer: TwilioSignature(authToken: token))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        return String(buffer: try await response.body.collect(upTo: 1 << 16))
    }

    /// The residents' messages: the report (its tracking number returned), the emergency, a request for a person,
    /// STOP, and the last report message delivered twice.
    static func residentsWrite(_ base: String) async throws -> TrackingNumber? {
        var replies: [String] = []
        for (index, text) in report.enumerated() { replies.append(try await Self.text(base, from: reporter, text, sid: "SMr\(index)")) }
        #expect(try await Self.text(base, from: reporter, report[4], sid: "SMr4") == replies[4], "a redelivery gets the same reply")
        #expect(try await Self.text(base, from: caller, emergency, sid: "SMe").contains("Call 911"))
        #expect(try await Self.text(base, from: asker, "agent", sid: "SMa").contains("operator"))
        _ = try await Self.text(base, from: quitter, "STOP", sid: "SMs")
        let last = replies[4].components(separatedBy: "Tracking number: ").last.map { String($0.prefix(7)) } ?? ""
        return TrackingNumber(parsing: last)
    }

    /// What no label may contain: the residents' numbers (with and without the +1), their words, the ticket's number.
    static func residentData(_ number: TrackingNumber?) -> [String] {
        [reporter, caller, quitter, asker].flatMap { [$0, String($0.dropFirst(2))] } + report.filter { $0.count > 4 } + [emergency]
            + (number.map { [$0.digits] } ?? [])
    }

    @Test func turnsTicketsEmergenciesOptOutsSendsAndQueueDepthsAreCountedWithoutResidentData() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        var configuration = try AppConfiguration.testing(store: .sqlite(store),
                                                         environment: ["TWILIO_AUTH_TOKEN": Self.token, "CITYLINE_PUBLIC_URL": Self.publicURL])
        // The scheduler and the dispatcher run, as in `cityline serve`: the department's "created" event goes out.
        configuration.runsBackgroundWork = true
        let (number, text) = try await withRunningApplication(configuration) { port in
            let base = "http://127.0.0.1:\(port)"
            let number = try await Self.residentsWrite(base)
            var scraped = try await Self.scrape(base)
            for _ in 0..<200 where Self.value(Self.samples(scraped.text), "cityline_outbound_sends_total", ["outcome": "sent"]) == nil {
                try await Task.sleep(for: .milliseconds(50))
                scraped = try await Self.scrape(base)
            }
            #expect(scraped.status == 200)
            #expect(scraped.contentType == "text/plain; version=0.0.4; charset=utf-8")
            return (number, scraped.text)
        }
        let samples = Self.samples(text)
        let ticket = try #require(try await store.tickets(TicketFilter()).first)
        #expect(ticket.trackingNumber == number)

        // Turns: the report's five messages, the emergency, the request for a person and STOP; the redelivery apart.
        #expect(Self.value(samples, "cityline_inbound_turns_total", ["channel": "sms"]) == 8)
        #expect(Self.value(samples, "cityline_inbound_redeliveries_total", ["channel": "sms"]) == 1)
        #expect(Self.value(samples, "cityline_turn_duration_seconds_count", ["channel": "sms"]) == 8)
        #expect((Self.value(samples, "cityline_turn_duration_seconds_sum", ["channel": "sms"]) ?? 0) > 0)
        #expect(Self.value(samples, "cityline_turn_duration_seconds_bucket", ["channel": "sms", "le": "+Inf"]) == 8)
        #expect(Self.value(samples, "cityline_inbound_failures_total") == nil, "no turn failed")

        #expect(Self.value(samples, "cityline_tickets_created_total",
                           ["department": ticket.department, "service_code": ticket.draft.serviceCode]) == 1)
        #expect(Self.value(samples, "cityline_tickets_created_total") == 1)
        let emergencies = samples.filter { $0.name == "cityline_emergencies_answered_total" }
        #expect(emergencies.map(\.labels) == [["trigger": "gas", "channel": "sms"]] && emergencies.map(\.value) == [1], "\(emergencies)")
        #expect(Self.value(samples, "cityline_handoffs_requested_total", ["channel": "sms"]) == 1)
        #expect(Self.value(samples, "cityline_opt_outs_total", ["channel": "sms", "source": "resident"]) == 1)

        // The department's event went out through the outbox (no webhook configured: the outbox file).
        #expect(Self.value(samples, "cityline_outbound_sends_total", ["outcome": "sent"]) == 1)
        #expect(Self.value(samples, "cityline_outbound_sends_total", ["outcome": "failed"]) == nil)
        #expect(Self.value(samples, "cityline_outbound_send_duration_seconds_count") == 1)

        // Queue depths, read from the store at the scrape: every state, the sent entry and the done job among them.
        for state in ["pending", "sending", "held", "sent", "dead"] {
            #expect(Self.value(samples, "cityline_outbox_entries", ["state": state]) != nil, "outbox \(state)")
        }
        for state in ["pending", "running", "done", "dead"] {
            #expect(Self.value(samples, "cityline_jobs", ["state": state]) != nil, "jobs \(state)")
        }
        #expect(Self.value(samples, "cityline_outbox_entries", ["state": "sent"]) == 1)
        #expect((Self.value(samples, "cityline_jobs", ["state": "done"]) ?? 0) >= 1)

        // Every name is ours, and no label value carries resident data.
        #expect(samples.allSatisfy { $0.name.hasPrefix("cityline_") }, "\(Set(samples.map(\.name)))")
        let values = samples.flatMap(\.labels.values)
        for secret in Self.residentData(number) {
            #expect(!values.contains { $0.contains(secret) }, "a label carries \(secret)")
        }
        #expect(!text.contains(Self.reporter.dropFirst(2)) && !text.contains("Oak St"), "no resident data anywhere in the exposition")
    }

    /// With `CITYLINE_METRICS_TOKEN` set, a scrape needs it; otherwise (the default) none is asked for.
    @Test func aMetricsTokenIsRequiredOnlyWhenSet() async throws {
        let configuration = try AppConfiguration.testing(store: .memory(MemoryStore()), environment: ["CITYLINE_METRICS_TOKEN": "scrape-me"])
        try await withRunningApplication(configuration) { port in
            let base = "http://127.0.0.1:\(port)"
            #expect(try await Self.scrape(base).status == 401)
            #expect(try await Self.scrape(base, token: "wrong").status == 401)
            let scraped = try await Self.scrape(base, token: "scrape-me")
            #expect(scraped.status == 200 && scraped.text.contains("cityline_outbox_entries{state=\"pending\"} 0"))
        }
        try await withRunningApplication(try AppConfiguration.testing(store: .memory(MemoryStore()))) { port in
            let scraped = try await Self.scrape("http://127.0.0.1:\(port)")
            #expect(scraped.status == 200, "no token is asked for by default")
        }
    }

    static let hasPrometheusClient = ConsoleBrowserTests.runs(["python3", "-c", "import prometheus_client"])
    static let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Prometheus/check_metrics.py")

    /// The real `cityline serve` (its metrics are the process's, bootstrapped into the global `MetricsSystem`), read by
    /// `prometheus_client.parser.text_string_to_metric_families`: the text parses, the families have the expected
    /// types, and no label value is one of the residents' numbers or words.
    @Test(.enabled(if: hasPrometheusClient, "needs prometheus-client from PyPI (pip install prometheus-client; .ci/run installs it)"))
    func prometheusOwnParserReadsTheServersMetrics() async throws {
        let (server, base) = try await CrashTests.startServer(dataDirectory: try temporaryDirectory(), token: Self.token, publicURL: Self.publicURL)
        try await stopping(server) {
            let number = try await Self.residentsWrite(base)
            // The department's event: wait (bounded) until the dispatcher has sent it, so every family is there.
            for _ in 0..<200 where Self.value(Self.samples(try await Self.scrape(base).text), "cityline_outbound_sends_total") == nil {
                try await Task.sleep(for: .milliseconds(50))
            }
            let (status, output) = try await runToEnd(["python3", Self.checker.path, base + "/metrics"] + Self.residentData(number))
            #expect(status == 0, "check_metrics.py:\n\(output)")
        }
    }
}
