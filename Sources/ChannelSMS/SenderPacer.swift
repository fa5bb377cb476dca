import Foundation

/// Paces outbound SMS for one sender, in SMS segments per second: a token bucket that holds up to `burst`
/// segments and refills at `rate` segments per second.
///
/// Carriers and Twilio queue or reject a sender's traffic above its rate (a US long code about 1 segment/s,
/// toll-free about 3, a short code about 100), so every message waits here for as many tokens as it has segments.
/// Share one pacer per sender (one `TWILIO_FROM`): the outbox dispatcher sends up to a batch of messages in
/// parallel, and they all go through the same bucket. This pacer is the process's own; `SharedSenderPacer` puts it
/// in front of the sender's bucket in the store, so several processes sending from one number share its rate.
///
/// - Waiters are served first come, first served: a caller that arrives while others wait queues behind them,
///   even if there would be enough tokens for it, so a long message is never starved by short ones.
/// - A message longer than `burst` goes once the bucket is full; the bucket then goes negative and later callers
///   wait for it to refill.
/// - A waiter whose task is cancelled leaves the queue, throws `CancellationError` and takes no tokens.
public actor SenderPacer {
    /// Segments per second.
    public nonisolated let rate: Double
    /// How many segments may go back to back after a quiet spell.
    public nonisolated let burst: Double

    private struct Waiter {
        var id: UInt64
        var segments: Double
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// Time since the pacer was made, on its clock.
    private let elapsed: @Sendable () -> Duration
    private let sleep: @Sendable (Duration) async throws -> Void

    private var tokens: Double
    private var refilledAt: Duration
    private var waiters: [Waiter] = []
    private var nextID: UInt64 = 0
    /// Hands tokens to the waiters in order, sleeping until the first one's are there; runs while any wait.
    private var pump: Task<Void, Never>?

    /// - Parameters:
    ///   - rate: segments per second (positive).
    ///   - burst: the bucket's capacity in segments; `max(1, rate)` when nil. The bucket starts full.
    ///   - clock: what to read and sleep on; tests may pass a faster or manual clock.
    public init(rate: Double, burst: Double? = nil, clock: any Clock<Duration> = ContinuousClock()) {
        precondition(rate > 0 && rate.isFinite, "SenderPacer: the rate must be a positive number of segments per second")
        let burst = burst ?? max(1, rate)
        precondition(burst > 0 && burst.isFinite, "SenderPacer: the burst must be a positive number of segments")
        self.rate = rate
        self.burst = burst
        (elapsed, sleep) = Self.bind(clock)
        tokens = burst
        refilledAt = .zero
    }

    private static func bind<C: Clock<Duration>>(_ clock: C) -> (@Sendable () -> Duration, @Sendable (Duration) async throws -> Void) {
        let start = clock.now
        return ({ start.duration(to: clock.now) }, { try await Task.sleep(for: $0, clock: clock) })
    }

    /// Waits until `segments` tokens are available and takes them; returns at once for zero or fewer.
    /// Throws `CancellationError`, taking nothing, if the calling task is cancelled before its turn comes.
    public func acquire(_ segments: Int) async throws {
        guard segments > 0 else { return }
        try Task.checkCancellation()
        let needed = Double(segments)
        refill()
        if waiters.isEmpty, tokens >= min(needed, burst) {
            tokens -= needed
            return
        }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                waiters.append(Waiter(id: id, segments: needed, continuation: continuation))
                startPump()
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    /// Tokens in the bucket now (negative after a message longer than the burst). For tests and diagnostics.
    public var available: Double {
        refill()
        return tokens
    }

    /// How many callers are waiting. For tests and diagnostics.
    public var waiting: Int { waiters.count }

    private func refill() {
        let now = elapsed()
        let (whole, fraction) = (now - refilledAt).components
        let seconds = Double(whole) + Double(fraction) * 1e-18
        if seconds > 0 { tokens = min(burst, tokens + seconds * rate) }
        refilledAt = now
    }

    private func cancel(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return } // already served
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: CancellationError())
        if index == 0 {
            // The pump may be sleeping for the cancelled waiter's tokens; start over for the next one.
            pump?.cancel()
            pump = nil
            startPump()
        }
    }

    private func startPump() {
        guard pump == nil, !waiters.isEmpty else { return }
        pump = Task { await self.serve() }
    }

    private func serve() async {
        while !Task.isCancelled, let first = waiters.first {
            refill()
            let needed = min(first.segments, burst)
            if tokens + 1e-9 >= needed {
                waiters.removeFirst()
                tokens -= first.segments
                first.continuation.resume()
                continue
            }
            do {
                try await sleep(.seconds((needed - tokens) / rate))
            } catch {
                return // cancelled: a newer pump has taken over
            }
        }
        if !Task.isCancelled { pump = nil }
    }
}
