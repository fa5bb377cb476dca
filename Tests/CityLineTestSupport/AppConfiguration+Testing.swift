import CityLineApp
import Foundation
import Storage
import WebAPI

extension AppConfiguration {
    /// The application as tests of the HTTP edge build it: the demo city (loaded once), `store` handed in so the
    /// test can look inside it, a fresh data directory (outbox file, secret key), sequential tracking numbers,
    /// metrics of their own, port 0, no SMTP listener, no scheduler or dispatcher (the test drives them), nothing printed.
    /// `environment` is read exactly as `cityline serve` reads the process's (`TWILIO_AUTH_TOKEN`,
    /// `CITYLINE_PUBLIC_URL`, `CITYLINE_SECRET` …).
    public static func testing(store: StoreChoice, environment: [String: String] = [:],
                               clock: @escaping @Sendable () -> Date = { Date() }) throws -> AppConfiguration {
        var flags = Flags()
        flags.port = 0
        flags.smtp = false
        flags.dataDirectory = try temporaryDirectory()
        var configuration = try AppConfiguration(flags: flags, environment: environment)
        configuration.storage.store = store
        configuration.city.preloaded = try Demo.loadedCity
        configuration.clock = clock
        configuration.trackingNumbers = SequentialTrackingNumbers()
        configuration.runsBackgroundWork = false
        configuration.onServerRunning = { _, _ in }
        configuration.metrics = AppMetrics() // its own counters, not the process's
        // The test client opens its connection before the test's first request, and on a loaded machine (under a
        // sanitizer) what a test does first can take longer than a production deadline for a client's first bytes:
        // deadlines of ten minutes unless the test sets its own (SlowClientTests does).
        let limits = configuration.http.slowClients
        configuration.http.slowClients = SlowClientLimits(
            head: environment["CITYLINE_HTTP_HEAD_TIMEOUT"] == nil ? .seconds(600) : limits.head,
            idle: environment["CITYLINE_HTTP_IDLE_TIMEOUT"] == nil ? .seconds(600) : limits.idle,
            request: environment["CITYLINE_HTTP_REQUEST_TIMEOUT"] == nil ? .seconds(600) : limits.request
        )
        return configuration
    }
}
