import AsyncHTTPClient
import ChannelEmail
import ChannelSMS
import ChannelWebhook
import Foundation
import Logging
import NIOPosix
import Storage
import Transport
import WebAPI

/// Outbound transports from the configuration: Twilio when its account, token and sender are set, SMTP when
/// `SMTP_URL` is, signed department webhooks when `CITYLINE_WEBHOOK_SECRET` is; the outbox file
/// (`<data-dir>/outbox.jsonl`) for every channel without one.
enum Outbound {
    /// - Parameter pacing: where the senders' token buckets are shared between processes (the store); nil keeps
    ///   pacing in this process.
    static func transports(_ configuration: AppConfiguration, unsubscribe: UnsubscribeLinks? = nil, pacing: (any PacingStore)? = nil,
                           logger: Logger = Logger(label: "cityline")) throws -> TransportRegistry {
        let dataDirectory = configuration.storage.dataDirectory
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let file = try OutboxFileTransport(path: (dataDirectory as NSString).appendingPathComponent("outbox.jsonl"))
        var registry = TransportRegistry(fallback: file)
        let twilio = configuration.twilio
        if let sid = twilio.accountSID, let token = twilio.authToken, let from = twilio.from {
            registry.transports[.sms] = TwilioTransport(
                credentials: .init(accountSID: sid, authToken: token, from: from, apiBase: twilio.apiBase,
                                   statusCallback: configuration.publicURL.map { $0 + "/webhooks/twilio/status" }),
                client: HTTPClient.shared, pacer: pacing.map { SharedSenderPacer(local: SenderPacer(rate: twilio.segmentsPerSecond), store: $0, sender: from) }
                    ?? SenderPacer(rate: twilio.segmentsPerSecond)
            )
        }
        if let secret = configuration.webhookSecret {
            registry.transports[.webhook] = WebhookTransport(secret: Data(secret.utf8), client: HTTPClient.shared, fallback: file)
        }
        if let smtp = configuration.email {
            do {
                registry.transports[.email] = try EmailTransport(
                    configuration: smtp, group: MultiThreadedEventLoopGroup.singleton, logger: logger,
                    unsubscribeLink: { address in unsubscribe?.link(for: address) }
                )
            } catch {
                throw AppError("email: \(error)")
            }
        }
        return registry
    }
}
