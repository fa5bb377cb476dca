import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Storage
import Switchboard

/// The operators' console at `/console`: sign in with a staff token, a live queue of residents who asked for a
/// person (server-sent events), the conversation so far, canned responses in the resident's language, reply,
/// hand to another department, close. Served by the binary itself: one page, one script, one style sheet, no CDN
/// and no build step. The page reads and changes everything through `/api/v1/conversations` with its cookie.
struct Console: Sendable {
    let sessions: ConsoleSessions
    let desk: OperatorDesk
    let tokens: any TokenStore
    let city: City
    let clock: @Sendable () -> Date
    let guarded: @Sendable (Request, (StaffToken) async throws -> Response) async throws -> Response
    /// Whether area notices are served (admins then get their form on the page).
    var notices = false
    /// Sign-in attempts per network address (nil: not limited).
    var limits: AddressLimits?

    /// How long one event stream lasts before the browser reconnects (so a shutdown never waits on it for long).
    static let streamLifetime: Duration = .seconds(25)
    /// Where sign-in may send a browser afterwards (never a URL from the form as such: no open redirect).
    static let signInDestinations: Set<String> = ["/console", "/dashboard"]
    static let pollInterval: Duration = .seconds(1)

    func register(on router: Router<WebContext>) {
        router.get("/console") { request, _ in try await page(request) }
        router.post("/console/sign-in") { request, context in
            // A token cannot be guessed at speed: past the limit the form says when to try again, and nothing is read.
            if let limits, case let wait = await limits.take(.signIn, from: limits.client(request, peer: context.remoteAddress), now: clock()), wait > 0 {
                let seconds = max(1, Int(wait.rounded(.up)))
                var response = Self.html(.tooManyRequests, ConsoleAssets.signIn(
                    city: city, error: "Too many sign-in attempts from this network. Try again in \(seconds) seconds."))
                response.headers[.retryAfter] = "\(seconds)"
                return response
            }
            return try await signIn(request)
        }
        router.post("/console/sign-out") { request, _ in try await signOut(request) }
        router.get("/console/events") { request, _ in try await guarded(request) { token in events(token) } }
        router.get("/console/console.js") { _, _ in Self.asset(ConsoleAssets.script, type: "text/javascript; charset=utf-8") }
        router.get("/console/notices.js") { _, _ in Self.asset(ConsoleNotices.script, type: "text/javascript; charset=utf-8") }
        router.get("/console/console.css") { _, _ in Self.asset(ConsoleAssets.style, type: "text/css; charset=utf-8") }
    }

    // MARK: - Pages

    private func signedIn(_ request: Request) async throws -> (StaffToken, String)? {
        guard let cookie = ConsoleSessions.cookie(in: request),
              let token = try await sessions.token(for: cookie, in: tokens, now: clock()) else { return nil }
        return (token, cookie)
    }

    private func page(_ request: Request) async throws -> Response {
        guard let (token, cookie) = try await signedIn(request) else { return Self.html(.ok, ConsoleAssets.signIn(city: city, error: nil)) }
        return Self.html(.ok, ConsoleAssets.app(city: city, who: ConversationsAPI.actor(token), department: token.department,
                                                csrf: sessions.csrf(for: cookie),
                                                notices: token.role == .admin && notices ? ConsoleNotices.section(city: city) : ""))
    }

    private func signIn(_ request: Request) async throws -> Response {
        guard Self.sameOrigin(request) else { return Self.html(.forbidden, ConsoleAssets.signIn(city: city, error: "This sign-in came from another site.")) }
        guard let bytes = try await request.body(upTo: 16 * 1024), let body = String(bytes: bytes, encoding: .utf8) else {
            return Self.html(.badRequest, ConsoleAssets.signIn(city: city, error: "The form could not be read."))
        }
        let secret = Self.formField("token", in: body)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let hash = StaffTokenHash.hash(secret)
        let next = Self.formField("next", in: body).flatMap { Self.signInDestinations.contains($0) ? $0 : nil }
        guard !secret.isEmpty, let token = try await tokens.token(hash: hash), token.role != .open311 else {
            return Self.html(.unauthorized, ConsoleAssets.signIn(city: city, error: "That token is not valid. Check it and try again.", next: next))
        }
        var response = Response(status: .seeOther, headers: [.location: next ?? "/console", .cacheControl: "no-store"])
        response.headers[.setCookie] = sessions.setCookie(sessions.value(tokenHash: hash, now: clock()))
        return response
    }

    private func signOut(_ request: Request) async throws -> Response {
        let body = try await request.body(upTo: 16 * 1024).flatMap { String(bytes: $0, encoding: .utf8) } ?? ""
        guard let cookie = ConsoleSessions.cookie(in: request),
              sessions.isValidCSRF(request.headers[ConsoleSessions.csrfHeader] ?? Self.formField("csrf", in: body), for: cookie) else {
            return JSONResponse.error(.forbidden, "csrf", "missing or wrong CSRF token")
        }
        var response = Response(status: .seeOther, headers: [.location: "/console", .cacheControl: "no-store"])
        response.headers[.setCookie] = sessions.setCookie(nil)
        return response
    }

    // MARK: - Live queue

    /// Server-sent events: `queue` with the open conversations this token may see whenever they change.
    private func events(_ token: StaffToken) -> Response {
        let desk = self.desk
        let body = ResponseBody { writer in
            var last = ""
            var quiet = Duration.zero
            let end = ContinuousClock.now + Self.streamLifetime
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            while ContinuousClock.now < end, !Task.isCancelled {
                let open = try await desk.queue(for: token, states: [.waiting, .active])
                let json = Self.json(["conversations": open.map { ConversationsAPI.json($0, tickets: nil) }])
                if json != last {
                    try await writer.write(ByteBuffer(string: "event: queue\ndata: \(json)\n\n"))
                    last = json
                    quiet = .zero
                } else if quiet >= .seconds(10) {
                    try await writer.write(ByteBuffer(string: ": still here\n\n"))
                    quiet = .zero
                }
                try await Task.sleep(for: Self.pollInterval)
                quiet += Self.pollInterval
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }

    // MARK: - Helpers

    static func json(_ object: Any) -> String { String(decoding: JSONResponse.data(object), as: UTF8.self) }

    /// A form POST that names another site as its origin is refused (the cookie is SameSite=Strict as well).
    static func sameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin], origin != "null" else { return true }
        guard let authority = request.head.authority, let url = URL(string: origin), let host = url.host else { return false }
        return authority == host + (url.port.map { ":\($0)" } ?? "") || authority == host
    }

    static func formField(_ name: String, in body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    /// The pages' Content-Security-Policy: everything from this server only, framed by nobody — unless a page says
    /// who may frame it (the web chat, on the city's sites) and where its images may come from.
    static func contentSecurityPolicy(frameAncestors: String = "'none'", images: String = "'self'") -> String {
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src \(images); "
            + "form-action 'self'; frame-ancestors \(frameAncestors); base-uri 'none'"
    }

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: contentSecurityPolicy(),
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        .cacheControl: "no-store",
    ]

    static func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
