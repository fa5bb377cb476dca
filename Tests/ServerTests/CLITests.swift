import Foundation
import Testing

/// The `cityline` binary itself, run as a newcomer would: piped `chat`, `classify` and `check`.
@Suite struct CLITests {
    func run(_ arguments: [String], input: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let binary = try #require(CityLineBinary.url, "build the cityline executable first (swift build)")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = Demo.root
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func chatReportsAPotholeFromPipedInput() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("cityline-chat-\(UUID().uuidString)").path
        let (status, output) = try run(["chat", "--data-dir", data], input: "There's a big pothole at 1423 Oak St\nskip\nskip\nskip\nyes\n")
        #expect(status == 0)
        #expect(output.contains("Tracking number: "), "\(output)")
        #expect(output.contains("Public Works – Streets"))
        // The conversation lives in the SQLite store: a second run continues with the same resident.
        let (_, again) = try run(["chat", "--data-dir", data], input: "STATUS\n")
        #expect(again.contains("Your open reports:"), "\(again)")
        #expect(FileManager.default.fileExists(atPath: data + "/cityline.sqlite"))
    }

    @Test func classifyPrintsOneJSONObjectPerLine() throws {
        let (status, output) = try run(["classify"], input: "pothole on Main St\nI smell gas\nSTOP\nhello\n")
        #expect(status == 0)
        let lines = output.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count == 4)
        #expect(lines[0]?["service_code"] as? String == "pothole")
        #expect(lines[0]?["service_name"] as? String == "Pothole")
        #expect(lines[0]?["language"] as? String == "en")
        #expect(lines[1]?["emergency"] as? Bool == true)
        #expect(lines[2]?["opt_out"] as? Bool == true)
        #expect(lines[3]?["service_code"] is NSNull)
        #expect((lines[0]?["confidence"] as? Double ?? 0) > 0.5)
    }

    @Test func checkPassesOnTheDemoCity() throws {
        let (status, output) = try run(["check"], input: "")
        #expect(status == 0, "\(output)")
        #expect(output.contains("configuration is clean"))
    }

    @Test func checkFailsWithFileAndLine() throws {
        let (status, output) = try run(["check"], input: "", environment: ["CITYLINE_SESSION_EXPIRY": "forever"])
        #expect(status == 1)
        #expect(output.contains("environment CITYLINE_SESSION_EXPIRY"), "\(output)")
    }
}
