import Foundation

/// A sender's token bucket as stored: how many segments it holds, as of when.
public struct TokenBucket: Hashable, Sendable {
    public var tokens: Double
    public var updatedAt: Date

    public init(tokens: Double, updatedAt: Date) {
        self.tokens = tokens
        self.updatedAt = updatedAt
    }

    /// Takes `segments` at `now` from a bucket refilled at `rate` per second up to `burst` (a missing bucket is
    /// full): the new bucket and 0 when they are there — a message longer than the burst goes once the bucket is
    /// full, leaving it negative — else the bucket unchanged but refilled, and how long until they will be. The one
    /// rule every store applies, so all processes sending from one number share its rate.
    public static func take(_ segments: Double, from bucket: TokenBucket?, rate: Double, burst: Double, now: Date)
        -> (bucket: TokenBucket, wait: TimeInterval) {
        let elapsed = bucket.map { max(0, now.timeIntervalSince($0.updatedAt)) } ?? 0
        let available = bucket.map { min(burst, $0.tokens + elapsed * rate) } ?? burst
        let needed = min(segments, burst)
        if available + 1e-9 >= needed { return (TokenBucket(tokens: available - segments, updatedAt: now), 0) }
        return (TokenBucket(tokens: available, updatedAt: now), (needed - available) / rate)
    }
}

/// Carrier pacing shared by every process that sends from one number: the sender's token bucket kept in the store
/// (a process's own pacer alone would let two processes each send at the full rate).
public protocol PacingStore: Sendable {
    /// Applies `TokenBucket.take` to `sender`'s stored bucket in one transaction; returns the wait (0: taken).
    func takeTokens(sender: String, segments: Double, rate: Double, burst: Double, now: Date) async throws -> TimeInterval
}
