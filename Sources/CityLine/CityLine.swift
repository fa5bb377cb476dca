import ArgumentParser
import CityLineApp
import Foundation

/// The `cityline` command: parses the command line and runs CityLine through `CityLineApp`.
@main
struct CityLine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cityline",
        abstract: "CityLine — 311 messaging: residents text, email or chat; the city answers.",
        subcommands: [Serve.self, Chat.self, Classify.self, Geocode.self, Check.self, Token.self, Import.self, Database.self],
        defaultSubcommand: Serve.self
    )

    /// The process's environment: read here, once, and nowhere else; `AppConfiguration` turns it into settings.
    static let environment = ProcessInfo.processInfo.environment
}

extension AppConfiguration {
    /// The configuration from a command's flags and this process's environment.
    static func commandLine(_ flags: Flags) throws -> AppConfiguration {
        try AppConfiguration(flags: flags, environment: CityLine.environment)
    }
}

/// Options shared by commands that load a city.
struct CityOptions: ParsableArguments {
    @Option(name: .long, help: "City configuration directory (default: the demo city in this repository).")
    var config: String?

    @Option(name: .long, help: "Directory of locale files (default: Locales/ in this repository).")
    var locales: String?

    @Option(name: .long, help: "Directory of channel templates (default: Templates/ in this repository; the city's templates/ folder overrides single files).")
    var templates: String?

    func apply(to flags: inout AppConfiguration.Flags) {
        flags.configDirectory = config
        flags.localesDirectory = locales
        flags.templatesDirectory = templates
    }
}

/// Where data lives: `--data-dir` (SQLite file and outbox file), or PostgreSQL with `--database-url`.
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory, created if missing: the SQLite database and the outbox file.")
    var dataDirectory = AppConfiguration.StorageSettings.defaultDataDirectory

    @Option(name: .customLong("database-url"), help: "postgres://… to use PostgreSQL (or CITYLINE_DATABASE_URL).")
    var databaseURL: String?

    func apply(to flags: inout AppConfiguration.Flags) {
        flags.dataDirectory = dataDirectory
        flags.databaseURL = databaseURL
    }
}
