import CityLineTestSupport
import Foundation
import Logging
import Switchboard
import Testing

/// The run loop of the outbox and the job queue: a failing round is logged and retried with backoff, never
/// swallowed, and the loop goes on.
@Suite struct QueueWorkerTests {
    /// Keeps what was logged.
    final class Captured: Sendable {
        let records = Locked<[(Logger.Level, String, Logger.Metadata)]>([])
    }

    struct CapturingHandler: LogHandler {
        let captured: Captured
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            captured.records.withLock { $0.append((event.level, event.message.description, metadata.merging(event.metadata ?? [:]) { $1 })) }
        }
    }

    struct DatabaseIsLocked: Error, CustomStringConvertible {
        var description: String { "database is locked" }
    }

    @Test func aFailingRoundIsLoggedAndTheLoopGoesOn() async throws {
        let captured = Captured()
        let logger = Logger(label: "test") { _ in CapturingHandler(captured: captured) }
        let worker = QueueWorker(queue: "outbox", pollInterval: .milliseconds(1), logger: logger)
        let rounds = Locked(0)
        let loop = Task {
            await worker.run {
                let round = rounds.withLock { count -> Int in
                    count += 1
                    return count
                }
                if round <= 2 { throw DatabaseIsLocked() }
                return 0
            }
        }
        while rounds.withLock({ $0 }) < 4 { try await Task.sleep(for: .milliseconds(1)) }
        loop.cancel()
        await loop.value
        let errors = captured.records.withLock { $0 }.filter { $0.0 == .error }
        #expect(errors.count == 2)
        #expect(errors.first?.1 == "queue round failed")
        #expect(errors.first?.2["error"] == "database is locked" && errors.first?.2["queue"] == "outbox")
        #expect(errors.last?.2["failures"] == "2")
    }

    @Test func backoffDoublesUpToItsCap() {
        let worker = QueueWorker(queue: "jobs", pollInterval: .milliseconds(250), maxBackoff: .seconds(2), logger: Logger(label: "test"))
        #expect((1...6).map(worker.backoff(afterFailures:)) == [
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(2), .seconds(2),
        ])
    }
}
