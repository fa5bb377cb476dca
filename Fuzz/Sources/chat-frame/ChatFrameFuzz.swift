import Foundation
import FuzzDriver
import WebAPI

/// The web chat's client frames (`/chat/ws`, text frames up to 16 KiB): any text gives a frame or a problem.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size <= ChatSocket.maxFrame else { return 0 }
    _ = try? ChatClientFrame.decode(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
