import ArgumentParser
import CityLineApp
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
            var flags = AppConfiguration.Flags()
            city.apply(to: &flags)
            loaded = try LoadedCity.load(try AppConfiguration.commandLine(flags).city, allowingTemplateProblems: true)
        } catch let error as AppError {
            print("✗ \(error.description)")
            throw ExitCode(1)
        }
        let check = ConfigurationCheck(city: loaded.city, catalog: loaded.catalog, composer: loaded.composer())
        // A phrase an `unless` phrase covers whole never counts: a city that wrote it meant something else.
        let dead = Triage(city: loaded.city).deadPhrases(of: loaded.city.emergencies).map {
            "emergencies/\($0.locale.code).yaml: '\($0.phrase)' (\($0.concept)) never matches: an unless phrase covers it whole"
        }
        let problems = check.problems() + dead
        let c = loaded.city
        print("City: \(c.name.resolve(c.defaultLocale)) (\(c.id)), time zone \(c.timeZoneID), locales \(c.locales.map(\.code).joined(separator: ", "))")
        print("Catalog: \(c.services.count) services in \(c.groups.count) groups, \(c.departments.count) departments, "
            + "\(c.jurisdictions.count) jurisdictions, \(c.information.count) information answers, \(c.emergencies.triggers.count) emergency triggers")
        print("Locales: \(loaded.catalog.locales.map(\.code).joined(separator: ", ")), \(loaded.catalog.strings[.english]?.count ?? 0) message keys")
        print("Templates: \(loaded.templates.names.count) (\(loaded.templates.names.joined(separator: ", ")))")
        printSMSReport(check.smsReport(), locales: c.locales)
        if problems.isEmpty {
            print("✓ configuration is clean")
        } else {
            for problem in problems { print("✗ \(problem)") }
            print("\(problems.count) problem(s)")
            throw ExitCode(1)
        }
    }

    /// A table of encoding and segments per message and locale (G = GSM-7, U = UCS-2; "U2" is two UCS-2
    /// segments); messages over the city's limit are marked "!" and listed as problems.
    private func printSMSReport(_ lines: [ConfigurationCheck.SMSLine], locales: [LanguageTag]) {
        print("SMS encoding and segments per message (G = GSM-7, U = UCS-2, then segments; sample arguments):")
        let keys = Array(Set(lines.map(\.key))).sorted()
        let width = (keys.map(\.count).max() ?? 10) + 2
        func pad(_ text: String, _ n: Int) -> String { text + String(repeating: " ", count: max(0, n - text.count)) }
        print("  " + pad("message", width) + locales.map { pad($0.code, 8) }.joined())
        for key in keys {
            let cells = locales.map { locale -> String in
                guard let line = lines.first(where: { $0.key == key && $0.locale == locale }) else { return pad("-", 8) }
                return pad((line.cost.encoding == .gsm7 ? "G" : "U") + "\(line.cost.segments)" + (line.isLong ? "!" : ""), 8)
            }
            print("  " + pad(key, width) + cells.joined())
        }
        let long = lines.filter(\.isLong)
        if long.isEmpty, let limit = lines.first?.limit { print("✓ every message fits in \(limit) SMS segment\(limit == 1 ? "" : "s")") }
    }
}
