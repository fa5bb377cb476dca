import Foundation
import Storage

/// What the Twilio transport waits on before a message goes: tokens for its SMS segments.
public protocol SegmentPacer: Sendable {
    /// Segments per second.
    var rate: Double { get }
    /// Waits until `segments` tokens are available and takes them; throws `CancellationError` if cancelled first.
    func acquire(_ segments: Int) async throws
}

extension SenderPacer: SegmentPacer {}

/// A sender's pacing shared through the store, so every process sending from one number keeps to its rate
/// together (each with a pacer of its own would send at the full rate).
///
/// In front, the process's own `SenderPacer` keeps its callers first come, first served and spaced at the rate;
/// then each message takes its tokens from the sender's bucket in the store (`PacingStore`), waiting as long as
/// the store says when another process took them first.
public struct SharedSenderPacer: SegmentPacer {
    public let local: SenderPacer
    let store: any PacingStore
    let sender: String
    let now: @Sendable () -> Date
    let sleep: @Sendable (Duration) async throws -> Void

    /// - Parameters:
    ///   - sender: the number or messaging service the bucket belongs to (`TWILIO_FROM`).
    ///   - now, sleep: the clock, for tests.
    public init(local: SenderPacer, store: any PacingStore, sender: String, now: @escaping @Sendable () -> Date = { Date() },
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.local = local
        self.store = store
        self.sender = sender
        self.now = now
        self.sleep = sleep
    }

    public var rate: Double { local.rate }

    public func acquire(_ segments: Int) async throws {
        guard segments > 0 else { return }
        try await local.acquire(segments)
        while true {
            try Task.checkCancellation()
            let wait = try await store.takeTokens(sender: sender, segments: Double(segments), rate: local.rate, burst: local.burst, now: now())
            if wait <= 0 { return }
            try await sleep(.nanoseconds(Int64((wait * 1e9).rounded(.up))))
        }
    }
}
