import ArgumentParser

/// The `cityline` command: the one composition root of CityLine.
@main
struct CityLine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cityline",
        abstract: "CityLine — 311 messaging: residents text, email or chat; the city answers.",
        subcommands: [Serve.self, Chat.self, Classify.self, Check.self, Token.self],
        defaultSubcommand: Serve.self
    )
}

/// Options shared by commands that load a city.
struct CityOptions: ParsableArguments {
    @Option(name: .long, help: "City configuration directory (default: the demo city in this repository).")
    var config: String?

    @Option(name: .long, help: "Directory of locale files (default: Locales/ in this repository).")
    var locales: String?

    @Option(name: .long, help: "Directory of channel templates (default: Templates/ in this repository; the city's templates/ folder overrides single files).")
    var templates: String?
}
