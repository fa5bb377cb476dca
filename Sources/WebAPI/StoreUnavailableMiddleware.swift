import Hummingbird
import Logging
import Storage

/// Answers `503 Service Unavailable` with `Retry-After` when the database cannot be reached (`StoreUnavailable`):
/// nothing was stored, so the sender should try again — Twilio moves to the number's fallback URL, mail servers
/// and Open311 clients retry. Every other error goes on to Hummingbird's own handling.
struct StoreUnavailableMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any StoreUnavailable {
            // The path only: query strings and bodies may carry residents' data.
            logger.error("database unavailable: answered 503", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            var headers = HTTPFields()
            headers[.retryAfter] = "5"
            headers[.contentType] = "application/json"
            let body = #"{"error":{"code":"unavailable","message":"the database is unavailable; nothing was stored, try again shortly"}}"#
            return Response(status: .serviceUnavailable, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
