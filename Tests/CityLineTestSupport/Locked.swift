import Foundation

/// A value shared between tasks and threads, behind a lock: what the tests use instead of `Synchronization.Mutex`.
///
/// An `NSLock` (a pthread mutex) rather than a `Mutex`: on Linux a contended `Mutex` is handed over by the kernel
/// (`FUTEX_LOCK_PI`, in the uninstrumented runtime), which ThreadSanitizer cannot see, so it reports the value a
/// `Mutex` guards as raced whenever two threads want the lock at once (`Reliability/sanitizers.sh thread`).
public final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the value, the lock held.
    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        try lock.withLock { try body(&value) }
    }
}
