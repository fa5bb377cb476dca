import CityModel
import Conversation
import Foundation
import HummingbirdWebSocket
import Logging
import Messaging
import Storage
import Switchboard

/// `/chat/ws`: the web chat protocol (JSON text frames).
///
/// - `{"type": "start", "session": null | "<token>", "locale": "es"?}` → `{"type": "started", "session", "history"}`:
///   a new resident gets a new token (their conversation starts in `locale` when given); a known token resumes the
///   same resident with everything said both ways, including what arrived while they were away.
/// - `{"type": "message", "id": "<client id>", "text"}` → `{"type": "ack", "id"}` once the turn is durably stored,
///   then the bot's replies as `message` frames. A repeated id is acknowledged again and changes nothing. The
///   resident's other open tabs get the message and the replies too.
/// - Anything else — not JSON, an unknown type, a message before `start`, an unknown session, an empty or too long
///   text, messages faster than `ChatLimiter` allows — gets `{"type": "error", "code", "message"}` and stores nothing.
/// - One network address holding too many connections, or starting too many conversations, is told so
///   (`too_many_connections`, then the connection closes; `too_many_sessions`) — see `ChatGate`.
public struct ChatSocket: Sendable {
    /// The largest frame read; larger ones end the connection.
    public static let maxFrame = 16 * 1024
    /// The longest message a resident may send.
    public static let maxText = 2_000

    let switchboard: Switchboard
    let store: any ConversationStore & HandoffStore
    let hub: ChatHub
    let limiter: ChatLimiter
    let gate: ChatGate
    let photos: ChatPhotos?
    let logger: Logger
    let clock: @Sendable () -> Date

    public init(switchboard: Switchboard, store: any ConversationStore & HandoffStore, hub: ChatHub, limiter: ChatLimiter = ChatLimiter(),
                gate: ChatGate = ChatGate(), photos: ChatPhotos? = nil, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.switchboard = switchboard
        self.store = store
        self.hub = hub
        self.limiter = limiter
        self.gate = gate
        self.photos = photos
        self.logger = logger
        self.clock = clock
    }

    /// Whether a WebSocket upgrade may come from `origin`: none (not a browser), a page of this host, or of the
    /// public URL's host. (The session token travels in the frames, not in a cookie, so another site's page gains
    /// nothing by connecting; the check keeps other sites from using the city's chat as theirs.)
    public static func allows(origin: String?, authority: String?, publicURL: String) -> Bool {
        guard let origin else { return true }
        guard let host = URL(string: origin)?.host?.lowercased() else { return false }
        let own = authority.map { String($0.split(separator: ":").first ?? "").lowercased() }
        return host == own || host == URL(string: publicURL)?.host?.lowercased()
    }

    /// Serves one connection from the network address `client` until it closes.
    public func handle(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, client: String) async throws {
        guard await gate.enter(client) else {
            try await outbound.write(.text(ChatFrames.error(
                "too_many_connections", "too many chats are open from your network; close one and reload this page")))
            try await outbound.close(.policyViolation, reason: "too many connections")
            return
        }
        do {
            try await serve(inbound, outbound, client: client)
        } catch {
            await gate.leave(client)
            throw error
        }
        await gate.leave(client)
    }

    private func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, client: String) async throws {
        let (frames, continuation) = AsyncStream<String>.makeStream()
        let connection = UUID()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // One writer: this connection's replies and what the hub pushes go out in order.
            group.addTask {
                for await frame in frames { try await outbound.write(.text(frame)) }
            }
            group.addTask {
                var address: ChannelAddress?
                do {
                    for try await message in inbound.messages(maxSize: Self.maxFrame) {
                        guard case .text(let text) = message else {
                            continuation.yield(ChatFrames.error("bad_frame", "frames are JSON text"))
                            continue
                        }
                        await self.frame(text, address: &address, connection: connection, client: client, reply: continuation)
                    }
                } catch {
                    continuation.yield(ChatFrames.error("bad_frame", "the frame is larger than \(Self.maxFrame) bytes"))
                }
                if let address { await self.hub.remove(address, connection) }
                continuation.finish()
            }
            try await group.waitForAll()
        }
    }

    private func frame(_ text: String, address: inout ChannelAddress?, connection: UUID, client: String,
                       reply: AsyncStream<String>.Continuation) async {
        do {
            let (type, object) = try ChatClientFrame.typed(text)
            switch type {
            case "start":
                let (session, locale) = try ChatClientFrame.start(object)
                if let old = address { await hub.remove(old, connection) }
                let (token, resident, history) = try await start(session: session, locale: locale, client: client)
                address = resident
                await hub.add(resident, connection, reply)
                reply.yield(ChatFrames.encode(["type": "started", "session": token, "history": history]))
            case "message":
                guard let resident = address else {
                    reply.yield(ChatFrames.error("not_started", "send start first"))
                    return
                }
                let (id, text, photo) = try ChatClientFrame.message(object)
                try await message(id: id, text: text, photo: photo, from: resident, connection: connection, reply: reply)
            default:
                throw ChatClientFrame.unknownType(type)
            }
        } catch let problem as ChatProblem {
            reply.yield(ChatFrames.error(problem.code, problem.message, id: problem.id))
        } catch {
            logger.error("chat turn failed", metadata: ["error": "\(Swift.type(of: error))"])
            reply.yield(ChatFrames.error("unavailable", "the message could not be stored; send it again"))
        }
    }

    private func start(session: String?, locale raw: String?, client: String) async throws -> (String, ChannelAddress, [[String: Any]]) {
        let locale = raw.flatMap { LanguageTag($0).match(among: switchboard.engine.city.locales) }
        if let token = session {
            guard let address = ChatSession.address(for: token), try await store.session(for: address) != nil else {
                throw ChatProblem("unknown_session", "this chat session is not known; start a new one with \"session\": null")
            }
            return (token, address, try await history(of: address))
        }
        let now = clock()
        let wait = await gate.startSession(client, now: now)
        guard wait <= 0 else {
            throw ChatProblem("too_many_sessions", "too many new chats from your network; try again in \(Int(wait.rounded(.up))) s")
        }
        let token = ChatSession.newToken()
        guard let address = ChatSession.address(for: token) else { throw ChatProblem("unavailable", "no session could be made") }
        // The conversation exists from now on, in the language the page was in.
        try await store.apply(WritePlan(session: SessionWrite(address, Session(locale: locale), .absent),
                                        contact: ContactWrite(address, locale: locale), at: now))
        return (token, address, [])
    }

    private func history(of address: ChannelAddress) async throws -> [[String: Any]] {
        let locale = try await store.session(for: address)?.locale
        return try await store.transcript(of: address, since: .distantPast, limit: 500).enumerated().map { index, line in
            // A photo sent without words shows as a camera.
            let text = line.from == .resident && line.text.isEmpty ? ChatFrames.photo : line.text
            return ChatFrames.messageObject(id: "h\(index + 1)", from: line.from.rawValue, text: text, locale: locale, at: line.at)
        }
    }

    private func message(id: String, text: String, photo name: String?, from address: ChannelAddress, connection: UUID,
                         reply: AsyncStream<String>.Continuation) async throws {
        var media: [MediaRef] = []
        if let name {
            // A photo uploaded to `POST /chat/photos` first; the text is then optional (a caption).
            guard let photo = photos?.media(named: name) else {
                throw ChatProblem("unknown_photo", "upload the photo to /chat/photos first, then name it in \"photo\"", id: id)
            }
            media.append(photo)
        }
        guard !text.isEmpty || !media.isEmpty else { throw ChatProblem("empty", "the message is empty", id: id) }
        guard text.count <= Self.maxText else { throw ChatProblem("too_long", "messages are at most \(Self.maxText) characters", id: id) }
        let now = clock()
        let wait = await limiter.take(address, now: now)
        guard wait <= 0 else {
            throw ChatProblem("too_fast", "too many messages at once; send this one again in \(Int(wait.rounded(.up))) s", id: id)
        }
        let outcome = try await switchboard.receive(
            InboundMessage(from: address, text: text, media: media, externalID: address.address + ":" + id, receivedAt: now), delivery: .inline)
        reply.yield(ChatFrames.encode(["type": "ack", "id": id]))
        guard !outcome.redelivered else { return }
        await hub.push(ChatFrames.message(id: "r" + id, from: "resident", text: text.isEmpty ? ChatFrames.photo : text, locale: nil, at: now),
                       to: address, except: connection)
        for (index, message) in outcome.replies.enumerated() {
            let frame = ChatFrames.message(id: "b\(id)-\(index + 1)", from: "bot", text: message.body, locale: message.locale, at: now)
            await hub.push(frame, to: address)
        }
    }
}

struct ChatProblem: Error {
    let code: String
    let message: String
    let id: String?
    init(_ code: String, _ message: String, id: String? = nil) {
        self.code = code
        self.message = message
        self.id = id
    }
}
