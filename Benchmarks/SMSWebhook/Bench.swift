import ArgumentParser
import AsyncHTTPClient
import ChannelSMS
import Foundation
import NIOCore
import Synchronization
import Transport

/// Sends signed Twilio SMS webhooks (each from a new resident, each with a new MessageSid) to a running
/// CityLine and measures turns per second and latency, with `GET /health` probed in the same run.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cityline-bench")

    @Option var url = "http://127.0.0.1:8311"
    @Option(help: "TWILIO_AUTH_TOKEN of the server.") var token = "bench-token"
    @Option(help: "CITYLINE_PUBLIC_URL of the server.") var publicURL = "https://311.bench.example"
    @Option(help: "Requests for the throughput run.") var requests = 20_000
    @Option(help: "Requests in flight in the throughput run.") var concurrency = 64
    @Option(help: "Requests per second for the latency run (0: skip).") var rate = 1000
    @Option(help: "Seconds of the latency run.") var seconds = 10
    @Option(help: "Prefix of MessageSids, so several runs against one database stay unique.") var run = "A"
    @Option(help: "Only probe GET /health for this many seconds (while another tool makes the load).") var probeOnly: Int?

    func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(concurrency, 64))
        ))
        let signer = TwilioSignature(authToken: token)
        let health = Probe()
        if let probeOnly {
            let probing = Task { await health.run(client: client, url: url + "/health") }
            try await Task.sleep(for: .seconds(probeOnly))
            probing.cancel()
            _ = await probing.value
            print(String(format: "GET /health under load: %d probes, p50 %.1f ms, p99 %.1f ms, max %.1f ms", health.samples.count,
                         health.samples.percentile(50), health.samples.percentile(99), health.samples.percentile(100)))
            try await client.shutdown()
            return
        }
        // Warm up connections and the server.
        for index in 0..<200 { _ = try await send(client, signer, id: "\(run)w\(index)") }

        let probing = Task { await health.run(client: client, url: url + "/health") }

        // Throughput: `requests` turns, `concurrency` in flight.
        if requests > 0 { try await throughputRun(client, signer) }

        // Latency at a fixed arrival rate.
        if rate > 0 {
            let paced = Samples()
            let total = rate * seconds
            let begin = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<total {
                    try await Task.sleep(until: begin.advanced(by: .seconds(Double(index) / Double(rate))), clock: .continuous)
                    group.addTask {
                        let began = ContinuousClock.now
                        guard try await self.send(client, signer, id: "\(run)r\(index)") else { throw BenchError.failed }
                        paced.add(began.duration(to: .now))
                    }
                }
                try await group.waitForAll()
            }
            print(String(format: "latency at %d/s for %d s: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
                         rate, seconds, paced.percentile(50), paced.percentile(90), paced.percentile(99), paced.percentile(100)))
        }
        probing.cancel()
        _ = await probing.value
        print(String(format: "GET /health during the runs: %d probes, p50 %.1f ms, p99 %.1f ms",
                     health.samples.count, health.samples.percentile(50), health.samples.percentile(99)))
        try await client.shutdown()
    }

    func throughputRun(_ client: HTTPClient, _ signer: TwilioSignature) async throws {
        let latencies = Samples()
        let counter = Counter(requests)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    while let index = counter.next() {
                        let began = ContinuousClock.now
                        guard try await self.send(client, signer, id: "\(run)t\(index)") else { throw BenchError.failed }
                        latencies.add(began.duration(to: .now))
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = start.duration(to: .now)
        let throughput = Double(requests) / elapsed.seconds
        print(String(format: "throughput: %d turns in %.2f s = %.0f turns/s (%d in flight); latency p50 %.1f ms, p99 %.1f ms",
                     requests, elapsed.seconds, throughput, concurrency, latencies.percentile(50), latencies.percentile(99)))

    }

    enum BenchError: Error { case failed }

    /// One signed webhook from a new resident; true on 200 with TwiML.
    func send(_ client: HTTPClient, _ signer: TwilioSignature, id: String) async throws -> Bool {
        let form = [("MessageSid", "SM\(id)"), ("From", "+1555\(id)"), ("To", "+12175550311"),
                    ("Body", "There's a big pothole at 1423 Oak St"), ("NumMedia", "0")]
        var request = HTTPClientRequest(url: url + "/webhooks/twilio/sms")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "X-Twilio-Signature", value: signer.sign(url: publicURL + "/webhooks/twilio/sms", parameters: form))
        request.body = .bytes(ByteBuffer(string: FormBody.encode(form)))
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 16)
        return response.status == .ok && body.readableBytes > 0
    }
}

/// Latency samples from many tasks.
final class Samples: Sendable {
    private let values = Mutex<[Double]>([])
    func add(_ duration: Duration) { values.withLock { $0.append(duration.seconds * 1000) } }
    var count: Int { values.withLock { $0.count } }
    func percentile(_ p: Double) -> Double {
        values.withLock { values in
            guard !values.isEmpty else { return 0 }
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - (p == 0 ? 0 : 1))]
        }
    }
}

final class Counter: Sendable {
    private let state: Mutex<Int>
    private let limit: Int
    init(_ limit: Int) {
        self.limit = limit
        state = Mutex(0)
    }
    func next() -> Int? { state.withLock { value in value < limit ? { value += 1; return value - 1 }() : nil } }
}

/// `GET /health` every 10 ms while the load runs.
final class Probe: Sendable {
    let samples = Samples()
    func run(client: HTTPClient, url: String) async {
        while !Task.isCancelled {
            let began = ContinuousClock.now
            if let response = try? await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10)),
               (try? await response.body.collect(upTo: 1024)) != nil, response.status == .ok {
                samples.add(began.duration(to: .now))
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
