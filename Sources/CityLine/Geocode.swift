import ArgumentParser
import CityLineApp
import CityModel
import Foundation
import Geocoding

/// `cityline geocode`: one location per stdin line → one JSON object per line (the contract's fields).
struct Geocode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Geocode locations, one per line on stdin, from the city's own address data; prints one JSON object per line."
    )

    @OptionGroup var city: CityOptions

    func run() async throws {
        var flags = AppConfiguration.Flags()
        city.apply(to: &flags)
        let loaded = try LoadedCity.load(try AppConfiguration.commandLine(flags).city)
        var output = ""
        while let text = readLine(strippingNewline: true) {
            output += Self.line(text, result: loaded.geocoder.geocode(text), city: loaded.city) + "\n"
            if output.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(output.utf8))
                output = ""
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    /// `{"text", "kind", "matched", "latitude", "longitude", "jurisdiction", "confidence"}`; an ambiguous location
    /// gives its best match with the others under `"alternatives"`.
    static func line(_ text: String, result: GeocodeResult, city: City) -> String {
        var object: [String: Any] = ["text": text, "kind": NSNull(), "matched": NSNull(), "latitude": NSNull(), "longitude": NSNull(),
                                     "jurisdiction": NSNull(), "confidence": 0]
        var best: GeocodeMatch?
        switch result {
        case .matched(let match): best = match
        case .ambiguous(let matches):
            best = matches.first
            object["alternatives"] = matches.dropFirst().map(\.matched)
        case .notFound(let kind): object["kind"] = kind.map(Self.kind) ?? NSNull()
        }
        if let best {
            object["kind"] = kind(best.kind)
            object["matched"] = best.matched
            object["latitude"] = (best.coordinate.latitude * 1e6).rounded() / 1e6
            object["longitude"] = (best.coordinate.longitude * 1e6).rounded() / 1e6
            object["jurisdiction"] = city.jurisdiction(containing: best.coordinate) ?? NSNull()
            object["confidence"] = (best.confidence * 100).rounded() / 100 * (result.match == nil ? 0.5 : 1)
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The contract's kinds: a map link's point is "coordinates", a named place is "address".
    static func kind(_ kind: Location.Kind) -> String {
        switch kind {
        case .address, .description: return "address"
        case .intersection: return "intersection"
        case .coordinates, .mapLink: return "coordinates"
        }
    }
}
