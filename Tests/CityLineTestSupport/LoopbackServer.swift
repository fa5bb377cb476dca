import Foundation
import Hummingbird

/// The built `cityline` executable next to the test bundle (`.build/debug/`).
public enum CityLineBinary {
    public static var url: URL? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("cityline")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }
}

/// Runs blocking work (waiting for a child process's output or its exit) on a thread of its own. Swift concurrency
/// runs every test's tasks on a few threads (one per core) that it shares with Dispatch's global queues on Linux;
/// a test that blocks one of them, or a `DispatchQueue.global()` item, stalls the others — and the servers they
/// run in this process, so that a client script waiting on such a server holds its thread until its own socket
/// timeout. (CI once stalled 90 s that way: Python SMTP clients waited on Dispatch threads for a listener that
/// needed them.) A new thread per call costs little next to starting a process.
public func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result(catching: work)) }
    }
}

/// Runs a program to its end on a thread of its own (`blocking`): its exit status and everything it printed, standard
/// output and error together. `environment` is added to the test's own; `input`, when given, is written to its
/// standard input, which is then closed. The default `executable` is `/usr/bin/env`, so `["python3", …]` finds Python.
public func runToEnd(_ arguments: [String], executable: URL = URL(fileURLWithPath: "/usr/bin/env"),
                     environment: [String: String] = [:], directory: URL? = nil,
                     input: String? = nil) async throws -> (status: Int32, output: String) {
    try await blocking {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let stdin = Pipe(), output = Pipe()
        if input != nil { process.standardInput = stdin }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

extension Process {
    /// Waits until the process has exited, on a thread of its own (`blocking`).
    public func exited() async {
        _ = try? await blocking { self.waitUntilExit() }
    }

    /// Ends a server a test started (`cityline serve`): SIGTERM, then waits until it has exited (SIGKILL after
    /// `grace`), on a thread of its own. The test leaves nothing running behind it, and Foundation lets go of the
    /// process (under AddressSanitizer a process never waited for is still held, with its pipes, when the run ends).
    public func stop(grace: TimeInterval = 60) async {
        _ = try? await blocking {
            if self.isRunning { self.terminate() }
            let deadline = Date().addingTimeInterval(grace)
            while self.isRunning && Date() < deadline { usleep(20_000) }
            if self.isRunning { kill(self.processIdentifier, SIGKILL) }
            self.waitUntilExit()
        }
    }
}

/// Runs `body`, then stops `server` (`Process.stop`) whether `body` returned or threw: a `defer` cannot wait.
public func stopping<T>(_ server: Process, after body: () async throws -> T) async throws -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
    return result
}

/// Runs `body` with a Hummingbird server for `router` on a free loopback port; `body` gets its base URL
/// (`http://127.0.0.1:PORT`). The server stops when `body` returns. For stand-ins of other systems (a
/// Twilio-compatible API, a department's webhook receiver).
public func withLoopbackServer(_ router: Router<BasicRequestContext>, _ body: (String) async throws -> Void) async throws {
    let port = Locked(0)
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port ?? 0 } })
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        while port.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(20)) }
        try await body("http://127.0.0.1:\(port.withLock { $0 })")
        group.cancelAll()
    }
}
