import Foundation

/// A token bucket as stored: how many tokens it holds, as of when (a sender's SMS segments, a resident's messages).
public struct TokenBucket: Hashable, Sendable, Codable {
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
