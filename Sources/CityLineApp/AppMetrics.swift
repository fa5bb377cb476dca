import Metrics
import Prometheus
import Storage
import Switchboard

/// Where an application's metrics are kept: one Prometheus registry, and the swift-metrics factory that records
/// into it. `GET /metrics` writes that registry in the Prometheus text format (swift-prometheus does the encoding).
///
/// Each application records into its own `AppMetrics` (`AppConfiguration.metrics`): `buildApplication` hands the
/// factory to the switchboard, the scheduler and the outbox dispatcher (`CityLineMetrics`), and `/metrics` shows
/// that registry and nothing else. Nothing of ours records through the global `MetricsSystem`, which a process may
/// bootstrap only once:
///
/// - `cityline serve` (one application per process) uses `AppMetrics.process`, made on first use; making it
///   bootstraps the global `MetricsSystem` with the same factory, so a dependency that records through the global
///   system shows on `/metrics` too. A `static let` is initialised once, so the bootstrap happens once.
/// - Tests build many applications in one process, each with an `AppMetrics()` of its own
///   (`AppConfiguration.testing`): every test's counters start at zero, two tests' never mix, and the global system
///   is not touched.
public struct AppMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    /// A registry of its own, not the global system's.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // A turn is a few milliseconds to a second; a send waits on a provider (Twilio, SMTP, a department's
        // endpoint) that may take up to its 30 s timeout.
        factory.durationHistogramBuckets[CityLineMetrics.Name.turnDuration] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        factory.durationHistogramBuckets[CityLineMetrics.Name.sendDuration] = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ]
        self.factory = factory
    }

    /// The process's metrics: the first use bootstraps the global `MetricsSystem` with them (once per process).
    public static let process: AppMetrics = {
        let metrics = AppMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        return metrics
    }()

    /// What the application's components record with.
    var recorder: CityLineMetrics { CityLineMetrics(factory: factory) }

    /// The exposition for one scrape: the queue depths read from `store` now, then everything recorded.
    func scrape(_ store: any OutboxStore & JobStore) async throws -> [UInt8] {
        recorder.recordQueueDepths(outbox: try await store.outboxCounts(), jobs: try await store.jobCounts())
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}
