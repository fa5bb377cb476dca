import Foundation
import FuzzDriver
import Transport

/// `application/x-www-form-urlencoded` bodies (every webhook and Open311 POST): any bytes give parameters or
/// `FormBody.Malformed`, and what was read encodes back to the same parameters.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let form = try? FormBody(bytes) else { return 0 }
    guard let again = try? FormBody(Array(FormBody.encode(form.parameters).utf8)),
          again.parameters.elementsEqual(form.parameters, by: ==) else {
        fatalError("FormBody: encoding what was read does not read back the same")
    }
    return 0
}

@main enum Main {
    static func main() { exit(cityline_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
