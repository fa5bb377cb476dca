import ChannelChatApps
import Foundation
import FuzzDriver

let signature = WhatsAppSignature(appSecret: "fuzz-app-secret")

/// The WhatsApp Cloud API webhook: the notification JSON and `X-Hub-Signature-256` (the input's first line is the
/// header, the rest the body).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let newline = bytes.firstIndex(of: 0x0A) ?? bytes.startIndex
    let header = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = Array(bytes[(newline == bytes.endIndex ? newline : newline + 1)...])
    _ = signature.isValid(header, body: body)
    guard signature.isValid(signature.header(for: body), body: body) else { fatalError("WhatsAppSignature: its own header is not valid") }
    _ = try? WhatsAppNotification(body)
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
