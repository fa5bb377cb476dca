import ChannelEmail
import Foundation
import FuzzDriver

/// The SMTP listener's command reader: the input is what a client sends, cut into chunks where it has a 0xFF byte
/// (so pipelining and lines split across reads are covered). Every step is a reply with a 3-digit code, a message
/// no larger than the limit, or the end; nothing follows the end.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let limit = 4_096
    var reader = SMTPCommandReader(hostname: "fuzz", maxMessageBytes: limit)
    var closed = false
    for chunk in bytes.split(separator: 0xFF, omittingEmptySubsequences: false) {
        for step in reader.read(chunk) {
            precondition(!closed, "SMTP: a step after the connection ended")
            switch step {
            case .reply(let answer):
                precondition(answer.utf8.count >= 3 && answer.utf8.prefix(3).allSatisfy { (0x30...0x39).contains($0) },
                              "SMTP: a reply without a code")
            case .deliver(let message): precondition(message.count <= limit, "SMTP: a message over the limit")
            case .close: closed = true
            }
        }
    }
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
