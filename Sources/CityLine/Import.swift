import ArgumentParser
import CityConfig
import CityLineApp
import Foundation

/// `cityline import`: a city's past requests (a CSV export, or its earlier system's Open311 `GET requests.json`)
/// into the store, each once, so the KPIs have a baseline from the first day.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import past requests for the KPIs: --csv FILE, or --from open311 FILE-OR-URL (a GET requests.json answer).",
        discussion: "Importing the same export again adds nothing. Nothing is ever sent to the reporters of imported requests."
    )

    @Option(help: "A CSV export (header with an id, category and opening time; see Docs/CityConfiguration.md).")
    var csv: String?

    @Option(help: "The kind of export given as the argument: open311.")
    var from: String?

    @Argument(help: "With --from open311: a file or an http URL on this machine.")
    var source: String?

    @Option(name: .customLong("map"), help: "CATEGORY=SERVICE_CODE: an earlier category to a service of the catalog (repeatable).")
    var mappings: [String] = []

    @Option(help: "The department for requests outside the catalog (default: the operators' department, else the first).")
    var department: String?

    @OptionGroup var city: CityOptions
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let requests: [HistoricRequest]
        let name: String
        switch (csv, from, source) {
        case let (file?, nil, nil):
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("cannot read \(file) as UTF-8 text")
            }
            requests = try HistoryImport.csv(text, file: file)
            name = file
        case let (nil, "open311"?, source?):
            requests = try HistoryImport.open311(try await HistoryImporter.read(source), source: source)
            name = source
        default:
            throw ValidationError("give --csv FILE, or --from open311 FILE-OR-URL")
        }
        var mapping: [String: String] = [:]
        for item in mappings {
            guard let equals = item.lastIndex(of: "="), equals != item.startIndex else { throw ValidationError("--map wants CATEGORY=SERVICE_CODE, not '\(item)'") }
            mapping[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        var flags = AppConfiguration.Flags()
        city.apply(to: &flags)
        storage.apply(to: &flags)
        let configuration = try AppConfiguration.commandLine(flags)
        let loaded = try LoadedCity.load(configuration.city)
        for code in mapping.values where loaded.city.service(code) == nil {
            throw ValidationError("--map names '\(code)', which is not a service of the catalog")
        }
        if let department, loaded.city.department(department) == nil { throw ValidationError("unknown department '\(department)'") }
        let store = try await configuration.storage.openStore()
        let summary = try await HistoryImporter.run(requests, city: loaded.city, store: store, mapping: mapping, department: department, at: Date())
        print("imported \(summary.imported) requests from \(name) (\(summary.closed) closed); \(summary.alreadyThere) were there already")
        if !summary.outsideCatalog.isEmpty {
            let top = summary.outsideCatalog.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(8).map { "\($0.key) (\($0.value))" }
            print("outside the catalog (map them with --map CATEGORY=CODE): " + top.joined(separator: ", "))
        }
    }
}
