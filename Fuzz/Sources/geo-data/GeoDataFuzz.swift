import CityConfig
import CityModel
import Foundation
import FuzzDriver

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// An empty directory for the address files.
let directory: String = {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("cityline-fuzz-geo-\(getpid())")
    try? FileManager.default.removeItem(at: base)
    try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    return base.path
}()

let files = ["addresses.csv", "streets.geojson", "places.yaml"]

/// The city's address data and boundaries. The first byte picks the file the rest becomes: `addresses.csv`,
/// `streets.geojson` (GeoJSON LineStrings with TIGER/Line ranges), `places.yaml`, or a jurisdiction's boundary
/// (GeoJSON Polygon/MultiPolygon).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Foundation (Swift 6.3.1) leaks 4 KiB on every read of an empty file: no empty files.
    guard size > 1 else { return 0 }
    let which = Int(data[0] % 4)
    let contents = Data(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if which < 3 {
        for file in files { try? FileManager.default.removeItem(atPath: directory + "/" + file) }
        // A file that cannot be written would leave every later input untested: stop at once instead.
        precondition(FileManager.default.createFile(atPath: directory + "/" + files[which], contents: contents),
                     "cannot write the fuzz input into \(directory)")
        _ = try? GeoDataLoader(directory: directory).load()
    } else if let boundary = try? GeoJSONBoundary.read(contents) {
        _ = boundary.contains(Coordinate(latitude: 39.78, longitude: -89.65))
    }
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
