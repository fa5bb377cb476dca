import ChannelSMS
import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Storage
import Switchboard
import Transport

/// `POST /webhooks/twilio/sms` and `POST /webhooks/twilio/status`.
///
/// A message is durably stored (the whole turn committed) before the response; the response carries the replies
/// as TwiML. A redelivered `MessageSid` gets the same TwiML and changes nothing. A bad signature (403), a
/// malformed or non-UTF-8 body (400) or an oversized one (413) changes nothing.
struct TwilioWebhooks: Sendable {
    let dependencies: WebAPIDependencies
    static let signatureHeader = HTTPField.Name("X-Twilio-Signature")!

    init(_ dependencies: WebAPIDependencies) { self.dependencies = dependencies }

    func register(on router: Router<WebContext>) {
        router.post("/webhooks/twilio/sms") { request, _ in try await self.inbound(request) }
        router.post("/webhooks/twilio/status") { request, _ in try await self.status(request) }
    }

    /// Reads, size-checks, decodes and authenticates a webhook; an error response when any of that fails.
    private func authenticatedForm(_ request: Request) async throws -> Result<FormBody, WebhookRejection> {
        guard let bytes = try await request.body(upTo: dependencies.maxWebhookBytes) else {
            return .failure(WebhookRejection(.contentTooLarge, "body larger than \(dependencies.maxWebhookBytes) bytes"))
        }
        let form: FormBody
        do {
            form = try FormBody(bytes)
        } catch {
            return .failure(WebhookRejection(.badRequest, "\(error)"))
        }
        if let token = dependencies.twilioAuthToken {
            guard let base = dependencies.publicURL else { return .failure(WebhookRejection(.forbidden, "no public URL configured")) }
            var url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + request.uri.path
            if let query = request.uri.query, !query.isEmpty { url += "?" + query }
            guard let signature = request.headers[Self.signatureHeader],
                  TwilioSignature(authToken: token).isValid(signature, url: url, parameters: form.parameters) else {
                return .failure(WebhookRejection(.forbidden, "invalid X-Twilio-Signature"))
            }
        }
        return .success(form)
    }

    private func inbound(_ request: Request) async throws -> Response {
        let form: FormBody
        switch try await authenticatedForm(request) {
        case .success(let value): form = value
        case .failure(let rejection): return rejection.response(dependencies.logger, path: request.uri.path)
        }
        let inbound: TwilioInbound
        do {
            inbound = try TwilioInbound(form)
        } catch {
            return WebhookRejection(.badRequest, "\(error)").response(dependencies.logger, path: request.uri.path)
        }
        let outcome = try await dependencies.switchboard.receive(inbound.message(receivedAt: dependencies.clock()), delivery: .inline)
        return JSONResponse.text(.ok, TwiML.response(outcome.replies.map(\.body)), contentType: "text/xml; charset=utf-8")
    }

    private func status(_ request: Request) async throws -> Response {
        let form: FormBody
        switch try await authenticatedForm(request) {
        case .success(let value): form = value
        case .failure(let rejection): return rejection.response(dependencies.logger, path: request.uri.path)
        }
        guard let sid = form["MessageSid"] ?? form["SmsSid"], let status = form["MessageStatus"] ?? form["SmsStatus"] else {
            return WebhookRejection(.badRequest, "MessageSid and MessageStatus are required").response(dependencies.logger, path: request.uri.path)
        }
        let known = try await dependencies.outbox.recordDelivery(providerID: sid, status: status, errorCode: form["ErrorCode"],
                                                                 at: dependencies.clock())
        if !known {
            // A receipt for a message not marked sent yet (the dispatcher records the id after the send returns), or never
            // sent through the outbox (a TwiML reply): kept an hour for `markSent`, then dropped.
            dependencies.logger.debug("delivery receipt for a message not (yet) marked sent: kept an hour",
                                      metadata: ["status": "\(status)"])
        }
        return JSONResponse.text(.ok, "", contentType: "text/plain")
    }
}

struct WebhookRejection: Error {
    var status: HTTPResponse.Status
    var reason: String
    init(_ status: HTTPResponse.Status, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    func response(_ logger: Logger, path: String) -> Response {
        logger.warning("webhook rejected", metadata: ["path": "\(path)", "status": "\(status.code)", "reason": "\(reason)"])
        return JSONResponse.text(status, reason + "\n")
    }
}
