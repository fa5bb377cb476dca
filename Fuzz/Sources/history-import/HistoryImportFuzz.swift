import CityConfig
import Foundation
import FuzzDriver

/// `cityline import`: a CSV export and an Open311 `GET requests` JSON answer from a city's earlier system.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if let text = String(validating: bytes, as: UTF8.self) {
        _ = try? HistoryImport.csv(text, file: "fuzz.csv")
        _ = CSV.rows(text)
    }
    _ = try? HistoryImport.open311(Data(bytes), source: "fuzz.json")
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
