#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells whether other processes have the database open: each process holds a shared advisory lock on
/// `<database>.instances` while it lives, and the kernel drops a process's lock when it dies — however it dies.
///
/// Leases on jobs and outbox entries expire on their own, which is what keeps several processes correct. But a
/// process that finds itself alone may free every lease at once at start-up (they were left by a process that
/// died), instead of making residents wait for the leases to run out.
final class InstanceLock: Sendable {
    private let descriptor: Int32

    /// Opens (creating) the lock file and takes the shared lock; nil when the file cannot be opened (then the
    /// store is never "alone" and relies on lease expiry).
    init?(path: String) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        _ = flock(descriptor, LOCK_SH)
    }

    deinit { close(descriptor) }

    /// Runs `body` if no other process holds the lock, with the lock held exclusively meanwhile (so no process
    /// can open the store and claim work in between); returns nil without running it otherwise.
    func ifAlone<T>(_ body: () throws -> T) rethrows -> T? {
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            _ = flock(descriptor, LOCK_SH) // a failed conversion may have dropped the shared lock
            return nil
        }
        defer { _ = flock(descriptor, LOCK_SH) }
        return try body()
    }
}
