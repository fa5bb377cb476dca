import ArgumentParser
import CityConfig
import CityModel
import Conversation
import Foundation
import Rendering
import Localization

/// `cityline check`: validates a city configuration and the locale files; exit 1 with a readable list.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a city configuration: catalog, locales, templates. Exit 0 when clean, 1 otherwise."
    )

    @OptionGroup var city: CityOptions

    func run() async throws {
        let loaded: LoadedCity
        do {
            loaded = try LoadedCity.load(city)
        } catch let error as CLIError {
            print("✗ \(error.description)")
            throw ExitCode(1)
        }
        let problems = ConfigurationCheck(city: loaded.city, catalog: loaded.catalog, renderer: loaded.renderer).problems()
        let c = loaded.city
        print("City: \(c.name.resolve(c.defaultLocale)) (\(c.id)), time zone \(c.timeZoneID), locales \(c.locales.map(\.code).joined(separator: ", "))")
        print("Catalog: \(c.services.count) services in \(c.groups.count) groups, \(c.departments.count) departments, "
            + "\(c.jurisdictions.count) jurisdictions, \(c.information.count) information answers, \(c.emergencies.count) emergency triggers")
        print("Locales: \(loaded.catalog.locales.map(\.code).joined(separator: ", ")), \(loaded.catalog.strings[.english]?.count ?? 0) message keys")
        if problems.isEmpty {
            print("✓ configuration is clean")
        } else {
            for problem in problems { print("✗ \(problem)") }
            print("\(problems.count) problem(s)")
            throw ExitCode(1)
        }
    }
}
