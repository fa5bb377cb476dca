import ArgumentParser
import CityLineApp
import Foundation

/// `cityline db …`: moving a city's data between storage engines.
struct Database: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Move a city's data between storage engines.",
        subcommands: [Copy.self]
    )

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a SQLite database into an empty PostgreSQL database, then check the counts of every table.",
            discussion: """
                Stop `cityline serve` first. Everything is copied in one transaction: on any error nothing is. \
                Then start the servers with --database-url (or CITYLINE_DATABASE_URL).
                """
        )

        @Option(help: "The SQLite database (e.g. .cityline/cityline.sqlite).")
        var from: String

        @Option(help: "postgres://user:password@host:5432/database (the schema is created if missing).")
        var to: String

        func run() async throws {
            let report = try await DatabaseCopy.run(from: from, to: to)
            let width = report.counts.map(\.table.count).max() ?? 10
            for (table, from, to) in report.counts {
                print(table.padding(toLength: width, withPad: " ", startingAt: 0), String(from).leftPadded(9), String(to).leftPadded(9),
                      from == to ? "ok" : "MISMATCH")
            }
            guard report.matches else { throw ExitCode.failure }
            print("copied: every table has the same number of rows in PostgreSQL")
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
