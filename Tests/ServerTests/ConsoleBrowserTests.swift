import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import Hummingbird
import NIOPosix
import Storage
import StorageSQLite
import Testing
import WebAPI

/// The operators' console and the web chat end to end in a real headless Chromium, one at a time (each is a
/// browser): the application built as `cityline serve` builds it, on a free port, driven by the scripts in
/// `Tests/Browser/` (Selenium, axe-core). Skipped, saying why, where Chromium or the Python packages are missing
/// (`.ci/run` installs them).
@Suite(.serialized) struct ConsoleBrowserTests {
    static func runs(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    static let isAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        && runs(["python3", "-c", "import selenium, axe_selenium_python"])

    static let browser = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Browser")

    /// Runs `console_test.py` against `base`; its exit status and everything it printed.
    static func runScript(_ name: String = "console_test.py", base: String, token: String? = nil, more: [String] = []) async throws -> (Int32, String) {
        try await runToEnd(["python3", browser.appendingPathComponent(name).path, base] + (token.map { [$0] } ?? []) + more)
    }

    /// The outbox file's `operator_reply` lines.
    static func operatorLines(_ path: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.filter { $0["kind"] as? String == "operator_reply" }
    }

    @Test(.enabled(if: isAvailable, "needs Debian's chromium and chromium-driver, and selenium and axe-selenium-python from PyPI"))
    func anOperatorAnswersASpanishResidentInChromium() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        let secret = "clt_console-browser-test"
        _ = try await store.createToken(hash: StaffTokenHash.hash(secret), role: .staff, department: "customer-service", label: "Ana", at: Date())
        var configuration = try AppConfiguration.testing(store: .sqlite(store))
        // The dispatcher runs, as in `cityline serve`: what the operator sends becomes lines of the outbox file.
        configuration.runsBackgroundWork = true
        let outboxFile = configuration.storage.dataDirectory + "/outbox.jsonl"
        let (status, output) = try await withRunningApplication(configuration) { bound in
            let result = try await Self.runScript(base: "http://127.0.0.1:\(bound)", token: secret)
            // Wait (bounded) until the dispatcher has written the operator's three messages to the outbox file.
            for _ in 0..<300 where Self.operatorLines(outboxFile).count < 3 { try await Task.sleep(for: .milliseconds(100)) }
            return result
        }
        #expect(status == 0, "console_test.py:\n\(output)")

        // What the operator sent left through the outbox: her two replies and the closing line, in Spanish.
        #expect(Self.operatorLines(outboxFile).map { $0["to"] as? String } == Array(repeating: "+12175550188", count: 3))
        let replies = try await outboxEntries(store).filter { $0.message.kind == .operatorReply }
        #expect(Self.operatorLines(outboxFile).map { $0["body"] as? String } == replies.map(\.message.body))
        #expect(replies.map(\.message.body) == [
            "Operador de Springfield 311: ¿Cuál es la dirección exacta o el cruce de calles más cercano?",
            "Operador de Springfield 311: Gracias, lo reportamos.",
            "Terminó su conversación con un operador de Springfield 311. Para reportar un problema, díganos qué pasa y dónde.",
        ])
        #expect(try await store.handoffs(states: nil, departments: nil, limit: 10).map(\.state) == [.closed, .waiting])
        // The report the operator filed is hers, in Spanish, for Streets.
        let filed = try await store.tickets(reportedBy: ChannelAddress(channel: .sms, address: "+12175550188"))
        #expect(filed.map { [$0.draft.serviceCode, $0.department, $0.draft.locale.code] } == [["pothole", "streets", "es"]])
    }

    @Test(.enabled(if: isAvailable, "needs Debian's chromium and chromium-driver, and selenium and axe-selenium-python from PyPI"))
    func aResidentReportsByWebChatAcrossAReload() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        let (status, output) = try await withRunningApplication(try AppConfiguration.testing(store: .sqlite(store))) { bound in
            try await Self.runScript("chat_test.py", base: "http://127.0.0.1:\(bound)")
        }
        #expect(status == 0, "chat_test.py:\n\(output)")
        // The report is stored, from a chat resident, in Spanish.
        let tickets = try await store.tickets(TicketFilter())
        #expect(tickets.map { [$0.draft.serviceCode, $0.reporter.channel.rawValue, $0.draft.locale.code] } == [["pothole", "chat", "es"]])
    }

    @Test(.enabled(if: isAvailable, "needs Debian's chromium and chromium-driver, and selenium and axe-selenium-python from PyPI"))
    func aResidentSendsAPhotoThroughTheWidgetOnTheCitysSite() async throws {
        // The city's site on a port of its own (another origin), listed in `web.embed_on` of a copy of the demo city.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let site = probe.localAddress?.port ?? 0
        try await probe.close()
        let directory = try temporaryDirectory() + "/city"
        try FileManager.default.copyItem(atPath: Demo.root.appendingPathComponent("DemoCity").path, toPath: directory)
        let yaml = directory + "/city.yaml"
        try String(contentsOfFile: yaml, encoding: .utf8)
            .replacingOccurrences(of: "embed_on: [https://springfield.example]", with: "embed_on: [http://127.0.0.1:\(site)]")
            .write(toFile: yaml, atomically: true, encoding: .utf8)
        let photo = try temporaryDirectory() + "/wall.png"
        try Data(ChatPhotoTests.png).write(to: URL(fileURLWithPath: photo))

        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        var configuration = try AppConfiguration.testing(store: .sqlite(store))
        configuration.city = Demo.settings
        configuration.city.configDirectory = directory
        let (status, output) = try await withRunningApplication(configuration) { bound in
            try await Self.runScript("widget_test.py", base: "http://127.0.0.1:\(bound)", more: ["\(site)", photo])
        }
        #expect(status == 0, "widget_test.py:\n\(output)")
        let tickets = try await store.tickets(TicketFilter())
        #expect(tickets.map { [$0.draft.serviceCode, $0.reporter.channel.rawValue, $0.draft.locale.code, "\($0.draft.media.count)"] }
                == [["graffiti", "chat", "es", "1"]])
    }

    @Test(.enabled(if: isAvailable, "needs Debian's chromium and chromium-driver, and selenium and axe-selenium-python from PyPI"))
    func aManagerReadsTheDashboard() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        try await ReportsTests.seed(store)
        _ = try await store.createToken(hash: StaffTokenHash.hash("clt_dashboard"), role: .admin, department: nil, label: nil, at: t0)
        let configuration = try AppConfiguration.testing(store: .sqlite(store), clock: { t0.addingTimeInterval(7 * 86_400) })
        let (status, output) = try await withRunningApplication(configuration) { bound in
            try await Self.runScript("dashboard_test.py", base: "http://127.0.0.1:\(bound)", token: "clt_dashboard")
        }
        #expect(status == 0, "dashboard_test.py:\n\(output)")
    }
}
