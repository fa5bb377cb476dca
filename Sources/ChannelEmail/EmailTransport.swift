import CityModel
import Foundation
import Logging
import NIOCore
import Storage
import Transport

/// Delivers email outbox entries over SMTP: composes the `MIMEMessage` (threaded per ticket, with one-click
/// unsubscribe) and sends it with `SMTPClient`, one connection per message.
///
/// `send` returns the message's `Message-ID` (angle brackets included) as the provider id; a retry of the same entry
/// sends the same Message-ID, so a receiver that got the first attempt can drop the second. Errors are
/// `TransportError`s as `SMTPClient` documents; an entry for another channel or an invalid address is `.permanent`.
/// Nothing about the recipient, subject or body is ever logged.
///
/// The transport runs on the `EventLoopGroup` it is given and owns nothing that needs shutting down.
public struct EmailTransport: Transport {
    public let configuration: SMTPConfiguration
    let client: SMTPClient
    let logger: Logger
    let unsubscribeLink: @Sendable (String) -> String?
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - unsubscribeLink: the recipient's one-click unsubscribe URL for an email address, or nil (then no
    ///     `List-Unsubscribe` header). The composition root supplies it.
    ///   - now: the clock for the `Date` header.
    /// - Throws: `SMTPConfigurationError` when `SMTP_CA_FILE` cannot be read.
    public init(configuration: SMTPConfiguration, group: any EventLoopGroup, logger: Logger,
                unsubscribeLink: @escaping @Sendable (String) -> String?,
                now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.configuration = configuration
        self.client = try SMTPClient(configuration: configuration, group: group)
        self.logger = logger
        self.unsubscribeLink = unsubscribeLink
        self.now = now
    }

    /// `smtp (smtp.example.org:587, STARTTLS)` — never the credentials.
    public var description: String { "smtp (\(configuration.endpoint))" }

    public func send(_ entry: OutboxEntry) async throws -> String? {
        guard entry.message.to.channel == .email else {
            throw TransportError(.permanent, "the email transport cannot send to a \(entry.message.to.channel.rawValue) address")
        }
        let message = try MIMEMessage(entry: entry, from: configuration.from, date: now(),
                                      unsubscribeURL: unsubscribeLink(entry.message.to.address))
        var logger = self.logger
        logger[metadataKey: "outbox.id"] = "\(entry.id)"
        if let ticket = entry.message.ticket { logger[metadataKey: "ticket.id"] = "\(ticket.digits)" }
        try await client.send(message, logger: logger)
        logger.debug("email accepted by the SMTP server", metadata: ["email.message_id": "\(message.messageID)"])
        return message.messageID
    }
}
