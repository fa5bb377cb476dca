import ChannelEmail
import ServiceLifecycle

/// The SMTP listener as a service of the application: it stops with the server.
struct SMTPService: ServiceLifecycle.Service, CustomStringConvertible {
    /// Its name only: ServiceLifecycle logs each service as `"\(service)"`, and the default description would
    /// print every field — the city, the store, the transports with their credentials.
    var description: String { "SMTPService" }

    let listener: SMTPListener
    let server: SMTPListener.Server

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await listener.serve(server) }
        } catch where Task.isCancelled || Task.isShuttingDownGracefully {
            return // stopping: the listener closing is not a failure
        }
    }
}
