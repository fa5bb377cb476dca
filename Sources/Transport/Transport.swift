import CityModel
import Foundation
import Storage

/// Delivers one outbox message on one channel (Twilio SMS, SMTP email, a webhook, the outbox file).
public protocol Transport: Sendable {
    /// Shown at start-up: "twilio (+1217…)", "outbox file ./.cityline/outbox.jsonl".
    var description: String { get }
    /// Sends `entry`; returns the provider's id for the message, if it has one. Throws `TransportError`.
    func send(_ entry: OutboxEntry) async throws -> String?
}

/// Why a send failed, and what the dispatcher should do about it.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Try again later (network trouble, 429, 5xx).
        case retry
        /// Will never work (a malformed number, a 4xx): dead-letter it.
        case permanent
        /// The recipient has opted out with the carrier (Twilio 21610): dead-letter and remember the opt-out.
        case optedOut
    }

    public var kind: Kind
    public var message: String
    public var retryAfter: TimeInterval?

    public init(_ kind: Kind, _ message: String, retryAfter: TimeInterval? = nil) {
        self.kind = kind
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { message }
}

/// Which transport serves each channel; channels without a live transport fall back to the outbox file.
public struct TransportRegistry: Sendable {
    public var transports: [Channel: any Transport]
    public var fallback: any Transport

    public init(transports: [Channel: any Transport] = [:], fallback: any Transport) {
        self.transports = transports
        self.fallback = fallback
    }

    public func transport(for channel: Channel) -> any Transport { transports[channel] ?? fallback }

    /// One line per channel for start-up output.
    public var summary: [String] {
        [Channel.sms, .email, .chat, .whatsapp, .telegram, .webhook].map { "\($0.rawValue): \(transport(for: $0).description)" }
    }
}
