import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import Logging
import Storage
import StorageSQLite
import Switchboard
import Testing
import WebAPI
import WSClient

/// The web chat protocol over a real WebSocket (`/chat/ws`) against the application as `cityline serve` builds it.
@Suite struct ChatProtocolTests {
    /// One connection's view: send a frame, read the next one (bounded wait). A class, so that a test can hold
    /// two tabs of one resident open at once; only the task running the connection's body uses it.
    final class Connection: @unchecked Sendable {
        var frames: WebSocketInboundMessageStream.AsyncIterator
        let outbound: WebSocketOutboundWriter

        init(frames: WebSocketInboundMessageStream.AsyncIterator, outbound: WebSocketOutboundWriter) {
            self.frames = frames
            self.outbound = outbound
        }

        func send(_ object: [String: Any?]) async throws {
            let data = try JSONSerialization.data(withJSONObject: object.mapValues { $0 ?? NSNull() })
            try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
        }

        func sendRaw(_ text: String) async throws { try await outbound.write(.text(text)) }

        /// The next frame, waited for at most `limit`: a frame that never comes fails the test (with the line that
        /// waited) instead of holding the whole run.
        func next(within limit: Duration = .seconds(120), sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
            let frame = try await withThrowingTaskGroup(of: WebSocketMessage?.self) { group in
                group.addTask { try await self.frames.next() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    throw Failure("no frame within \(limit) (\(sourceLocation.fileName):\(sourceLocation.line))")
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            guard case .text(let text)? = frame else { throw Failure("the connection closed") }
            return (try JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func connect(_ port: Int, _ body: @escaping @Sendable (Connection) async throws -> Void) async throws {
        try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/chat/ws", logger: Logger(label: "test")) { inbound, outbound, _ in
            try await body(Connection(frames: inbound.messages(maxSize: 1 << 16).makeAsyncIterator(), outbound: outbound))
        }
    }

    @Test func startAckResumeDuplicatesBadFramesAndPushedReplies() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        var configuration = try AppConfiguration.testing(store: .sqlite(store))
        configuration.runsBackgroundWork = true // the dispatcher pushes what arrives later
        try await withRunningApplication(configuration) { bound in try await Self.exercise(bound, store) }
        // The pushed operator reply is a line of the outbox file too, as the contract has every channel record it.
        let lines = try String(contentsOfFile: configuration.storage.dataDirectory + "/outbox.jsonl", encoding: .utf8)
            .split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        #expect(lines.map { [$0["channel"] as? String, $0["kind"] as? String] } == [["chat", "operator_reply"]])
    }

    /// The protocol, step by step, against the server on `bound`.
    static func exercise(_ bound: Int, _ store: SQLiteStore) async throws {
        let token = Locked("")

        // A new resident, in Spanish: started, then each message acknowledged before the bot's replies.
        try await Self.connect(bound) { c in
            try await c.send(["type": "message", "id": "early", "text": "hola"])
            #expect(try await c.next()["code"] as? String == "not_started")
            try await c.send(["type": "start", "session": nil, "locale": "es"])
            let started = try await c.next()
            #expect(started["type"] as? String == "started" && (started["history"] as? [Any])?.isEmpty == true)
            let session = started["session"] as? String ?? ""
            #expect(session.count == 43)
            token.withLock { $0 = session }
            try await c.send(["type": "message", "id": "m1", "text": "hay un bache enorme en 1423 Oak St"])
            #expect(try await c.next() as NSDictionary == ["type": "ack", "id": "m1"] as NSDictionary)
            let reply = try await c.next()
            #expect(reply["type"] as? String == "message" && reply["from"] as? String == "bot" && reply["locale"] as? String == "es")
            #expect((reply["text"] as? String)?.hasPrefix("Bache: anotado.") == true)
            // Its numbered choices come as buttons too.
            let choices = reply["choices"] as? [[String: String]] ?? []
            #expect(choices.map { $0["key"] } == ["1", "2", "3", "4"] && choices.first?["label"] == "Más chico que un plato")
            // The same client id again: acknowledged, nothing new.
            try await c.send(["type": "message", "id": "m1", "text": "hay un bache enorme en 1423 Oak St"])
            #expect(try await c.next() as NSDictionary == ["type": "ack", "id": "m1"] as NSDictionary)
            // Bad frames: a clear error, nothing stored.
            try await c.sendRaw("not json")
            #expect(try await c.next()["code"] as? String == "bad_frame")
            try await c.send(["type": "message", "text": "no id"])
            #expect(try await c.next()["code"] as? String == "bad_frame")
            try await c.send(["type": "message", "id": "m2", "text": "   "])
            let empty = try await c.next()
            #expect(empty["code"] as? String == "empty" && empty["id"] as? String == "m2")
            try await c.send(["type": "message", "id": "m3", "text": String(repeating: "x", count: ChatSocket.maxText + 1)])
            #expect(try await c.next()["code"] as? String == "too_long")
            try await c.send(["type": "dance"])
            #expect(try await c.next()["code"] as? String == "bad_frame")
            try await c.outbound.close(.normalClosure, reason: nil)
        }

        // Resuming with the token: the conversation so far; an unknown token is refused.
        let session = token.withLock { $0 }
        try await Self.connect(bound) { c in
            try await c.send(["type": "start", "session": String(repeating: "A", count: 43)])
            #expect(try await c.next()["code"] as? String == "unknown_session")
            try await c.send(["type": "start", "session": session])
            let started = try await c.next()
            let history = started["history"] as? [[String: Any]] ?? []
            #expect(history.map { $0["from"] as? String } == ["resident", "bot"])
            #expect(history.first?["text"] as? String == "hay un bache enorme en 1423 Oak St")

            // Asking for a person; the operator's reply is pushed to the open chat.
            try await c.send(["type": "message", "id": "m4", "text": "quiero hablar con una persona"])
            #expect(try await c.next()["type"] as? String == "ack")
            #expect((try await c.next()["text"] as? String)?.contains("operador") == true)
            let switchboard = try Demo.switchboard(store)
            let desk = OperatorDesk(switchboard: switchboard, store: store)
            let handoff = try #require(try await store.handoffs(states: [.waiting], departments: nil, limit: 1).first)
            try await desk.reply(handoff.id, text: "¿Sigue ahí el bache?", by: "Ana")
            let pushed = try await c.next()
            #expect(pushed["from"] as? String == "operator" && pushed["text"] as? String == "Operador de Springfield 311: ¿Sigue ahí el bache?")
            try await c.outbound.close(.normalClosure, reason: nil)
        }
        // Nothing from the bad frames was stored: the resident's three messages and the bot's and operator's answers.
        let address = try #require(try await store.handoffs(states: nil, departments: nil, limit: 1).first?.address)
        #expect(try await store.transcript(of: address, since: .distantPast, limit: 100).map(\.from) == [.resident, .bot, .resident, .bot, .operator])
    }
}

@Suite struct ChatOriginTests {
    @Test func onlyThisHostOrThePublicURLMayOpenTheChat() {
        let public311 = "https://311.springfield.example"
        #expect(ChatSocket.allows(origin: nil, authority: "127.0.0.1:8311", publicURL: public311))
        #expect(ChatSocket.allows(origin: "http://127.0.0.1:8311", authority: "127.0.0.1:8311", publicURL: public311))
        #expect(ChatSocket.allows(origin: "https://311.springfield.example", authority: "10.0.0.5:8311", publicURL: public311))
        #expect(!ChatSocket.allows(origin: "https://evil.example", authority: "127.0.0.1:8311", publicURL: public311))
        #expect(!ChatSocket.allows(origin: "null", authority: "127.0.0.1:8311", publicURL: public311))
    }
}

@Suite struct ChatLimiterTests {
    @Test func aBurstThenOneASecondPerResidentAcrossTabs() async {
        let limiter = ChatLimiter(rate: 1, burst: 3)
        let (maria, li) = (ChannelAddress(channel: .chat, address: "web:a"), ChannelAddress(channel: .chat, address: "web:b"))
        for _ in 0..<3 { #expect(await limiter.take(maria, now: t0) == 0) }
        // The fourth at once waits a second; another resident is not held up by her.
        #expect(await limiter.take(maria, now: t0) == 1)
        #expect(await limiter.take(li, now: t0) == 0)
        #expect(await limiter.take(maria, now: t0.addingTimeInterval(1)) == 0)
    }
}

@Suite struct ChatRestartTests {
    /// Runs the application on `store` on a free port until `body` returns.
    static func serving(_ store: SQLiteStore, _ body: (Int) async throws -> Void) async throws {
        try await withRunningApplication(try AppConfiguration.testing(store: .sqlite(store)), body)
    }

    @Test func aSessionResumesAfterTheServerRestarts() async throws {
        let path = try temporaryDirectory() + "/cityline.sqlite"
        let token = Locked("")
        try await Self.serving(try SQLiteStore(path: path)) { port in
            try await ChatProtocolTests.connect(port) { c in
                try await c.send(["type": "start", "session": nil, "locale": "en"])
                let started = try await c.next()
                token.withLock { $0 = started["session"] as? String ?? "" }
                try await c.send(["type": "message", "id": "a1", "text": "the street light is out at Elm and 5th"])
                #expect(try await c.next()["type"] as? String == "ack")
                #expect(try await c.next()["from"] as? String == "bot")
                try await c.outbound.close(.normalClosure, reason: nil)
            }
        }
        // A new process on the same database: the token still names the resident, with everything said so far,
        // and the dialog goes on where it was.
        let session = token.withLock { $0 }
        try await Self.serving(try SQLiteStore(path: path)) { port in
            try await ChatProtocolTests.connect(port) { c in
                try await c.send(["type": "start", "session": session])
                let started = try await c.next()
                #expect(started["type"] as? String == "started" && started["session"] as? String == session)
                let history = started["history"] as? [[String: Any]] ?? []
                #expect(history.map { $0["from"] as? String } == ["resident", "bot"])
                // The same client id as before the restart changes nothing.
                try await c.send(["type": "message", "id": "a1", "text": "the street light is out at Elm and 5th"])
                #expect(try await c.next() as NSDictionary == ["type": "ack", "id": "a1"] as NSDictionary)
                try await c.outbound.close(.normalClosure, reason: nil)
            }
        }
    }
}
