import ChannelEmail
import Foundation
import FuzzDriver

/// Inbound email (`POST /webhooks/email/inbound` and the SMTP listener's messages): headers, MIME parts,
/// transfer encodings, RFC 2047 words, charsets, the reply's new text and the thread.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let email = try? InboundEmail.parse(bytes) {
        _ = email.text
        _ = email.thread
        _ = EmailAddress(parsing: email.from)
    }
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
