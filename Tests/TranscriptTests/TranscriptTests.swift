import CityLineApp
import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import Localization
import Messaging
import Rendering
import Storage
import Switchboard
import Testing
import Yams

/// Runs every dialog in `Transcripts/` through the real switchboard (engine, renderer, in-memory store) with a
/// manual clock and sequential tracking numbers. `CITYLINE_RECORD=1 swift test` rewrites the expectations.
@Suite struct TranscriptTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Transcripts")
    /// Every transcript: English ones at the top, each other locale's in its own folder (`es/`, `zh-Hans/` …).
    static let files: [String] = ((FileManager.default.enumerator(atPath: directory.path)?.allObjects as? [String]) ?? [])
        .filter { $0.hasSuffix(".yaml") }.sorted()

    @Test func thereAreEnoughTranscripts() {
        #expect(Self.files.count >= 25)
    }

    @Test(arguments: files)
    func transcript(_ name: String) async throws {
        let url = Self.directory.appendingPathComponent(name)
        var transcript = try YAMLDecoder().decode(Transcript.self, from: String(contentsOf: url, encoding: .utf8))
        let channel = Channel(rawValue: transcript.channel ?? "sms") ?? .sms
        let played = try await Self.play(transcript, name: name, on: ChannelAddress(channel: channel, address: transcript.from ?? "+12175550100"))
        let record = ProcessInfo.processInfo.environment["CITYLINE_RECORD"] == "1"
        for (index, turn) in transcript.turns.enumerated() {
            let (replies, events) = (played[index].replies.map(\.body), played[index].events)
            let text = turn.send ?? "(operator)"
            if record {
                guard turn.send != nil || !replies.isEmpty else { continue }
                transcript.turns[index].replies = replies
                transcript.turns[index].events = turn.send == nil ? nil : events
            } else {
                #expect(replies == (turn.replies ?? []), "\(name) turn \(index + 1): \"\(text)\"")
                #expect(events == (turn.events ?? []), "\(name) turn \(index + 1): \"\(text)\"")
            }
        }
        if record {
            let encoder = YAMLEncoder()
            encoder.options.width = -1
            encoder.options.allowUnicode = true
            encoder.options.newLineScalarStyle = .literal
            try encoder.encode(transcript).write(to: url, atomically: true, encoding: .utf8)
        }
    }

    /// The SMS dialogs, every language, played again on the web chat: the same engine decides the same things
    /// (the same events, word for word) and says the same words — the chat keeps the typographic punctuation and
    /// accents that SMS trades for GSM-7 characters to save segments, so the chat's replies are compared after
    /// that one step, and each says what the resident gets there ("messages" in a chat, "texts" on a phone: put back
    /// before comparing).
    static let smsFiles = files.filter { name in
        let text = (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
        return !text.contains("\nchannel:")
    }

    /// The words for what a resident gets, in a chat and on a phone (`{{#channel.messages}}` in `Locales/`).
    static let chatMedium: [(chat: String, sms: String)] = [
        ("STOP to stop messages", "STOP to stop texts"), ("won't get more messages", "won't get more texts"),
        ("won’t get more messages", "won’t get more texts"), ("no recibir mensajes", "no recibir textos"),
        ("no contestan mensajes", "no contestan textos"), ("接收消息", "接收短信"), ("收到消息", "收到短信"), ("回复消息", "回复短信"),
    ]

    @Test(arguments: smsFiles)
    func onTheChatToo(_ name: String) async throws {
        let url = Self.directory.appendingPathComponent(name)
        let transcript = try YAMLDecoder().decode(Transcript.self, from: String(contentsOf: url, encoding: .utf8))
        let played = try await Self.play(transcript, name: name, on: ChannelAddress(channel: .chat, address: "web:00112233445566778899aabbccddeeff"))
        for (index, turn) in transcript.turns.enumerated() {
            let city = try DemoCity.shared.city
            let asSMS = played[index].replies.map { reply in
                let texts = Self.chatMedium.reduce(reply.body) { $0.replacingOccurrences(of: $1.chat, with: $1.sms) }
                return SMSText.fit(SMSText.normalize(texts), segments: city.smsSegmentLimit, locale: reply.locale)
            }
            let text = turn.send ?? "(operator)"
            #expect(asSMS == (turn.replies ?? []), "chat: \(name) turn \(index + 1): \"\(text)\"")
            #expect(played[index].events == (turn.events ?? []), "chat: \(name) turn \(index + 1): \"\(text)\"")
        }
    }

    /// Plays `transcript` from `address` through the real switchboard; each turn's replies and event lines.
    static func play(_ transcript: Transcript, name: String, on address: ChannelAddress) async throws -> [(replies: [RenderedMessage], events: [String])] {
        let city = try DemoCity.shared
        let store = MemoryStore()
        let switchboard = Switchboard(engine: city.engine, composer: city.composer, store: store, numbers: SequentialTrackingNumbers())
        if let locale = transcript.locale { try await store.seedSession(Session(locale: LanguageTag(locale)), for: address) }
        var clock = try #require(ISO8601DateFormatter().date(from: transcript.start ?? "2026-11-23T10:00:00-06:00"))
        var played: [(replies: [RenderedMessage], events: [String])] = []
        for index in transcript.turns.indices {
            let turn = transcript.turns[index]
            clock = clock.addingTimeInterval(Double(ShortDuration.seconds(turn.wait ?? "30s") ?? 30))
            if let staff = turn.staff {
                let number = try #require(TrackingNumber(parsing: staff.ticket), "bad ticket number in \(name)")
                let status = try #require(TicketStatus(rawValue: staff.status), "bad status in \(name)")
                _ = try await store.update(number, TicketChange(status: status, statusNote: staff.note), actor: "staff:1", at: clock)
            }
            var replies: [RenderedMessage] = []
            if let survey = turn.survey {
                let number = try #require(TrackingNumber(parsing: survey), "bad ticket number in \(name)")
                let ticket = try #require(await store.ticket(number), "no ticket \(survey) in \(name)")
                let session = await store.session(for: address) ?? Session()
                let started = try #require(city.engine.startSurvey(session, ticket: ticket.summary, now: clock), "\(name): no survey started")
                try await store.seedSession(started.session, for: address, at: clock)
                replies = city.composer.compose(started.messages, to: address, locale: started.locale, ticket: number).map {
                    RenderedMessage(to: address, body: $0.body, locale: started.locale, kind: $0.kind)
                }
            }
            if let action = turn.operatorAction {
                let now = clock
                let desk = OperatorDesk(switchboard: switchboard, store: store, clock: { now })
                let handoff = try #require(await store.openHandoff(for: address), "\(name) turn \(index + 1): nobody is waiting for a person")
                let sent = try await outboxEntries(store).count
                if let text = action.reply { try await desk.reply(handoff.id, text: text, by: "operator") }
                if let text = action.close { try await desk.close(handoff.id, by: "operator", text: text) }
                replies += try await outboxEntries(store).dropFirst(sent).map(\.message)
            }
            var events: [String] = []
            if let text = turn.send {
                let media = (turn.media ?? []).map { MediaRef(url: $0, contentType: "image/jpeg") }
                let outcome = try await switchboard.receive(InboundMessage(from: address, text: text, media: media, receivedAt: clock))
                replies += outcome.replies
                events = outcome.events.compactMap(\.transcriptLine)
            }
            for reply in replies { #expect(!reply.body.hasPrefix("["), "\(name): a message key has no text: \(reply.body)") }
            played.append((replies, events))
        }
        return played
    }
}

/// The demo city and the locales, loaded once for all tests (`Demo` of CityLineTestSupport), with a composer
/// whose emails carry a recognizable unsubscribe link.
struct DemoCity: Sendable {
    let city: City
    let engine: Engine
    let renderer: MessageRenderer
    let composer: MessageComposer
    let lexicon: Lexicon

    static var root: URL { Demo.root }

    static var shared: DemoCity {
        get throws { try loaded.get() }
    }

    private static let loaded = Result<DemoCity, any Error> {
        let demo = try Demo.loadedCity
        return DemoCity(
            city: demo.city, engine: demo.engine, renderer: demo.renderer,
            composer: demo.composer(unsubscribeLink: { "https://springfield.example/unsubscribe/" + $0.address.replacingOccurrences(of: "@", with: "-at-") }),
            lexicon: demo.lexicon
        )
    }
}
