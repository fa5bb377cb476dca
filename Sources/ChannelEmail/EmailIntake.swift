import CityModel
import Crypto
import Foundation
import Messaging
import Storage

/// From raw email to a resident's turn, for every way mail arrives (the inbound webhook, the SMTP listener).
///
/// Robots (auto-replies, bounces, lists) are ignored; an unreadable message is rejected with the reason; anything
/// else becomes an `InboundMessage` from the sender's address, keyed by its Message-ID (or a hash of its bytes), so
/// a redelivery changes nothing. Nothing about the sender or the text is logged.
public struct EmailIntake: Sendable {
    public enum Outcome: Hashable, Sendable {
        case accepted
        case redelivered
        case ignored(String)
        case rejected(String)
    }

    let receive: @Sendable (InboundMessage) async throws -> Bool
    let clock: @Sendable () -> Date

    /// - Parameter receive: runs the turn and commits it; returns true when the message had been handled before.
    public init(receive: @escaping @Sendable (InboundMessage) async throws -> Bool, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.receive = receive
        self.clock = clock
    }

    /// Throws only when the turn could not be stored (the sender should try again later).
    public func take(_ bytes: [UInt8]) async throws -> Outcome {
        let email: InboundEmail
        do {
            email = try InboundEmail.parse(bytes)
        } catch {
            return .rejected(error.description)
        }
        if email.isAutomatic { return .ignored("automatic mail (auto-reply, bounce or list) is never answered") }
        let id = email.messageID ?? "sha256:" + SHA256.hash(data: Data(bytes)).map { String(format: "%02x", $0) }.joined()
        let message = InboundMessage(from: ChannelAddress(channel: .email, address: email.from), text: email.text,
                                     externalID: id, receivedAt: clock(), thread: email.thread)
        return try await receive(message) ? .redelivered : .accepted
    }
}
