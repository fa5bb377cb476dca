import ArgumentParser
import CityLineApp
import Hummingbird

/// `cityline serve` (and `cityline` alone): the HTTP server, the outbox dispatcher, everything.
///
/// Flags and the environment → `AppConfiguration` → `buildApplication` → run until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run CityLine: HTTP server, webhooks, staff API, outbound dispatch.")

    @OptionGroup var city: CityOptions
    @OptionGroup var storage: StorageOptions

    @Option(help: "Address to listen on.")
    var host = AppConfiguration.HTTPSettings.defaultHost

    @Option(help: "Port to listen on (0: any free port).")
    var port = AppConfiguration.HTTPSettings.defaultPort

    @Option(name: .customLong("smtp-port"), help: "Port of the SMTP listener for mail relayed by the city's MTA (0: any free port).")
    var smtpPort = AppConfiguration.SMTPListenerSettings.defaultPort

    @Flag(name: .customLong("no-smtp"), help: "Do not listen for SMTP (mail arrives through POST /webhooks/email/inbound only).")
    var noSMTP = false

    func run() async throws {
        var flags = AppConfiguration.Flags()
        city.apply(to: &flags)
        storage.apply(to: &flags)
        flags.host = host
        flags.port = port
        flags.smtpPort = smtpPort
        flags.smtp = !noSMTP
        let app = try await buildApplication(try .commandLine(flags))
        try await app.runService()
    }
}
