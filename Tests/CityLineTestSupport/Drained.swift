import Foundation
import StorageSQLite

/// Waits until the queues of the SQLite database at `path` are drained — no job due or running, no message due or
/// being sent — and stay so across two reads `settle` apart (a job finishing schedules the next in the same
/// transaction, so a drained snapshot means nothing is on its way). Then "nothing more arrived" can be asserted:
/// nothing more is queued. Throws after `timeout`.
public func waitUntilDrained(databasePath path: String, timeout: Duration = .seconds(60),
                             settle: Duration = .milliseconds(100)) async throws {
    let store = try SQLiteStore(path: path)
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var drainedOnce = false
    while clock.now < deadline {
        let backlog = try await store.backlog(at: Date())
        if backlog.jobs == 0, backlog.outbox == 0 {
            if drainedOnce { return }
            drainedOnce = true
        } else {
            drainedOnce = false
        }
        try await Task.sleep(for: settle)
    }
    throw DrainTimeout(path: path)
}

/// The queues did not drain in time.
public struct DrainTimeout: Error, CustomStringConvertible {
    public var path: String
    public var description: String { "the queues of \(path) did not drain in time" }
}
