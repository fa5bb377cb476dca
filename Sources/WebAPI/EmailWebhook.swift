import ChannelEmail
import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Storage
import Switchboard

/// `POST /webhooks/email/inbound`: one raw RFC 5322 message as the body (`message/rfc822`), as an MTA pipe or a
/// mail provider's inbound webhook delivers it.
///
/// The sender's turn is committed before the response, and the replies go out through the outbox as email, in the
/// ticket's thread. A redelivered message (the same Message-ID, or the same bytes when it has none) changes
/// nothing. Auto-replies, bounces and list mail are accepted and ignored (200, `"ignored"`), so two robots never
/// answer each other. A body that is not a readable message is 400, one over 10 MiB is 413, a missing or wrong
/// token (when `CITYLINE_EMAIL_INBOUND_TOKEN` is set) is 401: none of them changes anything.
///
/// ```json
/// {"status": "accepted"}
/// ```
struct EmailWebhook: Sendable {
    let dependencies: WebAPIDependencies
    let intake: EmailIntake

    init(_ dependencies: WebAPIDependencies) {
        self.dependencies = dependencies
        intake = EmailIntake(receive: { message in
            try await dependencies.switchboard.receive(message, delivery: .outbox).redelivered
        }, clock: dependencies.clock)
    }

    func register(on router: Router<WebContext>) {
        router.post("/webhooks/email/inbound") { request, _ in try await self.inbound(request) }
    }

    private func inbound(_ request: Request) async throws -> Response {
        let path = request.uri.path
        if let token = dependencies.emailInboundToken {
            guard BearerToken.matches(request, token) else {
                return WebhookRejection(.unauthorized, "send Authorization: Bearer <CITYLINE_EMAIL_INBOUND_TOKEN>").response(dependencies.logger, path: path)
            }
        }
        guard let bytes = try await request.body(upTo: InboundEmail.maxBytes) else {
            return WebhookRejection(.contentTooLarge, "the message is larger than \(InboundEmail.maxBytes / 1024 / 1024) MiB")
                .response(dependencies.logger, path: path)
        }
        switch try await intake.take(bytes) {
        case .accepted: return JSONResponse.make(["status": "accepted"])
        case .redelivered: return JSONResponse.make(["status": "redelivered"])
        case .ignored(let reason):
            dependencies.logger.info("automatic email ignored", metadata: ["path": "\(path)"])
            return JSONResponse.make(["status": "ignored", "reason": reason])
        case .rejected(let reason):
            return WebhookRejection(.badRequest, reason).response(dependencies.logger, path: path)
        }
    }
}
