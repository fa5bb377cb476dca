// Many concurrent web-chat sessions (Benchmarks/chat.sh): opens N WebSockets to `/chat/ws` at a bounded rate and
// starts a new resident on each; each resident then sends the first part of a dialog (unmeasured warm-up, so the
// sessions are at random points of their dialogs), and from then on a message every `--interval` seconds (random
// phase, so the server sees a steady N/interval messages a second) for `--seconds`. Measured: each message's time
// to its `ack` (durably stored) and to the bot's first reply, overall and per window of send time. With
// `--server-pid` it reads the server's memory (VmRSS, VmHWM) and CPU time from /proc. One process, the event loops
// of `MultiThreadedEventLoopGroup.singleton`: no thread per connection, one small task pair (reader, sender) each.
// Plain lines, then one JSON line for scripts.
import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import WSClient

#if canImport(Glibc)
import Glibc
#endif

typealias Instant = ContinuousClock.Instant

@main
struct ChatBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cityline-chat-bench",
        abstract: "Open many web-chat WebSockets and send messages at a steady rate; report ack and reply latency."
    )

    @Option(help: "The chat WebSocket.") var url = "ws://127.0.0.1:8311/chat/ws"
    @Option(help: "WebSocket sessions to open (one new resident each).") var sessions = 5000
    @Option(help: "Seconds between one session's messages (the server allows one a second after a burst of 10).")
    var interval = 10.0
    @Option(help: "Seconds measured, once every session is open.") var seconds = 30.0
    @Option(help: "New connections a second while opening.") var ramp = 1000.0
    @Option(help: "Most seconds to wait for outstanding answers after the last message.") var drain = 15.0
    @Option(help: "Seconds to wait for every session to start, after the last connection attempt.") var openTimeout = 60.0
    @Option(name: .customLong("server-pid"), help: "The server's process id: its memory and CPU from /proc/PID.")
    var serverPID: Int32?
    @Option(help: "Seconds per line of the timeline (latency by send time, server CPU and memory); 0: none.")
    var window = 10.0
    @Flag(help: "Start every session at a dialog's first message (by default each first sends a random part of its dialog while opening, unmeasured, so the measured messages include filed reports in their usual share).")
    var fromDialogStart = false
    @Option(help: "The city's addresses, for the reports' locations (CSV: number,street,unit,…; the demo city's by default).")
    var addresses = "DemoCity/addresses.csv"
    @Option(help: "A name for this run in the output.") var label = "run"

    func validate() throws {
        guard sessions > 0, interval > 0, seconds > 0, ramp > 0 else {
            throw ValidationError("--sessions, --interval, --seconds and --ramp must be positive")
        }
    }

    func run() async throws {
        var logger = Logger(label: "cityline-chat-bench")
        logger.logLevel = .critical
        let stats = Stats()
        let warmGate = Gate<Instant>()
        let startGate = Gate<Instant>()
        let closeGate = Gate<Instant>()
        let (script, addressNote) = Script.load(addresses)
        let plan = Plan(url: url, interval: interval, seconds: seconds, logger: logger, stats: stats,
                        warmGate: warmGate, startGate: startGate, closeGate: closeGate, script: script, warmUp: !fromDialogStart)
        let clock = ContinuousClock()

        // Open: `ramp` connection attempts a second; each session starts a resident and waits for the others; then
        // all warm up (each sends the part of its dialog before where it is measured), and wait again.
        let serverBefore = await serverPID.asyncMap(ProcessStatus.settled)
        let opening = clock.now
        let sessionCount = sessions
        let rampRate = ramp
        let everyone = Task {
            await withDiscardingTaskGroup { group in
                for index in 0..<sessionCount {
                    try? await Task.sleep(until: opening.advanced(by: .seconds(Double(index) / rampRate)), clock: .continuous)
                    group.addTask { await plan.session(index) }
                }
            }
        }
        let lastAttempt = opening.advanced(by: .seconds(Double(sessions) / ramp))
        func settle(_ count: @escaping @Sendable (Stats.State) -> Int, by deadline: Instant) async throws {
            while clock.now < deadline {
                let settled = stats.state.withLock { count($0) + $0.dropped + $0.failures.values.reduce(0, +) }
                if settled >= sessionCount { return }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        try await settle({ $0.connected }, by: lastAttempt.advanced(by: .seconds(openTimeout)))
        let opened = clock.now
        let connected = stats.state.withLock { $0.connected }
        let serverConnected = await serverPID.asyncMap(ProcessStatus.settled)
        warmGate.open(clock.now)
        try await settle({ $0.ready }, by: clock.now.advanced(by: .seconds(openTimeout)))
        let warmed = clock.now
        let serverOpen = serverPID.flatMap(ProcessStatus.read)
        let clientOpen = ProcessStatus.read(getpid())
        let machineOpen = MachineCPU.read()
        print("[\(label)] reports at \(addressNote)")
        print("[\(label)] opened \(connected) of \(sessions) sessions in \(format(opening.duration(to: opened).seconds, 1)) s"
              + " (ramp \(Int(ramp))/s), warmed up in \(format(opened.duration(to: warmed).seconds, 1)) s")

        // Measure: every session sends from `start` for `seconds`, then the answers still on their way may arrive.
        let start = clock.now.advanced(by: .milliseconds(200))
        startGate.open(start)
        let end = start.advanced(by: .seconds(seconds))
        // The timeline's readings of the server and the machine, at the end of each window.
        var readings: [Reading] = []
        if window > 0 {
            var next = start.advanced(by: .seconds(window))
            while next <= end.advanced(by: .milliseconds(1)) {
                try await Task.sleep(until: next, clock: .continuous)
                readings.append(Reading(server: serverPID.flatMap(ProcessStatus.read), machine: MachineCPU.read()))
                next = next.advanced(by: .seconds(window))
            }
        }
        try await Task.sleep(until: end, clock: .continuous)
        let deadline = end.advanced(by: .seconds(drain))
        while clock.now < deadline {
            let (outstanding, last) = stats.state.withLock { ($0.outstanding, $0.lastProgress) }
            if outstanding <= 0 || (last ?? end).duration(to: clock.now) > .seconds(3) && clock.now > end.advanced(by: .seconds(3)) {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let measured = clock.now
        let serverEnd = serverPID.flatMap(ProcessStatus.read)
        let clientEnd = ProcessStatus.read(getpid())
        let machineEnd = MachineCPU.read()

        let report = Report(label: label, sessions: sessions, interval: interval, seconds: seconds, ramp: ramp,
                            openSeconds: opening.duration(to: opened).seconds,
                            drainSeconds: end.duration(to: measured).seconds,
                            stats: stats.state.withLock { $0 },
                            serverBefore: serverBefore, serverConnected: serverConnected, serverOpen: serverOpen, serverEnd: serverEnd,
                            clientOpen: clientOpen, clientEnd: clientEnd, machineOpen: machineOpen, machineEnd: machineEnd,
                            measuredSeconds: warmed.duration(to: measured).seconds,
                            start: start, window: window, readings: readings)
        report.print()

        // Close: every session sends a close frame; give the handshakes a moment, not forever.
        closeGate.open(clock.now)
        let closed = Gate<Bool>()
        Task {
            await everyone.value
            closed.open(true)
        }
        Task {
            try? await Task.sleep(for: .seconds(15))
            closed.open(false)
        }
        if await !closed.wait() { print("[\(label)] some connections had not closed after 15 s") }
    }
}

/// What one session does; shared, immutable.
struct Plan: Sendable {
    let url: String
    let interval: Double
    let seconds: Double
    let logger: Logger
    let stats: Stats
    let warmGate: Gate<Instant>
    let startGate: Gate<Instant>
    let closeGate: Gate<Instant>
    let script: Script
    let warmUp: Bool

    static let startFrame = #"{"type":"start","session":null,"locale":"en"}"#

    func session(_ index: Int) async {
        let began = ContinuousClock.now
        let book = Book()
        // Each session begins in one of the dialogs: at its first message, or (`warmUp`) after sending a random
        // number of its messages while opening, each once its reply is in.
        let dialog = Int.random(in: 0..<Script.dialogs.count)
        let warm = warmUp ? Int.random(in: 0..<Script.dialogs[dialog].count) : 0
        let offset = Script.starts[dialog] + warm
        let phase = Double.random(in: 0..<interval)
        do {
            try await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: 1 << 16), eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                logger: logger
            ) { inbound, outbound, _ in
                try await outbound.write(.text(Self.startFrame))
                var frames = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                started: while true {
                    guard let message = try await frames.next() else { throw Failure("closed before started") }
                    guard case .text(let text) = message, let object = Frame.parse(text) else { continue }
                    switch object["type"] as? String {
                    case "started": break started
                    case "error": throw Failure("error frame on start: \(object["code"] as? String ?? "?")")
                    default: continue
                    }
                }
                book.started.withLock { $0 = true }
                stats.connected(after: began.duration(to: .now))
                _ = await warmGate.wait()
                for index in 0..<warm {
                    let id = "w\(index)"
                    try await outbound.write(.text(Frame.message(id: id, text: script.json(offset - warm + index))))
                    replied: while true {
                        guard let message = try await frames.next() else { throw Failure("closed while warming up") }
                        guard case .text(let text) = message, let object = Frame.parse(text) else { continue }
                        switch object["type"] as? String {
                        case "message" where (object["id"] as? String).flatMap(Frame.replyTarget) == id: break replied
                        case "error":
                            stats.state.withLock { $0.errors["(warm-up) \(object["code"] as? String ?? "?")", default: 0] += 1 }
                            if object["id"] as? String == id { break replied }
                        default: continue
                        }
                    }
                }
                stats.state.withLock {
                    $0.ready += 1
                    $0.warmUps += warm
                }

                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        await self.send(outbound, book: book, offset: offset, phase: phase)
                    }
                    // Until the connection ends (a lost one must not wait for the sender, which waits for the end).
                    do {
                        while let message = try await frames.next() {
                            guard case .text(let text) = message, let object = Frame.parse(text) else {
                                stats.state.withLock { $0.errors["(client) not a JSON text frame", default: 0] += 1 }
                                continue
                            }
                            book.receive(object, at: .now, stats: stats)
                        }
                    } catch {}
                    if !closeGate.isOpen {
                        book.dropped.withLock { $0 = true }
                        stats.state.withLock { $0.dropped += 1 }
                    }
                    group.cancelAll()
                    try await group.waitForAll()
                }
            }
        } catch {
            if book.started.withLock({ $0 }) {
                if !closeGate.isOpen, !book.dropped.withLock({ $0 }) { stats.state.withLock { $0.dropped += 1 } }
            } else {
                stats.failed(Failure.describe(error))
            }
        }
    }

    /// This session's messages: one every `interval` seconds from `start + phase`, while the measurement lasts.
    func send(_ outbound: WebSocketOutboundWriter, book: Book, offset: Int, phase: Double) async {
        let start = await startGate.wait()
        let end = start.advanced(by: .seconds(seconds))
        var next = start.advanced(by: .seconds(phase))
        var count = 0
        while next < end {
            do { try await Task.sleep(until: next, clock: .continuous) } catch { break }
            if book.dropped.withLock({ $0 }) { break }
            let id = "m\(count)"
            let frame = Frame.message(id: id, text: script.json(offset + count))
            book.sent(id, at: .now, stats: stats)
            do { try await outbound.write(.text(frame)) } catch { break }
            count += 1
            next = next.advanced(by: .seconds(interval))
        }
        _ = await closeGate.wait()
        try? await outbound.close(.normalClosure, reason: nil)
    }
}

/// One session's messages in flight (a handful at most), shared by its sender and its reader.
final class Book: Sendable {
    struct Entry {
        let id: String
        let sent: Instant
        var acked: Bool
    }

    let pending = Mutex<[Entry]>([])
    let started = Mutex(false)
    let dropped = Mutex(false)

    func sent(_ id: String, at now: Instant, stats: Stats) {
        pending.withLock { $0.append(Entry(id: id, sent: now, acked: false)) }
        stats.state.withLock {
            $0.sent += 1
            $0.outstanding += 1
        }
    }

    /// One frame from the server after `started`.
    func receive(_ object: [String: Any], at now: Instant, stats: Stats) {
        let id = object["id"] as? String
        switch object["type"] as? String {
        case "ack":
            let sent: Instant? = pending.withLock { pending in
                guard let index = pending.firstIndex(where: { $0.id == id && !$0.acked }) else { return nil }
                pending[index].acked = true
                return pending[index].sent
            }
            stats.state.withLock { state in
                state.lastProgress = now
                if let sent {
                    state.acks += 1
                    state.ackMs.append(sent.duration(to: now).milliseconds)
                    state.ackSent.append(sent)
                } else {
                    state.unmatched += 1
                }
            }
        case "message":
            let from = object["from"] as? String ?? ""
            guard from != "resident" else { return }
            // Replies to message `X` have ids `bX-1`, `bX-2` …; what the outbox pushes later has `o…` ids.
            if let id, id.hasPrefix("o") {
                stats.state.withLock { $0.pushed += 1 }
                return
            }
            let target = id.flatMap(Frame.replyTarget)
            let sent: Instant? = pending.withLock { pending in
                let index = target.map { target in pending.firstIndex { $0.id == target } }
                    ?? pending.firstIndex { $0.acked } // an id in another form: the oldest acknowledged message
                guard let index else { return nil }
                return pending.remove(at: index).sent
            }
            stats.state.withLock { state in
                state.lastProgress = now
                state.botFrames += 1
                if let sent {
                    state.replies += 1
                    state.outstanding -= 1
                    state.replyMs.append(sent.duration(to: now).milliseconds)
                    state.replySent.append(sent)
                }
            }
        case "error":
            let code = object["code"] as? String ?? "?"
            let removed = id.map { id in pending.withLock { pending in
                guard let index = pending.firstIndex(where: { $0.id == id }) else { return false }
                pending.remove(at: index)
                return true
            } } ?? false
            stats.state.withLock { state in
                state.lastProgress = now
                state.errors[code, default: 0] += 1
                if removed { state.outstanding -= 1 }
            }
        default:
            stats.state.withLock { $0.errors["(client) unexpected frame type", default: 0] += 1 }
        }
    }
}

/// Counters and samples of all sessions.
final class Stats: Sendable {
    struct State {
        var connected = 0
        /// Sessions started and warmed up.
        var ready = 0
        /// Messages sent while opening (not measured).
        var warmUps = 0
        var failures: [String: Int] = [:]
        var dropped = 0
        var sent = 0
        var acks = 0
        var replies = 0
        var botFrames = 0
        var pushed = 0
        var unmatched = 0
        var errors: [String: Int] = [:]
        var outstanding = 0
        var lastProgress: Instant?
        var ackMs: [Double] = []
        var replyMs: [Double] = []
        /// When each sample's message was sent (same order as `ackMs`, `replyMs`), for the timeline.
        var ackSent: [Instant] = []
        var replySent: [Instant] = []
        var startMs: [Double] = []
    }

    let state = Mutex(State())

    func connected(after duration: Duration) {
        state.withLock {
            $0.connected += 1
            $0.startMs.append(duration.milliseconds)
        }
    }

    func failed(_ reason: String) {
        state.withLock { $0.failures[reason, default: 0] += 1 }
    }
}

/// A value many tasks wait for, set once.
final class Gate<Value: Sendable>: Sendable {
    private let state = Mutex<(value: Value?, waiters: [CheckedContinuation<Value, Never>])>((nil, []))

    var isOpen: Bool { state.withLock { $0.value != nil } }

    func wait() async -> Value {
        await withCheckedContinuation { (continuation: CheckedContinuation<Value, Never>) in
            let value: Value? = state.withLock { state in
                if let value = state.value { return value }
                state.waiters.append(continuation)
                return nil
            }
            if let value { continuation.resume(returning: value) }
        }
    }

    func open(_ value: Value) {
        let waiters = state.withLock { state in
            state.value = value
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    static func describe(_ error: any Error) -> String {
        let text = error is Failure ? "\(error)" : "\(type(of: error)): \(error)"
        return String(text.prefix(120))
    }
}

enum Frame {
    static func parse(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    static func message(id: String, text: String) -> String {
        #"{"type":"message","id":"\#(id)","text":\#(text)}"#
    }

    /// `X` of a reply id `bX-N`.
    static func replyTarget(_ id: String) -> String? {
        guard id.hasPrefix("b"), let dash = id.lastIndex(of: "-"), dash > id.startIndex else { return nil }
        return String(id[id.index(after: id.startIndex)..<dash])
    }
}

/// What residents write: dialogs that start a new report (a problem and a place) and answer the bot's questions
/// (menu numbers, skip, yes) through to the filed report, plus STATUS, HELP and a menu left with RESTART. Each
/// session begins in one of the dialogs and goes on through the list, so at any moment some residents start reports
/// and others continue them. `{address}` is a random address of the city each time: thousands of residents
/// reporting the same spot would mostly be told it is already reported (and the duplicate search would read every
/// ticket there), which is not what a city sees. Checked with `cityline chat --channel chat` against the demo city:
/// every message gets a reply, and none hands the resident to an operator (after which the bot is silent).
struct Script: Sendable {
    static let dialogs: [[String]] = [
        ["There's a huge pothole in front of {address}", "2", "1", "skip", "yes"],
        ["the street light is out in front of {address}", "1", "skip", "yes"],
        ["the trash wasn't picked up on my street today, {address}", "1", "monday", "yes"],
        ["graffiti on the wall behind the library", "{address}", "1", "2", "skip", "yes"],
        ["STATUS"],
        ["someone dumped an old couch and a mattress in the alley behind {address}", "2", "1", "skip", "skip", "yes"],
        ["the stop sign in front of {address} was knocked down", "1", "2", "skip", "yes"],
        ["MENU", "2", "RESTART"],
        ["there's a dead raccoon in the road in front of {address}", "yes"],
        ["HELP"],
    ]
    static let texts: [String] = dialogs.flatMap { $0 }
    /// Indexes in `texts` where a dialog begins.
    static let starts: [Int] = dialogs.indices.map { index in dialogs[..<index].reduce(0) { $0 + $1.count } }
    /// Addresses of the demo city, when its list cannot be read.
    static let builtIn = ["1423 Oak St", "88 Maple Ave", "310 Pine St", "404 Elm St", "45 Cedar Ct", "3689 10th St"]

    let addresses: [String]

    /// Text `index` of the list (cycling), its `{address}` filled in, as a JSON string literal.
    func json(_ index: Int) -> String {
        let text = Self.texts[index % Self.texts.count]
        guard text.contains("{address}") else { return Report.quote(text) }
        return Report.quote(text.replacingOccurrences(of: "{address}", with: addresses.randomElement() ?? Self.builtIn[0]))
    }

    /// The distinct street addresses (no units) of a CSV whose first three columns are number, street, unit — the
    /// demo city's `addresses.csv` — or the built-in few.
    static func load(_ path: String) -> (Script, String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return (Script(addresses: builtIn), "\(builtIn.count) built-in addresses (\(path) not readable)")
        }
        var seen = Set<String>()
        var addresses: [String] = []
        for line in text.split(whereSeparator: \.isNewline).dropFirst() where !line.contains("\"") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 3, fields[2].isEmpty, !fields[0].isEmpty, !fields[1].isEmpty else { continue }
            let address = "\(fields[0]) \(fields[1])"
            if seen.insert(address).inserted { addresses.append(address) }
        }
        guard !addresses.isEmpty else { return (Script(addresses: builtIn), "\(builtIn.count) built-in addresses (none in \(path))") }
        return (Script(addresses: addresses), "\(addresses.count) addresses from \(path)")
    }
}

/// /proc/PID/status and /proc/PID/stat (Linux); nil elsewhere.
struct ProcessStatus {
    let rssKB: Int
    let hwmKB: Int
    let cpuSeconds: Double

    static func read(_ pid: Int32) -> ProcessStatus? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        func kB(_ key: String) -> Int? {
            status.split(separator: "\n").first { $0.hasPrefix(key + ":") }
                .flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first }
                .flatMap { Int($0) }
        }
        guard let rss = kB("VmRSS"), let hwm = kB("VmHWM") else { return nil }
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        var cpu = 0.0
        if let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                cpu = (user + system) / ticksPerSecond
            }
        }
        return ProcessStatus(rssKB: rss, hwmKB: hwm, cpuSeconds: cpu)
    }

    /// The reading once RSS has stopped moving (a server just started may still be filling its caches): two readings
    /// 250 ms apart within 256 KB of each other, or the last after 5 s.
    static func settled(_ pid: Int32) async -> ProcessStatus? {
        var last = read(pid)
        for _ in 0..<20 {
            try? await Task.sleep(for: .milliseconds(250))
            let now = read(pid)
            if let a = last, let b = now, abs(a.rssKB - b.rssKB) < 256 { return b }
            last = now
        }
        return last
    }

    static let ticksPerSecond: Double = {
        #if canImport(Glibc)
        return Double(sysconf(Int32(_SC_CLK_TCK)))
        #else
        return 100
        #endif
    }()
}

/// The server's and the machine's state at one moment.
struct Reading {
    let server: ProcessStatus?
    let machine: MachineCPU?
}

/// The machine's CPU time from /proc/stat (Linux), in clock ticks: busy (all but idle and iowait) and total.
struct MachineCPU {
    let busy: Double
    let total: Double

    static func read() -> MachineCPU? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let first = stat.split(separator: "\n").first, first.hasPrefix("cpu ") else { return nil }
        let ticks = first.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 5 else { return nil }
        let total = ticks.prefix(8).reduce(0, +) // user nice system idle iowait irq softirq steal (guest is in user)
        return MachineCPU(busy: total - ticks[3] - ticks[4], total: total)
    }

    /// Cores busy on average between `start` and `end`.
    static func busyCores(_ start: MachineCPU, _ end: MachineCPU) -> Double {
        let total = end.total - start.total
        return total > 0 ? (end.busy - start.busy) / total * Double(ProcessInfo.processInfo.activeProcessorCount) : 0
    }
}

struct Report {
    let label: String
    let sessions: Int
    let interval: Double
    let seconds: Double
    let ramp: Double
    let openSeconds: Double
    let drainSeconds: Double
    let stats: Stats.State
    let serverBefore: ProcessStatus?
    let serverConnected: ProcessStatus?
    let serverOpen: ProcessStatus?
    let serverEnd: ProcessStatus?
    let clientOpen: ProcessStatus?
    let clientEnd: ProcessStatus?
    let machineOpen: MachineCPU?
    let machineEnd: MachineCPU?
    let measuredSeconds: Double
    let start: Instant
    let window: Double
    let readings: [Reading]

    func print() {
        let ack = stats.ackMs.sorted()
        let reply = stats.replyMs.sorted()
        let start = stats.startMs.sorted()
        let failures = stats.failures.values.reduce(0, +)
        let errors = stats.errors.values.reduce(0, +)
        let target = Double(stats.connected) / interval
        let rate = Double(stats.sent) / seconds
        let p = "[\(label)]"
        func line(_ text: String) { Swift.print(p + " " + text) }

        line("sessions: \(stats.connected) connected of \(sessions), \(failures) connect failures, \(stats.dropped) dropped during the run")
        for (reason, count) in stats.failures.sorted(by: { $0.value > $1.value }) { line("  connect failure x\(count): \(reason)") }
        line("start (connect + upgrade + started): p50 \(format(percentile(start, 50))) ms, p99 \(format(percentile(start, 99))) ms,"
             + " max \(format(percentile(start, 100))) ms; opening took \(format(openSeconds, 1)) s,"
             + " with \(stats.warmUps) unmeasured messages that put the sessions at random points of their dialogs")
        line("messages: \(stats.sent) sent in \(format(seconds, 0)) s = \(format(rate, 1))/s (target \(format(target, 1))/s),"
             + " \(stats.acks) acks, \(stats.replies) replied, \(stats.outstanding) without reply,"
             + " \(stats.botFrames) bot frames, \(stats.pushed) pushed from the outbox, \(stats.unmatched) unmatched acks")
        line("errors: \(errors)" + (stats.errors.isEmpty ? "" : " (" + stats.errors.sorted { $0.key < $1.key }
            .map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"))
        line("ack latency:   p50 \(format(percentile(ack, 50))) ms, p90 \(format(percentile(ack, 90))) ms,"
             + " p99 \(format(percentile(ack, 99))) ms, max \(format(percentile(ack, 100))) ms")
        line("reply latency: p50 \(format(percentile(reply, 50))) ms, p90 \(format(percentile(reply, 90))) ms,"
             + " p99 \(format(percentile(reply, 99))) ms, max \(format(percentile(reply, 100))) ms"
             + " (send → first bot message)")
        printTimeline(line)
        if let before = serverBefore, let connected = serverConnected, let open = serverOpen, let end = serverEnd {
            line("server memory: RSS \(mb(before.rssKB)) before opening, \(mb(connected.rssKB)) with the sessions started"
                 + " (≈ \(format(perSession, 1)) KB per session), \(mb(open.rssKB)) after the warm-up, \(mb(end.rssKB)) at the end;"
                 + " peak (VmHWM) \(mb(end.hwmKB))")
        } else {
            line("server memory: not read (needs --server-pid, Linux /proc, and the server still running)")
        }
        // Everything busy on the machine too, so a run disturbed by other work shows it.
        var cpu: [String] = []
        if let server = serverCPU { cpu.append("server \(format(server, 0))% of one core") }
        if let client = clientCPU { cpu.append("load generator \(format(client, 0))%") }
        if let machine = machineCores {
            cpu.append("all processes \(format(machine, 2)) of \(ProcessInfo.processInfo.activeProcessorCount) cores")
        }
        if !cpu.isEmpty { line("CPU while measuring: " + cpu.joined(separator: ", ")) }
        if let client = clientEnd { line("load generator RSS: \(mb(client.rssKB))") }

        var json: [String] = [
            "\"label\":\(Report.quote(label))", "\"sessions\":\(sessions)", "\"connected\":\(stats.connected)",
            "\"connect_failures\":\(failures)", "\"dropped\":\(stats.dropped)", "\"interval_s\":\(format(interval, 3))",
            "\"seconds\":\(format(seconds, 3))", "\"ramp_per_s\":\(format(ramp, 0))", "\"open_s\":\(format(openSeconds, 2))",
            "\"drain_s\":\(format(drainSeconds, 2))", "\"warm_up_messages\":\(stats.warmUps)", "\"sent\":\(stats.sent)",
            "\"acks\":\(stats.acks)", "\"replies\":\(stats.replies)", "\"bot_frames\":\(stats.botFrames)",
            "\"rate_per_s\":\(format(rate, 2))", "\"target_rate_per_s\":\(format(target, 2))",
            "\"errors\":{" + stats.errors.sorted { $0.key < $1.key }.map { "\(Report.quote($0.key)):\($0.value)" }.joined(separator: ",") + "}",
            "\"start_p50_ms\":\(format(percentile(start, 50)))", "\"start_p99_ms\":\(format(percentile(start, 99)))",
        ]
        for (name, samples) in [("ack", ack), ("reply", reply)] {
            for q in [50.0, 90, 99, 100] {
                json.append("\"\(name)_\(q == 100 ? "max" : "p\(Int(q))")_ms\":\(format(percentile(samples, q)))")
            }
        }
        if let before = serverBefore, let connected = serverConnected, let open = serverOpen, let end = serverEnd {
            json += [
                "\"server_rss_before_kb\":\(before.rssKB)", "\"server_rss_started_kb\":\(connected.rssKB)",
                "\"server_rss_warm_kb\":\(open.rssKB)",
                "\"server_rss_end_kb\":\(end.rssKB)", "\"server_hwm_kb\":\(end.hwmKB)",
                "\"server_kb_per_session\":\(format(perSession, 2))",
            ]
        }
        if let serverCPU { json.append("\"server_cpu_pct\":\(format(serverCPU, 1))") }
        if let clientCPU { json.append("\"client_cpu_pct\":\(format(clientCPU, 1))") }
        if let machineCores { json.append("\"machine_busy_cores\":\(format(machineCores, 2))") }
        if let clientEnd { json.append("\"client_rss_kb\":\(clientEnd.rssKB)") }
        Swift.print("{" + json.joined(separator: ",") + "}")
    }

    /// One line per `window` seconds of sending: the replies to what was sent then, and the server's CPU and
    /// memory over that window — a run that slows down as it goes, or one disturbed by other work, shows it.
    func printTimeline(_ line: (String) -> Void) {
        guard window > 0, !readings.isEmpty else { return }
        var windows = [[Double]](repeating: [], count: readings.count)
        for (sent, ms) in zip(stats.replySent, stats.replyMs) {
            let index = Int(start.duration(to: sent).seconds / window)
            if windows.indices.contains(index) { windows[index].append(ms) }
        }
        var previous = Reading(server: serverOpen, machine: machineOpen)
        line("timeline (replies by when their message was sent):")
        for (index, reading) in readings.enumerated() {
            let samples = windows[index].sorted()
            var text = "  \(format(Double(index) * window, 0))–\(format(Double(index + 1) * window, 0)) s: \(samples.count) replies,"
                + " p50 \(format(percentile(samples, 50))) ms, p99 \(format(percentile(samples, 99))) ms,"
                + " max \(format(percentile(samples, 100))) ms"
            if let server = reading.server, let before = previous.server {
                text += "; server \(format((server.cpuSeconds - before.cpuSeconds) / window * 100, 0))% CPU, RSS \(mb(server.rssKB))"
            }
            if let machine = reading.machine, let before = previous.machine {
                text += "; all processes \(format(MachineCPU.busyCores(before, machine), 2)) cores"
            }
            line(text)
            previous = reading
        }
    }

    /// (RSS with the sessions started, before any message − RSS before opening) / sessions started, in KB.
    var perSession: Double {
        guard let before = serverBefore, let connected = serverConnected, stats.connected > 0 else { return 0 }
        return Double(connected.rssKB - before.rssKB) / Double(stats.connected)
    }

    /// Percent of one core from the sessions being open to the end of the measurement.
    static func cpuPercent(_ open: ProcessStatus?, _ end: ProcessStatus?, over seconds: Double) -> Double? {
        guard let open, let end, seconds > 0 else { return nil }
        return (end.cpuSeconds - open.cpuSeconds) / seconds * 100
    }

    var serverCPU: Double? { Self.cpuPercent(serverOpen, serverEnd, over: measuredSeconds) }
    var clientCPU: Double? { Self.cpuPercent(clientOpen, clientEnd, over: measuredSeconds) }
    var machineCores: Double? {
        guard let machineOpen, let machineEnd else { return nil }
        return MachineCPU.busyCores(machineOpen, machineEnd)
    }

    static func quote(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(sorted.count - 1, max(0, rank))]
}

func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

func mb(_ kB: Int) -> String { String(format: "%.1f MB", Double(kB) / 1024) }

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async -> T?) async -> T? {
        guard let self else { return nil }
        return await transform(self)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}
