import ChannelChatApps
import Foundation
import FuzzDriver

/// The Telegram Bot API webhook: any bytes give an update or an error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? TelegramUpdate(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
