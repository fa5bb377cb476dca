import ChannelSMS
import Foundation
import FuzzDriver
import Transport

let signature = TwilioSignature(authToken: "fuzz-auth-token")

/// Twilio's Messaging webhook: the form body, the inbound message read from it, and the `X-Twilio-Signature`
/// check over its parameters (the input's first line is the header, the rest the body).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let newline = bytes.firstIndex(of: 0x0A) ?? bytes.startIndex
    let header = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = Array(bytes[(newline == bytes.endIndex ? newline : newline + 1)...])
    guard let form = try? FormBody(body) else { return 0 }
    let url = "https://311.springfield.example/webhooks/twilio/sms"
    _ = signature.isValid(header, url: url, parameters: form.parameters)
    guard signature.isValid(signature.sign(url: url, parameters: form.parameters), url: url, parameters: form.parameters) else {
        fatalError("TwilioSignature: its own signature is not valid")
    }
    if let inbound = try? TwilioInbound(form) {
        _ = inbound.message(receivedAt: Date(timeIntervalSince1970: 1_800_000_000))
        _ = TwiML.response([inbound.body])
    }
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
