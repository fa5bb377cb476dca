import Crypto
import Foundation
import Hummingbird
import Logging

/// `GET /metrics`: the Prometheus text exposition of the application's metrics (`cityline_…`, listed in
/// `CityLineMetrics`; no resident data in any label).
///
/// Served like `GET /health`, on the address the server listens on (`--host`, loopback by default), with no token
/// so a Prometheus scraper needs no credentials. When `token` is set (`CITYLINE_METRICS_TOKEN`, for a server whose
/// address others can reach) it needs `Authorization: Bearer <token>` (Prometheus' `authorization` scrape
/// setting); 401 otherwise.
public struct MetricsEndpoint: Sendable {
    /// The exposition, made when scraped (the queue-depth gauges are read from the store then).
    public var scrape: @Sendable () async throws -> [UInt8]
    /// The Bearer token a scrape must bring; nil: none.
    public var token: String?

    /// The text format's content type (Prometheus exposition format 0.0.4).
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public init(token: String? = nil, scrape: @escaping @Sendable () async throws -> [UInt8]) {
        self.scrape = scrape
        self.token = token
    }

    func register(on router: Router<WebContext>, logger: Logger) {
        router.get("/metrics") { request, _ in
            if let token, !BearerToken.matches(request, token) {
                return JSONResponse.text(.unauthorized, "send Authorization: Bearer <CITYLINE_METRICS_TOKEN>\n")
            }
            do {
                return Response(status: .ok, headers: [.contentType: Self.contentType],
                                body: ResponseBody(byteBuffer: ByteBuffer(bytes: try await scrape())))
            } catch {
                logger.error("metrics scrape failed", metadata: ["error.type": "\(type(of: error))", "error": "\(error)"])
                return JSONResponse.text(.serviceUnavailable, "metrics are unavailable: the store could not be read\n")
            }
        }
    }
}

/// `Authorization: Bearer <token>` checks, comparing digests so the time taken says nothing about the token.
enum BearerToken {
    static func matches(_ request: Request, _ token: String) -> Bool {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return false }
        let given = String(header.dropFirst("Bearer ".count))
        return Data(SHA256.hash(data: Data(given.utf8))) == Data(SHA256.hash(data: Data(token.utf8)))
    }
}
