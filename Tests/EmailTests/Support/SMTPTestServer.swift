import CityLineTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real SMTP server on loopback for tests: Python's aiosmtpd running `SMTPTestServerScript` as a subprocess, with
/// a self-signed certificate made by the `openssl` CLI when TLS is wanted. Call `stop()` when done (use `defer`).
final class SMTPTestServer {
    enum TLS: String { case none, starttls, implicit }

    struct Options {
        var tls: TLS = .none
        var user: String?
        var password: String?
        var reject: [String] = []
        var excludeAuth: [String] = []
    }

    /// One message as the server saw it (the JSON the script writes).
    struct Received: Decodable {
        var headers: [[String]]
        var subject: String?
        var contentType: String
        var parts: [String]
        var transferEncodings: [String]
        var text: String?
        var html: String?
        var defects: [String]
        var mailFrom: String
        var rcptTos: [String]
        var mailOptions: [String]
        var tls: Bool
        var authenticated: Bool
        var authMechanism: String?
        var authLogin: String?
        /// The raw message bytes as received (after dot-unstuffing).
        var raw: String = ""

        enum CodingKeys: String, CodingKey {
            case headers, subject, parts, text, html, defects, tls, authenticated
            case contentType = "content_type", transferEncodings = "transfer_encodings", mailFrom = "mail_from"
            case rcptTos = "rcpt_tos", mailOptions = "mail_options", authMechanism = "auth_mechanism"
            case authLogin = "auth_login"
        }

        /// The decoded value of the first header called `name`.
        func header(_ name: String) -> String? {
            headers.first { $0.first?.lowercased() == name.lowercased() }?.last
        }
    }

    /// True when `python3` can import aiosmtpd and `openssl` runs; the loopback tests are skipped otherwise.
    static let isAvailable: Bool = run(["python3", "-c", "import aiosmtpd"]) && run(["openssl", "version"])
    static let unavailableReason: Comment = "needs python3 with aiosmtpd (pip install aiosmtpd) and the openssl CLI"

    let directory: URL
    let port: Int
    /// The self-signed certificate (PEM) to trust, when the server uses TLS.
    let certificateFile: String?
    private let process: Process
    /// The server's standard input: closing it makes the server exit (also when this test process dies).
    private let lifeline: Pipe

    private init(directory: URL, port: Int, certificateFile: String?, process: Process, lifeline: Pipe) {
        self.directory = directory
        self.port = port
        self.certificateFile = certificateFile
        self.process = process
        self.lifeline = lifeline
    }

    /// Starts a server and waits (polling, up to 90 s) until it listens.
    static func start(_ options: Options = Options()) async throws -> SMTPTestServer {
        let directory = URL(fileURLWithPath: temporaryPath("smtp"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("smtp_server.py")
        try SMTPTestServerScript.source.write(to: script, atomically: true, encoding: .utf8)
        var arguments = ["python3", script.path, "--dir", directory.path, "--tls", options.tls.rawValue]
        var certificateFile: String?
        if options.tls != .none {
            let certificate = directory.appendingPathComponent("cert.pem").path
            let key = directory.appendingPathComponent("key.pem").path
            let made = try await blocking { run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                            "-nodes", "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=localhost",
                            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]) }
            guard made else { throw Failure("openssl could not make a self-signed certificate") }
            arguments += ["--cert", certificate, "--key", key]
            certificateFile = certificate
        }
        if let user = options.user { arguments += ["--user", user, "--password", options.password ?? ""] }
        for address in options.reject { arguments += ["--reject", address] }
        for mechanism in options.excludeAuth { arguments += ["--exclude-auth", mechanism] }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        let lifeline = Pipe()
        process.standardInput = lifeline
        try process.run()

        let ready = directory.appendingPathComponent("ready.json")
        let deadline = Date().addingTimeInterval(90) // eight Python servers start at once on a loaded two-core machine
        // Looks once more after the deadline: on a busy machine this task may wake long after its 20 ms sleep.
        while true {
            if let data = try? Data(contentsOf: ready),
               let port = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["port"] as? Int {
                return SMTPTestServer(directory: directory, port: port, certificateFile: certificateFile, process: process,
                                         lifeline: lifeline)
            }
            guard process.isRunning else {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw Failure("the aiosmtpd test server exited: \(output.suffix(2_000))")
            }
            guard Date() < deadline else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        Self.end(process, lifeline)
        throw Failure("the aiosmtpd test server did not start within 90 s")
    }

    /// Every message received so far, oldest first.
    func received() throws -> [Received] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") && $0 != "ready.json" }.sorted()
        return try names.map { name in
            let json = directory.appendingPathComponent(name)
            var message = try JSONDecoder().decode(Received.self, from: Data(contentsOf: json))
            let raw = json.deletingPathExtension().appendingPathExtension("eml")
            message.raw = String(decoding: try Data(contentsOf: raw), as: UTF8.self)
            // Python keeps the CRLFs of the wire in decoded text; compare text with "\n" line ends.
            message.text = message.text?.replacingOccurrences(of: "\r\n", with: "\n")
            message.html = message.html?.replacingOccurrences(of: "\r\n", with: "\n")
            return message
        }
    }

    func stop() {
        Self.end(process, lifeline)
        try? FileManager.default.removeItem(at: directory)
    }

    /// SIGKILL (a child of a Swift test can start with SIGTERM blocked) and closing its stdin, then reaping it.
    private static func end(_ process: Process, _ lifeline: Pipe) {
        try? lifeline.fileHandleForWriting.close()
        if process.isRunning {
            _ = kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs a command quietly; true when it exits 0.
    @discardableResult
    static func run(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            return false
        }
    }
}
