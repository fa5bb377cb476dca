import CityModel
import Crypto
import Foundation
import Messaging
import Storage
import Transport

/// The web chat's open connections by resident: what arrives for a resident later (status updates, survey
/// questions, operator replies) is pushed to every tab they have open. A resident with none open reads it in
/// the history when they come back (every message is logged when it is queued).
public actor ChatHub {
    private var connections: [ChannelAddress: [UUID: AsyncStream<String>.Continuation]] = [:]

    public init() {}

    func add(_ address: ChannelAddress, _ id: UUID, _ continuation: AsyncStream<String>.Continuation) {
        connections[address, default: [:]][id] = continuation
    }

    func remove(_ address: ChannelAddress, _ id: UUID) {
        connections[address]?[id] = nil
        if connections[address]?.isEmpty == true { connections[address] = nil }
    }

    /// Sends `frame` to every open connection of `address` but `except`; returns how many got it.
    @discardableResult
    func push(_ frame: String, to address: ChannelAddress, except: UUID? = nil) -> Int {
        var count = 0
        for (id, continuation) in connections[address] ?? [:] where id != except {
            continuation.yield(frame)
            count += 1
        }
        return count
    }
}

/// How fast one chat resident may send, across all their tabs: a burst of `burst` messages, then `rate` a second
/// (a person typing never meets it; a script flooding the engine does, and gets a clear error frame).
public actor ChatLimiter {
    let rate: Double
    let burst: Double
    private var buckets: [ChannelAddress: TokenBucket] = [:]

    public init(rate: Double = 1, burst: Double = 10) {
        self.rate = rate
        self.burst = burst
    }

    /// Takes one message for `address` at `now`; the seconds to wait when it is too fast, else 0.
    public func take(_ address: ChannelAddress, now: Date) -> TimeInterval {
        let (bucket, wait) = TokenBucket.take(1, from: buckets[address], rate: rate, burst: burst, now: now)
        buckets[address] = bucket
        if buckets.count > 100_000 { buckets = buckets.filter { now.timeIntervalSince($0.value.updatedAt) < burst / rate } }
        return wait
    }
}

/// Web chat sessions: a random token kept by the browser names the resident; their address is derived from it
/// (`web:` and part of its SHA-256), so nothing about the token is stored and it survives restarts.
enum ChatSession {
    static func newToken() -> String {
        UnsubscribeLinks.base64url(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// The resident's address for a well-formed token; nil otherwise.
    static func address(for token: String) -> ChannelAddress? {
        guard token.utf8.count == 43, token.utf8.allSatisfy({ byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }) else { return nil }
        let digest = SHA256.hash(data: Data(token.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        return ChannelAddress(channel: .chat, address: "web:" + digest)
    }
}

/// Delivers chat messages from the outbox by pushing them to the resident's open tabs; a resident who is away
/// reads the message in the history when they return. Each message is also written where `record` writes (the
/// outbox file), the readable record every channel without credentials keeps.
public struct ChatTransport: Transport {
    let hub: ChatHub
    let record: any Transport

    public init(hub: ChatHub, record: any Transport) {
        self.hub = hub
        self.record = record
    }

    public var description: String { "web chat (pushed to open tabs, kept in the history; \(record.description))" }

    public func send(_ entry: OutboxEntry) async throws -> String? {
        let message = entry.message
        let frame = ChatFrames.message(id: "o\(entry.id)", from: message.kind == .operatorReply ? "operator" : "bot", text: message.body,
                                       locale: message.locale, at: entry.createdAt)
        let delivered = await hub.push(frame, to: message.to)
        _ = try await record.send(entry)
        return "chat:\(entry.id):\(delivered)"
    }
}

/// The JSON frames of the chat protocol (`../shared/docs/CONTRACT.md`, "Web chat protocol").
enum ChatFrames {
    /// How a photo sent without words shows in the conversation.
    static let photo = "📷"

    static func encode(_ object: [String: Any]) -> String { Console.json(object) }

    static func messageObject(id: String, from: String, text: String, locale: LanguageTag?, at: Date) -> [String: Any] {
        var object: [String: Any] = [
            "type": "message", "id": id, "from": from, "text": text, "locale": locale?.code ?? NSNull(),
            "dir": locale?.isRightToLeft == true ? "rtl" : "ltr", "at": TicketJSON.iso(at),
        ]
        if from == "bot" {
            let options = choices(in: text)
            if !options.isEmpty { object["choices"] = options.map { ["key": $0.key, "label": $0.label] } }
        }
        return object
    }

    /// The numbered choices a bot message offers ("1. Smaller than a dinner plate" lines, as every locale writes
    /// them), for the page to show as buttons; the resident may still type the number.
    static func choices(in text: String) -> [(key: String, label: String)] {
        ChoiceMenu(text).choices.map { ($0.key, $0.label) }
    }

    static func message(id: String, from: String, text: String, locale: LanguageTag?, at: Date) -> String {
        encode(messageObject(id: id, from: from, text: text, locale: locale, at: at))
    }

    static func error(_ code: String, _ message: String, id: String? = nil) -> String {
        var object: [String: Any] = ["type": "error", "code": code, "message": message]
        if let id { object["id"] = id }
        return encode(object)
    }
}
