import CityConfig
import CityModel
import Foundation
import FuzzDriver

/// The city's address data and boundaries, read from bytes (no files: the loader's parsers take what it read). The
/// first byte picks what the rest is: `addresses.csv`, `streets.geojson` (GeoJSON LineStrings with TIGER/Line
/// ranges), `places.yaml`, or a jurisdiction's boundary (GeoJSON Polygon/MultiPolygon).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    let contents = Data(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 4 {
    case 0: _ = try? GeoDataLoader.addresses(contents, file: "addresses.csv")
    case 1: _ = try? GeoDataLoader.streets(contents, file: "streets.geojson")
    case 2: _ = try? GeoDataLoader.places(contents, file: "places.yaml")
    default:
        if let boundary = try? GeoJSONBoundary.read(contents) {
            _ = boundary.contains(Coordinate(latitude: 39.78, longitude: -89.65))
        }
    }
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
