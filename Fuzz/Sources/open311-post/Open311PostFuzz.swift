import CityConfig
import Foundation
import FuzzDriver
import Geocoding
import Transport
import WebAPI

/// The demo city and its address data.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("DemoCity").path
let city = try! CityLoader(directory: root, environment: [:]).load()
let geocoder = Geocoder(try! GeoDataLoader(directory: root).load())

/// Open311 `POST requests` (form-encoded): the form read against the demo city — service, location, the
/// questions' answers, reporter, locale, media — gives a submission or a 400/404 saying why, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size <= 64 * 1024, let form = try? FormBody(Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    _ = try? Open311Submission(form: form.parameters.filter { !$0.1.isEmpty }, city: city, geocoder: geocoder)
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
