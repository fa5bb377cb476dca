import CityLineApp
import Foundation
import Hummingbird

/// The application as `cityline serve` builds it from `configuration`, running on its port (0: a free one) while
/// `body` runs with the port it bound; stopped, and waited for, when `body` returns or throws.
public func withRunningApplication<T: Sendable>(_ configuration: AppConfiguration, _ body: (Int) async throws -> T) async throws -> T {
    var configuration = configuration
    let port = Locked(0)
    configuration.onServerRunning = { bound, _ in port.withLock { $0 = bound } }
    let app = try await buildApplication(configuration)
    let server = Task { try await app.runService() }
    func stop() async {
        server.cancel()
        _ = await server.result
    }
    for _ in 0..<1_500 where port.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(20)) }
    let bound = port.withLock { $0 }
    guard bound != 0 else {
        await stop()
        throw ServerDidNotStart()
    }
    do {
        let result = try await body(bound)
        await stop()
        return result
    } catch {
        await stop()
        throw error
    }
}

/// The application did not report a listening port within 30 s.
public struct ServerDidNotStart: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the server did not start" }
}
