import CityConfig
import Foundation
import FuzzDriver

/// A copy of the demo city whose `city.yaml` each input replaces.
let directory: String = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("cityline-fuzz-city-\(getpid())")
    try? FileManager.default.removeItem(at: copy)
    try! FileManager.default.copyItem(at: root.appendingPathComponent("DemoCity"), to: copy)
    return copy.path
}()

/// The other files' YAML, parsed once (their bytes never change here): each input costs its own `city.yaml`.
let parsed = YAMLFileCache()

/// The city configuration's `city.yaml` (YAML through Yams, then every field checked): any bytes give a city or a
/// `file:line: problem`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Foundation (Swift 6.3.1) leaks 4 KiB on every `FileManager.contents(atPath:)` of an empty file (README,
    // "Fuzzing"): not CityLine's leak, so no empty files here.
    guard size > 0 else { return 0 }
    // Written in place with plain POSIX calls: `FileManager.createFile` writes a temporary file, fsyncs and renames
    // it, which cost more than the load itself (a scratch copy needs no durability).
    let file = open(directory + "/city.yaml", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(file >= 0, "city-yaml: cannot write the scratch city.yaml")
    precondition(write(file, data, size) == size, "city-yaml: short write of the scratch city.yaml")
    close(file)
    _ = try? CityLoader(directory: directory, environment: [:], cache: parsed).load()
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
