import AsyncHTTPClient
import CityModel
import Crypto
import Foundation
import NIOCore
import Storage
import Transport

/// Posts ticket events to a department's own system: `POST <department webhook>` with the JSON body and
///
/// ```
/// Content-Type: application/json
/// CityLine-Event-Id: 42                 (the outbox id: the same on every retry, so receivers can drop repeats)
/// CityLine-Signature: t=1795464000,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
/// ```
///
/// The receiver recomputes the HMAC with the shared secret (`CITYLINE_WEBHOOK_SECRET`) and rejects old
/// timestamps. 2xx is delivered; 408, 429 and 5xx (and network errors) are retried by the outbox with backoff;
/// other 4xx are dead-lettered. Messages for departments without a URL (`department:<code>`) go to `fallback`
/// (the outbox file), so nothing is dropped silently.
public struct WebhookTransport: Transport {
    let secret: Data
    let client: HTTPClient
    let fallback: any Transport
    let now: @Sendable () -> Date

    public init(secret: Data, client: HTTPClient, fallback: any Transport, now: @escaping @Sendable () -> Date = { Date() }) {
        self.secret = secret
        self.client = client
        self.fallback = fallback
        self.now = now
    }

    public var description: String { "signed webhooks (HMAC-SHA256) to department systems; others: \(fallback.description)" }

    /// The `CityLine-Signature` value for `body` at `timestamp`.
    public static func signature(secret: Data, timestamp: Int, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: secret))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    public func send(_ entry: OutboxEntry) async throws -> String? {
        let url = entry.message.to.address
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else { return try await fallback.send(entry) }
        let timestamp = Int(now().timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "CityLine")
        request.headers.add(name: "CityLine-Event-Id", value: "\(entry.id)")
        request.headers.add(name: "CityLine-Signature", value: Self.signature(secret: secret, timestamp: timestamp, body: entry.message.body))
        request.body = .bytes(ByteBuffer(string: entry.message.body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(15))
        } catch {
            throw TransportError(.retry, "webhook: \(error)")
        }
        switch response.status.code {
        case 200..<300: return "webhook-\(entry.id)"
        case 408, 429, 500...599:
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(TimeInterval.init)
            throw TransportError(.retry, "webhook: HTTP \(response.status.code)", retryAfter: retryAfter)
        default:
            throw TransportError(.permanent, "webhook: HTTP \(response.status.code)")
        }
    }
}
