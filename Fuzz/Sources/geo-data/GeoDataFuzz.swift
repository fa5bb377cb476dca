import CityConfig
import Foundation
import FuzzDriver

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// An empty directory for the address files, and a copy of the demo city for the boundaries.
let directories: (data: String, city: String) = {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("cityline-fuzz-geo-\(getpid())")
    try? FileManager.default.removeItem(at: base)
    try! FileManager.default.createDirectory(at: base.appendingPathComponent("data"), withIntermediateDirectories: true)
    try! FileManager.default.copyItem(at: root.appendingPathComponent("DemoCity"), to: base.appendingPathComponent("city"))
    return (base.appendingPathComponent("data").path, base.appendingPathComponent("city").path)
}()

let files = ["addresses.csv", "streets.geojson", "places.yaml"]

/// The city's address data and boundaries. The first byte picks the file the rest becomes: `addresses.csv`,
/// `streets.geojson` (GeoJSON LineStrings with TIGER/Line ranges), `places.yaml`, or a jurisdiction's boundary
/// (GeoJSON Polygon/MultiPolygon, read by the city loader).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let which = Int(data[0] % 4)
    let contents = Data(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if which < 3 {
        for file in files { try? FileManager.default.removeItem(atPath: directories.data + "/" + file) }
        FileManager.default.createFile(atPath: directories.data + "/" + files[which], contents: contents)
        _ = try? GeoDataLoader(directory: directories.data).load()
    } else {
        FileManager.default.createFile(atPath: directories.city + "/boundaries/ward-1.geojson", contents: contents)
        _ = try? CityLoader(directory: directories.city, environment: [:]).load()
    }
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
