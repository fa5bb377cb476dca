import AsyncHTTPClient
import ChannelSMS
import CityLineTestSupport
import CityModel
import Foundation
import Hummingbird
import Localization
import Storage
import Testing
import Transport

/// Outbound SMS pacing: the sender's token bucket, and the Twilio transport that waits on it.
/// Timings use the real clock with generous bounds: these check correctness, not speed.
@Suite struct PacingTests {
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Waits (briefly) until `pacer` has `count` callers queued, so tests can line them up in a known order.
    static func waitUntil(_ pacer: SenderPacer, has count: Int) async throws {
        // Up to 10 s: under a loaded test run, new tasks can take a while to start.
        for _ in 0..<5_000 where await pacer.waiting != count { try await Task.sleep(for: .milliseconds(2)) }
        #expect(await pacer.waiting == count)
    }

    @Test func admitsABurstThenSpacesTheRestAtTheRate() async throws {
        let pacer = SenderPacer(rate: 20)
        #expect(pacer.burst == 20)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<20 { try await pacer.acquire(1) }
        #expect(await pacer.waiting == 0 && pacer.burst == 20) // the bucket starts full: nobody had to queue
        for _ in 0..<10 { try await pacer.acquire(1) }
        // Only the lower bound is a property of the pacer; how much longer a loaded machine takes is not.
        let total = Self.seconds(start.duration(to: clock.now))
        #expect(total >= 0.4, "30 segments at 20/s with a burst of 20 take at least 0.5 s, took \(total) s")
    }

    @Test func aMessageCostsOneTokenPerSegment() async throws {
        let pacer = SenderPacer(rate: 0.5, burst: 10) // refills too slowly to matter here
        try await pacer.acquire(3)
        #expect(abs(await pacer.available - 7) < 0.1)
        try await pacer.acquire(0)
        #expect(abs(await pacer.available - 7) < 0.1)
        // A long message goes once the bucket is full, and leaves it negative for the next caller.
        let small = SenderPacer(rate: 0.5, burst: 2)
        try await small.acquire(5)
        #expect(abs(await small.available + 3) < 0.1)
    }

    @Test func segmentCountsFollowTheBodyAsSent() {
        #expect(SMSText.cost(of: "Your report 1000002 is being worked on.").segments == 1)
        #expect(SMSText.cost(of: String(repeating: "a", count: 161)).segments == 2)
        #expect(SMSText.cost(of: String(repeating: "á", count: 150)).segments == 3)
    }

    /// Which callers got their tokens, in order.
    final class Served: Sendable {
        let list = Locked<[Int]>([])
        func append(_ index: Int) { list.withLock { $0.append(index) } }
    }

    /// On a clock the test moves one token at a time, so at most one caller can go per step and each is recorded
    /// before the next step: the order seen is the pacer's, not the scheduler's.
    @Test func waitersAreServedInOrderSoALongMessageIsNotStarved() async throws {
        let clock = ManualClock()
        let pacer = SenderPacer(rate: 8, burst: 2, clock: clock)
        try await pacer.acquire(2) // empty
        let order = Served()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // First in line: 3 segments, more than the burst. The short ones behind it could go sooner, but wait their turn.
            group.addTask { try await pacer.acquire(3); order.append(0) }
            try await Self.waitUntil(pacer, has: 1)
            for index in 1...5 {
                group.addTask { try await pacer.acquire(1); order.append(index) }
                try await Self.waitUntil(pacer, has: index + 1)
            }
            for _ in 0..<40 where order.list.withLock({ $0.count }) < 6 {
                clock.advance(by: .milliseconds(125)) // one token
                // Settle: whoever got it has recorded itself, and the pump sleeps again (or has no one left).
                for _ in 0..<5_000 {
                    let served = order.list.withLock { $0.count }
                    let waiting = await pacer.waiting
                    if served + waiting == 6, waiting == 0 || clock.sleeperCount > 0 { break }
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
            try await group.waitForAll()
        }
        #expect(order.list.withLock { $0 } == [0, 1, 2, 3, 4, 5])
    }

    @Test func aCancelledWaiterTakesNoTokens() async throws {
        // On a clock that never moves, the waiter is still queued when it is cancelled, however loaded the machine
        // running the tests is (a real clock served it first on a loaded CI machine).
        let clock = ManualClock()
        let pacer = SenderPacer(rate: 1, burst: 1, clock: clock)
        try await pacer.acquire(1) // empty
        let waiter = Task { try await pacer.acquire(1) }
        try await Self.waitUntil(pacer, has: 1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(await pacer.waiting == 0)
        #expect(await pacer.available == 0) // still empty: the cancelled waiter's token is not owed
        clock.advance(by: .seconds(1))
        #expect(abs(await pacer.available - 1) < 1e-9) // and the refill goes to the next caller, not to it

        // A task cancelled before it asks takes nothing either.
        let full = SenderPacer(rate: 1, burst: 3)
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await full.acquire(2)
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        #expect(await full.available > 2.9)
    }

    /// On a clock the test moves, so the result does not depend on how fast tasks start on a loaded machine.
    @Test func cancellingTheFirstInLineLetsTheNextGoOnItsOwnTime() async throws {
        let clock = ManualClock()
        let pacer = SenderPacer(rate: 4, burst: 4, clock: clock)
        try await pacer.acquire(4) // empty
        let long = Task { try await pacer.acquire(4) } // would need 1 s
        try await Self.waitUntil(pacer, has: 1)
        let short = Task { try await pacer.acquire(1) } // needs 0.25 s once the long one is gone
        try await Self.waitUntil(pacer, has: 2)
        long.cancel()
        await #expect(throws: CancellationError.self) { try await long.value }
        try await Self.waitUntil(pacer, has: 1)
        // The pump sleeps for the short one's token now (0.25 s on the manual clock).
        for _ in 0..<5_000 where clock.sleeperCount == 0 { try await Task.sleep(for: .milliseconds(2)) }
        clock.advance(by: .milliseconds(200))
        let stillWaiting = await pacer.waiting
        #expect(clock.sleeperCount == 1 && stillWaiting == 1, "not yet: 0.2 s gives less than one token")
        clock.advance(by: .milliseconds(60))
        try await short.value // goes at 0.25 s, not after the cancelled message's 1 s
        #expect(await pacer.waiting == 0)
    }

    static func entry(_ id: Int64, _ body: String, to: String) -> OutboxEntry {
        OutboxEntry(id: id, message: OutboundTests.message(body, to: to), createdAt: t0, dueAt: t0, attempts: 1)
    }

    @Test func twilioTransportSendsNoFasterThanTheRate() async throws {
        let fake = OutboundTests.FakeTwilio()
        try await withLoopbackServer(fake.router()) { base in
            let rate = 10.0, burst = 2.0, count = 8
            let pacer = SenderPacer(rate: rate, burst: burst)
            let transport = TwilioTransport(credentials: .init(
                accountSID: "AC123", authToken: "token", from: "+12175550311", apiBase: base,
                statusCallback: "https://311.springfield.example/webhooks/twilio/status"
            ), client: HTTPClient.shared, pacer: pacer)
            #expect((transport.pacer as? SenderPacer) === pacer)

            // Like the dispatcher: all at once, one per recipient. The first two go in the burst, then one per 0.1 s.
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: String?.self) { sends in
                for index in 0..<count {
                    sends.addTask { try await transport.send(Self.entry(Int64(index + 1), "It’s fixed, report \(index).", to: "+1217555010\(index)")) }
                }
                for try await sid in sends { #expect(sid == "SM0001") }
            }
            let took = Self.seconds(start.duration(to: .now))
            #expect(took >= 0.5, "8 segments at 10/s with a burst of 2 take at least 0.6 s, took \(took) s")
            // The k-th arrival comes no sooner than the k-th token: (k + 1 - burst) / rate after the start.
            let offsets = fake.recorded.withLock { $0.map { Self.seconds(start.duration(to: $0.at)) } }.sorted()
            #expect(offsets.count == count)
            for (k, offset) in offsets.enumerated() {
                #expect(offset >= (Double(k + 1) - burst) / rate - 0.01, "message \(k) arrived after \(offset) s")
            }

            // Same wire format as without a pacer, with the body normalized as sent.
            let first = try #require(fake.recorded.withLock { $0.first { $0.form["To"] == "+12175550100" } })
            #expect(first.path == "/2010-04-01/Accounts/AC123/Messages.json")
            #expect(first.authorization == "Basic " + Data("AC123:token".utf8).base64EncodedString())
            #expect(first.form == ["To": "+12175550100", "From": "+12175550311", "Body": "It's fixed, report 0.",
                                   "StatusCallback": "https://311.springfield.example/webhooks/twilio/status"])

            // A 3-segment message takes 3 tokens (from a bucket that refills too slowly to blur the count).
            let slow = SenderPacer(rate: 0.001, burst: 5)
            let counted = TwilioTransport(credentials: .init(accountSID: "AC123", authToken: "token", from: "+12175550311", apiBase: base,
                                                             statusCallback: nil), client: HTTPClient.shared, pacer: slow)
            let before = await slow.available
            _ = try await counted.send(Self.entry(99, String(repeating: "á", count: 150), to: "+12175550199"))
            let after = await slow.available
            #expect(before > 4.99)
            #expect(after < before - 2.99 && after > before - 3.01, "a 3-segment message should take 3 tokens: \(before) → \(after)")
        }
    }
}

/// Pacing shared through the store: two processes sending from one number keep to its rate together.
@Suite struct SharedPacingTests {
    @Test func theBucketRuleRefillsTakesAndSaysHowLongToWait() {
        let t = t0
        // A missing bucket is full.
        let first = TokenBucket.take(2, from: nil, rate: 1, burst: 3, now: t)
        #expect(first.wait == 0 && first.bucket.tokens == 1)
        // Not enough: nothing taken, and the wait until there is.
        let second = TokenBucket.take(3, from: first.bucket, rate: 1, burst: 3, now: t)
        #expect(second.bucket.tokens == 1 && abs(second.wait - 2) < 1e-9)
        // Two seconds later the bucket is full again and the message goes.
        let later = TokenBucket.take(3, from: second.bucket, rate: 1, burst: 3, now: t.addingTimeInterval(2))
        #expect(later.wait == 0 && abs(later.bucket.tokens) < 1e-9)
        // Longer than the burst: goes once full, leaving the bucket negative.
        let long = TokenBucket.take(5, from: nil, rate: 1, burst: 3, now: t)
        #expect(long.wait == 0 && long.bucket.tokens == -2)
    }

    /// Two processes with pacers of their own (2 segments/s, burst 2) but one store: from one number together
    /// they wait as one sender would; from two numbers each keeps its own rate. Every wait — the process's own
    /// pacer's or the one the store asks for — moves the test's clock on at once and is added up.
    @Test(arguments: StoreKind.allCases)
    func twoProcessesShareOneNumbersRate(kind: StoreKind) async throws {
        let store = try await kind.make()
        let clock = JumpingClock()
        let start = t0
        let now: @Sendable () -> Date = { start.addingTimeInterval(PacingTests.seconds(clock.now.offset)) }
        let sleep: @Sendable (Duration) async throws -> Void = { try await clock.sleep(for: $0) }
        func send(from senders: [String]) async throws -> Duration {
            let before = clock.waited
            let processes = senders.map {
                SharedSenderPacer(local: SenderPacer(rate: 2, burst: 2, clock: clock), store: store, sender: $0, now: now, sleep: sleep)
            }
            for _ in 0..<3 {
                for process in processes { try await process.acquire(1) }
            }
            return clock.waited - before
        }
        // Six segments from one number at 2/s after a burst of 2: two seconds of waiting, as for one process.
        #expect(try await send(from: ["+12175550311", "+12175550311"]) == .seconds(2))
        // Three from each of two numbers: only the first number's third segment waits, for its own pacer.
        try await clock.sleep(for: .seconds(10))
        #expect(try await send(from: ["+12175550312", "+12175550313"]) == .milliseconds(500))
    }
}

/// A clock on which every sleep returns at once, having moved the time to its deadline and added the wait up.
final class JumpingClock: Clock, Sendable {
    typealias Instant = ManualClock.Instant
    private let state = Locked((now: Instant(offset: .zero), waited: Duration.zero))

    var now: Instant { state.withLock { $0.now } }
    var waited: Duration { state.withLock { $0.waited } }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            guard state.now < deadline else { return }
            state.waited += state.now.duration(to: deadline)
            state.now = deadline
        }
    }
}
