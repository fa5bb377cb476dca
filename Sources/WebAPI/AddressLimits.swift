import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's, plus the peer's address (for limits per network address).
public struct WebContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Limits per network address on what anyone on the internet may call without a credential: the public pages, the
/// Open311 API, unsubscribe links and photo uploads (`public`), and console sign-ins (`signIn`, so a token cannot be
/// guessed at speed). Each is a burst of a minute's worth, then that pace. Not limited: the carriers' and chat apps'
/// webhooks (signed, and many residents arrive through one carrier address), staff with a token (`/api/v1`, the
/// console once signed in, the dashboard), `/health` and `/metrics`. Counted per process.
public actor AddressLimits {
    public enum Kind: String, Sendable {
        case signIn = "sign_in", `public`
    }

    public let publicPerMinute: Double
    public let signInsPerMinute: Double
    public let trustedProxies: Set<String>
    private var buckets: [Kind: [String: TokenBucket]] = [:]

    public init(publicPerMinute: Double = 300, signInsPerMinute: Double = 10, trustedProxies: Set<String> = []) {
        self.publicPerMinute = publicPerMinute
        self.signInsPerMinute = signInsPerMinute
        self.trustedProxies = trustedProxies
    }

    /// Whether a request falls under the `public` limit (sign-ins are counted by the console itself, which answers
    /// with its own page).
    public nonisolated static func isPublic(path: String) -> Bool {
        for exempt in ["/webhooks/", "/api/", "/console", "/dashboard", "/health", "/metrics"] where path.hasPrefix(exempt) { return false }
        return true
    }

    /// The address a request counts against: the peer's, or the client's a trusted proxy names.
    public nonisolated func client(_ request: Request, peer: SocketAddress?) -> String {
        ChatGate.clientAddress(peer: peer?.ipAddress, forwardedFor: request.headers[ChatGate.forwardedFor], trustedProxies: trustedProxies)
    }

    /// Takes one request of `kind` for `address` at `now`: 0 when it may go on, else the seconds until it may.
    public func take(_ kind: Kind, from address: String, now: Date) -> TimeInterval {
        let perMinute = kind == .signIn ? signInsPerMinute : publicPerMinute
        var table = buckets[kind, default: [:]]
        let (bucket, wait) = TokenBucket.take(1, from: table[address], rate: perMinute / 60, burst: perMinute, now: now)
        table[address] = bucket
        // Forget addresses whose bucket has refilled (a minute of quiet), so the table stays small.
        if table.count > 100_000 { table = table.filter { now.timeIntervalSince($0.value.updatedAt) < 60 } }
        buckets[kind] = table
        return wait
    }
}

/// Answers `429 Too Many Requests` with `Retry-After` to an address past its `public` limit (see `AddressLimits`);
/// nothing else happens for that request.
struct AddressLimitMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let limits: AddressLimits
    let clock: @Sendable () -> Date

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard AddressLimits.isPublic(path: request.uri.path) else { return try await next(request, context) }
        let wait = await limits.take(.public, from: limits.client(request, peer: context.remoteAddress), now: clock())
        guard wait > 0 else { return try await next(request, context) }
        let seconds = max(1, Int(wait.rounded(.up)))
        var response = JSONResponse.error(.tooManyRequests, "too_many_requests",
                                          "Too many requests from this network address; try again in \(seconds) seconds.")
        response.headers[.retryAfter] = "\(seconds)"
        return response
    }
}
