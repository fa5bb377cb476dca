import CityConfig
import CityModel
import Foundation
import Geocoding
import Testing

/// The city's address data: the demo's loads whole; a broken row or feature names its file and line.
@Suite struct GeoDataLoaderTests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("DemoCity").path

    /// A copy of the demo city with `file` edited.
    func city(_ file: String, _ edit: (String) -> String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cityline-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: Self.demo, toPath: directory)
        let path = directory + "/" + file
        try edit(try String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: true, encoding: .utf8)
        return directory
    }

    @Test func theDemoCitysStreetsAddressesAndPlaces() throws {
        let data = try GeoDataLoader(directory: Self.demo).load()
        #expect(data.addresses.count > 4_000 && data.segments.count > 10_000 && data.places.count >= 15)
        #expect(Set(data.segments.map(\.street)).count >= 200, "a few hundred named streets")
        #expect(Geocoder(data).geocode("1423 Oak St").match?.matched == "1423 Oak St")
    }

    @Test func aBrokenRowOrFeatureNamesItsFileAndLine() throws {
        let csv = try city("addresses.csv") { text in
            var lines = text.components(separatedBy: "\n")
            lines[41] = "14x23,Oak St,,39.76,-89.67"
            return lines.joined(separator: "\n")
        }
        let error = #expect(throws: ConfigError.self) { try GeoDataLoader(directory: csv).load() }
        #expect(error?.file.hasSuffix("addresses.csv") == true && error?.line == 42)
        #expect(error?.message.contains("'number' must be a house number") == true)

        let far = try city("addresses.csv") { $0.replacingOccurrences(of: "3689,10th St,,39.773494,-89.685608", with: "3689,10th St,,139.77,-89.68") }
        #expect(throws: ConfigError.self) { try GeoDataLoader(directory: far).load() }

        let json = try city("streets.geojson") { text in
            text.replacingOccurrences(of: #""LFROMHN":"401","LTOHN":"499""#, with: #""LFROMHN":"401","LTOHN":"498""#)
        }
        let odd = #expect(throws: ConfigError.self) { try GeoDataLoader(directory: json).load() }
        #expect(odd?.file.hasSuffix("streets.geojson") == true && (odd?.line ?? 0) > 4)
        #expect(odd?.message.contains("are not both odd or both even") == true)
    }
}
