import Foundation
import Logging
import ServiceLifecycle

/// The run loop behind every leased queue (the outbox dispatcher, the job scheduler): take a batch of due work,
/// handle it, and poll again when there was none.
///
/// A failing round — the database is locked or full, a disk error — is never swallowed: it is logged (the error's
/// type and text; no resident data: stores and transports keep addresses and bodies out of their errors), counted
/// in `cityline_queue_failures_total{queue=…}`, and the loop backs off (capped, doubling) before it tries again,
/// so a broken database is not hammered and the problem shows on the operators' dashboard.
public struct QueueWorker: Sendable {
    /// `outbox` or `jobs`: the log label and the metric's dimension.
    public let queue: String
    public let pollInterval: Duration
    /// The longest wait after consecutive failures.
    public let maxBackoff: Duration
    let logger: Logger
    let metrics: CityLineMetrics

    public init(queue: String, pollInterval: Duration, maxBackoff: Duration = .seconds(30), logger: Logger,
                metrics: CityLineMetrics = CityLineMetrics()) {
        self.queue = queue
        self.pollInterval = pollInterval
        self.maxBackoff = maxBackoff
        self.logger = logger
        self.metrics = metrics
    }

    /// Runs `round` until the task is cancelled or the service shuts down; `round` returns how many items it
    /// handled (0: nothing was due, wait a poll interval).
    public func run(_ round: @Sendable () async throws -> Int) async {
        var consecutiveFailures = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let wait: Duration
            do {
                let handled = try await round()
                consecutiveFailures = 0
                if handled > 0 { continue }
                wait = pollInterval
            } catch {
                consecutiveFailures += 1
                wait = backoff(afterFailures: consecutiveFailures)
                metrics.queueFailure(queue)
                logger.error("queue round failed", metadata: [
                    "queue": "\(queue)", "error.type": "\(type(of: error))", "error": "\(error)",
                    "failures": "\(consecutiveFailures)", "retry.in": "\(wait)",
                ])
            }
            try? await Task.sleep(for: wait) // cancelled: the loop condition ends it
        }
    }

    /// The wait after `failures` failed rounds in a row: the poll interval doubled each time, capped.
    public func backoff(afterFailures failures: Int) -> Duration {
        var wait = pollInterval
        for _ in 1..<max(1, failures) where wait < maxBackoff { wait *= 2 }
        return min(wait, maxBackoff)
    }
}
