import CityConfig
import CityModel
import Foundation
import FuzzDriver
import Geocoding

/// The demo city's address data.
let geocoder: Geocoder = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    return Geocoder(try! GeoDataLoader(directory: root.appendingPathComponent("DemoCity").path).load())
}()

/// The geocoder's address reader: any text a resident types (house numbers, corners, places, typos, any script)
/// gives a result, and a point found is on the globe.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size <= 4_096 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let match = geocoder.geocode(text).match {
        precondition(match.coordinate.isValid, "Geocoder: a match off the globe")
    }
    _ = geocoder.placing(Location(kind: .address, text: text))
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
