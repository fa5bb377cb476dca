import Foundation

/// The test's "now" as a date, moved by hand (the outreach and notice suites hand it to the scheduler, the
/// dispatcher and the notice desk).
public final class TestClock: Sendable {
    private let current: Locked<Date>
    public init(_ start: Date) { current = Locked(start) }
    public var now: Date { current.withLock { $0 } }
    public func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    public func set(_ date: Date) { current.withLock { $0 = date } }
}
