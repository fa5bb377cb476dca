import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import Hummingbird
import Storage
import StorageSQLite
import Synchronization
import Testing
import WebAPI

/// The operators' console end to end in a real headless Chromium: the application built as `cityline serve`
/// builds it, on a free port, driven by `Tests/Browser/console_test.py` (Selenium, axe-core). Skipped, saying
/// why, where Chromium or the Python packages are missing (`.ci/run` installs them).
@Suite struct ConsoleBrowserTests {
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

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Browser/console_test.py")

    @Test(.enabled(if: isAvailable, "needs Debian's chromium and chromium-driver, and selenium and axe-selenium-python from PyPI"))
    func anOperatorAnswersASpanishResidentInChromium() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        let secret = "clt_console-browser-test"
        _ = try await store.createToken(hash: StaffTokenHash.hash(secret), role: .staff, department: "customer-service", label: "Ana", at: Date())
        var configuration = try AppConfiguration.testing(store: .sqlite(store))
        let port = Mutex(0)
        configuration.onServerRunning = { bound, _ in port.withLock { $0 = bound } }
        let app = try await buildApplication(configuration)

        let (status, output) = try await withThrowingTaskGroup(of: (Int32, String)?.self) { group in
            group.addTask { try await app.runService(); return nil }
            while port.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(20)) }
            let base = "http://127.0.0.1:\(port.withLock { $0 })"
            group.addTask {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", Self.script.path, base, secret]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                try process.run()
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return (process.terminationStatus, String(decoding: data, as: UTF8.self))
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            return (-1, "the server stopped first")
        }
        #expect(status == 0, "console_test.py:\n\(output)")

        // What the operator did is in the store: her two replies and the closing line, in Spanish, as operator replies.
        let replies = try await outboxEntries(store).filter { $0.message.kind == .operatorReply }
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
}
