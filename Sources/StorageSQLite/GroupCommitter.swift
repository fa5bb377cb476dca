import Foundation
import GRDB

/// Batches concurrent writes into one SQLite transaction, each in its own savepoint.
///
/// With `synchronous=FULL` every commit waits for an fsync (~2 ms here), which would cap turns at ~500/s.
/// While one batch is being written, new work queues up; the next transaction takes all of it at once.
/// A failing piece of work rolls back its own savepoint and fails its own caller; the others commit. Callers
/// return only after their work is durably committed.
///
/// The queue is guarded by an `NSLock` (a pthread mutex), not `Synchronization.Mutex`: on Linux, a contended `Mutex`
/// is handed over by the kernel (`FUTEX_LOCK_PI` in the uninstrumented runtime), which ThreadSanitizer cannot see,
/// so it reported every contended `submit` and `drain` as a race (`Reliability/sanitizers.sh thread`). A pthread
/// mutex it sees, and so it still checks this class. `pending` is touched only under `lock`.
final class GroupCommitter: @unchecked Sendable {
    typealias Work = @Sendable (Database) throws -> Void

    private struct Pending {
        var queue: [(work: Work, done: CheckedContinuation<Void, any Error>)] = []
        var draining = false
    }

    private let pool: DatabasePool
    private let lock = NSLock()
    private var pending = Pending()

    init(pool: DatabasePool) { self.pool = pool }

    func submit(_ work: @escaping Work) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start = lock.withLock { () -> Bool in
                pending.queue.append((work, continuation))
                if pending.draining { return false }
                pending.draining = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch = lock.withLock {
                let batch = pending.queue
                pending.queue = []
                if batch.isEmpty { pending.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            let works = batch.map(\.work)
            let results: [(any Error)?]
            do {
                results = try await pool.write { db in
                    works.map { work -> (any Error)? in
                        do {
                            try db.inSavepoint {
                                try work(db)
                                return .commit
                            }
                            return nil
                        } catch {
                            return error
                        }
                    }
                }
            } catch {
                results = Array(repeating: error, count: batch.count)
            }
            for (item, error) in zip(batch, results) {
                if let error { item.done.resume(throwing: error) } else { item.done.resume() }
            }
        }
    }
}
