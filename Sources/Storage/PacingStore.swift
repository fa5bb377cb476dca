import CityModel
import Foundation

/// Carrier pacing shared by every process that sends from one number: the sender's token bucket kept in the store
/// (a process's own pacer alone would let two processes each send at the full rate).
public protocol PacingStore: Sendable {
    /// Applies `TokenBucket.take` to `sender`'s stored bucket in one transaction; returns the wait (0: taken).
    func takeTokens(sender: String, segments: Double, rate: Double, burst: Double, now: Date) async throws -> TimeInterval
}
