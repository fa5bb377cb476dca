import CityLineTestSupport
import Foundation
import Testing

/// The `cityline` binary itself, run as a newcomer would: piped `chat`, `classify` and `check`.
@Suite struct CLITests {
    /// Runs `cityline` to its end on a thread of its own (`blocking`): a sanitized build takes seconds per command.
    func run(_ arguments: [String], input: String, environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let binary = try #require(CityLineBinary.url, "build the cityline executable first (swift build)")
        return try await runToEnd(arguments, executable: binary, environment: environment, directory: Demo.root, input: input)
    }

    @Test func chatReportsAPotholeFromPipedInput() async throws {
        let data = temporaryPath("chat")
        let (status, output) = try await run(["chat", "--data-dir", data], input: "There's a big pothole at 1423 Oak St\nskip\nskip\nskip\nyes\n")
        #expect(status == 0)
        #expect(output.contains("Tracking number: "), "\(output)")
        #expect(output.contains("Public Works - Streets"), "SMS bodies use a plain dash")
        // The conversation lives in the SQLite store: a second run continues with the same resident.
        let (_, again) = try await run(["chat", "--data-dir", data], input: "STATUS\n")
        #expect(again.contains("You have 1 open report:"), "\(again)")
        #expect(FileManager.default.fileExists(atPath: data + "/cityline.sqlite"))
    }

    /// The issue's "done when": a Spanish report from the first message to the ticket, every reply in Spanish.
    @Test func chatCompletesASpanishReport() async throws {
        let data = temporaryPath("chat")
        let input = "Hay un bache enorme en la calle Oak\nCalle Oak 1423\nomitir\nomitir\nomitir\nsí\n"
        let (status, output) = try await run(["chat", "--data-dir", data], input: input)
        #expect(status == 0)
        #expect(output.contains("Bache: anotado. ¿Dónde está?"), "\(output)")
        #expect(output.contains("Revise su reporte:"), "\(output)")
        #expect(output.contains("¡Gracias! Reporte #"), "\(output)")
        #expect(!output.contains("Thank you"), "\(output)")
    }

    /// Another program drives `chat` through a pipe it keeps open: each reply arrives as soon as it is written, not
    /// when stdin closes. (Before, nothing appeared until the end: the reply sat in stdout's buffer.) The limit
    /// only stops a hang; it is minutes because the suite, started at once, can hold every thread for a minute.
    @Test(.timeLimit(.minutes(5))) func chatAnswersEachLineWhileThePipeStaysOpen() async throws {
        let binary = try #require(CityLineBinary.url, "build the cityline executable first (swift build)")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["chat", "--data-dir", try temporaryDirectory()]
        process.currentDirectoryURL = Demo.root
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        defer { process.terminate() }
        stdin.fileHandleForWriting.write(Data("help\n".utf8))
        let (output, ended) = try await blocking {
            var output = ""
            while !output.contains("Emergency? Call 911.") {
                let chunk = stdout.fileHandleForReading.availableData // blocks until the reply is written
                if chunk.isEmpty { return (output, true) }
                output += String(decoding: chunk, as: UTF8.self)
            }
            return (output, false)
        }
        #expect(!ended, "chat ended before answering")
        #expect(output.hasPrefix("Springfield 311: report city problems"), "\(output)")
        try stdin.fileHandleForWriting.close()
        await process.exited()
        #expect(process.terminationStatus == 0)
    }

    @Test func classifyPrintsOneJSONObjectPerLine() async throws {
        let (status, output) = try await run(["classify"], input: "pothole on Main St\nI smell gas\nSTOP\nhello\n")
        #expect(status == 0)
        let lines = output.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        try #require(lines.count == 4, "\(output)")
        #expect(lines[0]?["service_code"] as? String == "pothole")
        #expect(lines[0]?["service_name"] as? String == "Pothole")
        #expect(lines[0]?["language"] as? String == "en")
        #expect(lines[1]?["emergency"] as? Bool == true)
        #expect(lines[2]?["opt_out"] as? Bool == true)
        #expect(lines[3]?["service_code"] is NSNull)
        #expect((lines[0]?["confidence"] as? Double ?? 0) > 0.5)
    }

    @Test func classifyNamesTheLanguageAndUsesItsServiceName() async throws {
        let input = "Hay un bache enorme en la calle Oak\n路灯坏了\nĐèn đường bị hỏng\nحفرة كبيرة في الشارع\nALTO\n"
        let (_, output) = try await run(["classify"], input: input)
        let lines = output.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        try #require(lines.count == 5, "\(output)")
        #expect(lines.map { $0?["language"] as? String } == ["es", "zh", "vi", "ar", "es"])
        #expect(lines[0]?["service_code"] as? String == "pothole")
        #expect(lines[0]?["service_name"] as? String == "Bache")
        #expect(lines[1]?["service_code"] as? String == "streetlight")
        #expect(lines[2]?["service_code"] as? String == "streetlight")
        #expect(lines[3]?["service_code"] as? String == "pothole")
        #expect(lines[4]?["opt_out"] as? Bool == true)
    }

    @Test func classifyExplainsWhereTheMessageSaysTheProblemIs() async throws {
        let (status, output) = try await run(["classify", "--explain"], input: "pothole on Oak St near 5th St\nstreetlight out\n")
        #expect(status == 0)
        let lines = output.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        try #require(lines.count == 2, "\(output)")
        let location = try #require(lines[0]?["location"] as? String, "\(output)")
        #expect(location.hasPrefix("intersection: Oak St & 5th St → Oak St & 5th St, 39."), "\(location)")
        #expect(lines[1]?["location"] is NSNull, "no place named: null, not left out")
    }

    @Test func classifyExplainsWhichLanguageAnEmergencyIsAnsweredIn() async throws {
        // Pinyin's short syllables are also Vietnamese typed without marks; the longer Chinese phrase decides. A
        // message with no finding has no answer language at all.
        let input = "wo nainai zuichun fa zi, jiao ta ye bu ying\nnhà bên cạnh đang cháy\npothole on Main St\n"
        let (status, output) = try await run(["classify", "--explain"], input: input)
        #expect(status == 0)
        let lines = output.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        try #require(lines.count == 3, "\(output)")
        #expect(lines[0]?["triage_language"] as? String == "zh-Hans", "\(output)")
        #expect(lines[1]?["triage_language"] as? String == "vi", "\(output)")
        #expect(lines[2]?["triage_language"] == nil, "\(output)")
    }

    @Test func checkReportsSMSSegmentsPerLocale() async throws {
        let (_, output) = try await run(["check"], input: "")
        #expect(output.contains("SMS encoding and segments per message"), "\(output)")
        #expect(output.range(of: #"\n +welcome +G2 +G2 "#, options: .regularExpression) != nil,
                "English and Spanish welcome are two GSM-7 segments: \(output)")
    }

    @Test func checkPassesOnTheDemoCity() async throws {
        let (status, output) = try await run(["check"], input: "")
        #expect(status == 0, "\(output)")
        #expect(output.contains("configuration is clean"))
    }

    @Test func checkFailsWithFileAndLine() async throws {
        let (status, output) = try await run(["check"], input: "", environment: ["CITYLINE_SESSION_EXPIRY": "forever"])
        #expect(status == 1)
        #expect(output.contains("environment CITYLINE_SESSION_EXPIRY"), "\(output)")
    }

    /// A city's own `templates/` folder overrides one file; a broken template stops `check` (and `serve`) with its
    /// file and line.
    @Test func cityTemplatesOverrideAndBrokenOnesAreNamed() async throws {
        let city = try temporaryDirectory()
        for file in ["city.yaml", "services.yaml", "information.yaml", "emergencies.yaml", "emergencies", "danger-model.json", "boundaries", "brand"] {
            try FileManager.default.copyItem(atPath: Demo.root.appendingPathComponent("DemoCity/\(file)").path, toPath: city + "/\(file)")
        }
        try FileManager.default.createDirectory(atPath: city + "/templates/sms", withIntermediateDirectories: true)
        try "{{body}}\n{{#ticket}}\n".write(toFile: city + "/templates/sms/message.mustache", atomically: true, encoding: .utf8)
        let (status, output) = try await run(["check", "--config", city], input: "")
        #expect(status == 1)
        #expect(output.contains("\(city)/templates/sms/message.mustache:3: a section is not closed"), "\(output)")
        let serve = try await run(["serve", "--config", city, "--data-dir", try temporaryDirectory(), "--port", "0", "--smtp-port", "0"], input: "")
        #expect(serve.status != 0)
        #expect(serve.output.contains("templates/sms/message.mustache:3"), "\(serve.output)")

        try "{{body}} -{{program}}".write(toFile: city + "/templates/sms/message.mustache", atomically: true, encoding: .utf8)
        let (_, chat) = try await run(["chat", "--config", city, "--data-dir", try temporaryDirectory()], input: "help\n")
        #expect(chat.contains("Emergency? Call 911. -Springfield 311"), "\(chat)")
    }
}
