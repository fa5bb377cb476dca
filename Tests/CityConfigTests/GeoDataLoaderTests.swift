import CityConfig
import CityLineTestSupport
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
        let directory = temporaryPath("city")
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

    /// The parsers take bytes (what `load()` read, or a fuzzer's input): the same data as loading the directory, and
    /// bad bytes fail with the name they were given and the line.
    @Test func theParsersReadBytesWithoutFiles() throws {
        func bytes(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: Self.demo + "/" + name)) }
        let loaded = try GeoDataLoader(directory: Self.demo).load()
        let addresses = try GeoDataLoader.addresses(try bytes("addresses.csv"), file: "a.csv")
        let segments = try GeoDataLoader.streets(try bytes("streets.geojson"), file: "s.geojson")
        let (places, aliases) = try GeoDataLoader.places(try bytes("places.yaml"), file: "p.yaml")
        #expect(addresses.map(\.street) == loaded.addresses.map(\.street) && addresses.map(\.number) == loaded.addresses.map(\.number))
        #expect(segments.map(\.street) == loaded.segments.map(\.street))
        #expect(places.map(\.id) == loaded.places.map(\.id) && aliases.map(\.name) == loaded.streetAliases.map(\.name))

        let latin1 = #expect(throws: ConfigError.self) { try GeoDataLoader.addresses(Data([0x6E, 0xE9, 0x0A]), file: "a.csv") }
        #expect(latin1?.file == "a.csv" && latin1?.message == "the file is not valid UTF-8")
        let empty = #expect(throws: ConfigError.self) { try GeoDataLoader.addresses(Data(), file: "a.csv") }
        #expect(empty?.line == 1 && empty?.message.contains("the file is empty") == true)
        let place = #expect(throws: ConfigError.self) {
            try GeoDataLoader.places(Data("places:\n  - id: x\n    name: X\n    latitude: 91\n    longitude: 0\n".utf8), file: "p.yaml")
        }
        #expect(place?.file == "p.yaml" && place?.line == 4 && place?.message.contains("WGS84") == true)
        let json = #expect(throws: ConfigError.self) { try GeoDataLoader.streets(Data("{\n\"type\": [".utf8), file: "s.geojson") }
        #expect(json?.file == "s.geojson" && json?.message == "not valid JSON")
    }

    /// Properties over the whole demo city: every address point geocodes to itself as written, in lower case with
    /// the suffix spelled out, and back from its own pin; every house number a block's range holds lands beside
    /// that block, on its side.
    @Test func everyAddressAndEveryBlockOfTheDemoCity() throws {
        let data = try GeoDataLoader(directory: Self.demo).load()
        let geocoder = Geocoder(data)
        let spelled = ["St": "street", "Ave": "avenue", "Rd": "road", "Dr": "drive", "Blvd": "boulevard", "Ln": "lane", "Ct": "court"]
        var misses: [String] = []
        for point in data.addresses where point.unit == nil {
            let written = "\(point.number) \(point.street)"
            if (geocoder.geocode(written).match?.coordinate.distance(to: point.coordinate) ?? .infinity) > 1 { misses.append(written) }
            let name = StreetName(point.street)
            if let suffix = name.suffix, let long = spelled[suffix] {
                let casual = "\(point.number) \(([name.predirectional, name.core].compactMap { $0 } + [long]).joined(separator: " ").lowercased())"
                if (geocoder.geocode(casual).match?.coordinate.distance(to: point.coordinate) ?? .infinity) > 1 { misses.append(casual) }
            }
            if geocoder.reverse(point.coordinate)?.address != written { misses.append("reverse of " + written) }
        }
        #expect(misses.isEmpty, "\(misses.count) misses, first \(misses.prefix(10))")

        // Every fifth block: its first, middle and last numbers on both sides, within 15 m of the block's line.
        var off: [String] = []
        for segment in data.segments.enumerated().filter({ $0.offset % 5 == 0 }).map(\.element) {
            for range in [segment.left, segment.right].compactMap({ $0 }) {
                let step = (range.to - range.from) / 2 % 2 == 0 ? (range.to - range.from) / 2 : (range.to - range.from) / 2 - 1
                for number in Set([range.from, range.from + step, range.to]) where number > 0 {
                    let text = "\(number) \(segment.street)"
                    guard let found = geocoder.geocode(text).match?.coordinate else {
                        off.append(text)
                        continue
                    }
                    let nearest = zip(segment.points, segment.points.dropFirst()).map { Self.distance(found, $0, $1) }.min() ?? .infinity
                    if nearest > 15 { off.append("\(text): \(Int(nearest)) m") }
                }
            }
        }
        #expect(off.isEmpty, "\(off.count) house numbers not beside their block, first \(off.prefix(10))")
    }

    /// Metres from `p` to the segment `a`–`b`.
    static func distance(_ p: Coordinate, _ a: Coordinate, _ b: Coordinate) -> Double {
        let scale = cos(p.latitude * .pi / 180) * 111_320
        let (ax, ay) = ((a.longitude - p.longitude) * scale, (a.latitude - p.latitude) * 111_320)
        let (bx, by) = ((b.longitude - p.longitude) * scale, (b.latitude - p.latitude) * 111_320)
        let (dx, dy) = (bx - ax, by - ay)
        let t = dx * dx + dy * dy > 0 ? max(0, min(1, -(ax * dx + ay * dy) / (dx * dx + dy * dy))) : 0
        return ((ax + t * dx) * (ax + t * dx) + (ay + t * dy) * (ay + t * dy)).squareRoot()
    }
}
