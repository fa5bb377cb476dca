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
        let city = try DemoCity.shared
        let store = MemoryStore()
        let switchboard = Switchboard(engine: city.engine, composer: city.composer, store: store, numbers: SequentialTrackingNumbers())
        let channel = Channel(rawValue: transcript.channel ?? "sms") ?? .sms
        let address = ChannelAddress(channel: channel, address: transcript.from ?? "+12175550100")
        if let locale = transcript.locale { try await store.seedSession(Session(locale: LanguageTag(locale)), for: address) }
        var clock = try #require(ISO8601DateFormatter().date(from: transcript.start ?? "2026-11-23T10:00:00-06:00"))
        let record = ProcessInfo.processInfo.environment["CITYLINE_RECORD"] == "1"

        for index in transcript.turns.indices {
            let turn = transcript.turns[index]
            clock = clock.addingTimeInterval(Double(ShortDuration.seconds(turn.wait ?? "30s") ?? 30))
            if let staff = turn.staff {
                let number = try #require(TrackingNumber(parsing: staff.ticket), "bad ticket number in \(name)")
                let status = try #require(TicketStatus(rawValue: staff.status), "bad status in \(name)")
                _ = try await store.update(number, TicketChange(status: status, statusNote: staff.note), actor: "staff:1", at: clock)
            }
            var surveyReplies: [String] = []
            if let survey = turn.survey {
                let number = try #require(TrackingNumber(parsing: survey), "bad ticket number in \(name)")
                let ticket = try #require(await store.ticket(number), "no ticket \(survey) in \(name)")
                let session = await store.session(for: address) ?? Session()
                let started = try #require(city.engine.startSurvey(session, ticket: ticket.summary, now: clock), "\(name): no survey started")
                try await store.seedSession(started.session, for: address, at: clock)
                surveyReplies = city.composer.compose(started.messages, to: address, locale: started.locale, ticket: number).map(\.body)
            }
            if let action = turn.operatorAction {
                let now = clock
                let desk = OperatorDesk(switchboard: switchboard, store: store, clock: { now })
                let handoff = try #require(await store.openHandoff(for: address), "\(name) turn \(index + 1): nobody is waiting for a person")
                let sent = try await outboxEntries(store).count
                if let text = action.reply { try await desk.reply(handoff.id, text: text, by: "operator") }
                if let text = action.close { try await desk.close(handoff.id, by: "operator", text: text) }
                surveyReplies += try await outboxEntries(store).dropFirst(sent).map(\.message.body)
            }
            var replies = surveyReplies
            var events: [String] = []
            if let text = turn.send {
                let media = (turn.media ?? []).map { MediaRef(url: $0, contentType: "image/jpeg") }
                let outcome = try await switchboard.receive(InboundMessage(from: address, text: text, media: media, receivedAt: clock))
                replies += outcome.replies.map(\.body)
                events = outcome.events.compactMap(\.transcriptLine)
            }
            for reply in replies { #expect(!reply.hasPrefix("["), "\(name): a message key has no text: \(reply)") }
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
