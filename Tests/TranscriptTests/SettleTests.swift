import CityModel
import Conversation
import Foundation
import Testing
import Yams

/// The switchboard skips running a turn again when the open tickets it looked up for `Turn.nearbyQuery` hold
/// nothing to offer (`Engine.settle`). Every transcript's messages, in every language, played through the engine
/// alone: at each turn that asked for tickets nearby, settling with none must give exactly the turn that running it
/// again with none gives — session, events, language and all.
@Suite struct SettleTests {
    @Test(arguments: TranscriptTests.files)
    func settlingWithNothingNearbyIsRunningTheTurnAgain(_ name: String) throws {
        let url = TranscriptTests.directory.appendingPathComponent(name)
        let transcript = try YAMLDecoder().decode(Transcript.self, from: String(contentsOf: url, encoding: .utf8))
        let engine = try DemoCity.shared.engine
        let channel = Channel(rawValue: transcript.channel ?? "sms") ?? .sms
        var session = transcript.locale.map { Session(locale: LanguageTag($0)) } ?? Session()
        var clock = try #require(ISO8601DateFormatter().date(from: transcript.start ?? "2026-11-23T10:00:00-06:00"))
        for (index, step) in transcript.turns.enumerated() {
            clock = clock.addingTimeInterval(Double(ShortDuration.seconds(step.wait ?? "30s") ?? 30))
            guard let text = step.send else { continue }
            let inbound = Inbound(text: text, media: (step.media ?? []).map { MediaRef(url: $0, contentType: "image/jpeg") }, channel: channel)
            let number = TrackingNumber(serial: 1000 + index)
            var turn = engine.handle(session, inbound, context: TurnContext(newTrackingNumber: number), now: clock)
            if turn.nearbyQuery != nil {
                let again = engine.handle(session, inbound, context: TurnContext(newTrackingNumber: number, nearby: []), now: clock)
                let settled = try #require(engine.settle(turn, nearby: []), "\(name) turn \(index + 1)")
                #expect(settled == again, "\(name) turn \(index + 1): \"\(text)\"")
                turn = again
            }
            session = turn.session
        }
    }

    /// A first message with a problem and a place asks for tickets nearby in every language. Tickets nearby that
    /// cannot be offered (closed, another service, past the radius) settle it as none do; one that can is left to a
    /// second run, which offers it.
    @Test func aFirstReportWithAPlaceSettlesInEveryLanguage() throws {
        let engine = try DemoCity.shared.engine
        let firsts = [("en", "There's a big pothole at 1423 Oak St"), ("es", "Hay un bache grande en 1423 Oak St"),
                      ("zh-Hans", "1423 Oak St 有一个大坑洞"), ("vi", "Có ổ gà lớn ở 1423 Oak St"), ("ar", "توجد حفرة كبيرة في 1423 Oak St")]
        for (locale, text) in firsts {
            let session = Session(locale: LanguageTag(locale))
            let inbound = Inbound(text: text, media: [], channel: .sms)
            let now = Date(timeIntervalSince1970: 1_795_000_000)
            let turn = engine.handle(session, inbound, context: TurnContext(newTrackingNumber: TrackingNumber(serial: 7)), now: now)
            #expect(turn.nearbyQuery != nil, "\(locale): \(text)")
            let again = engine.handle(session, inbound, context: TurnContext(newTrackingNumber: TrackingNumber(serial: 7), nearby: []), now: now)
            #expect(engine.settle(turn, nearby: []) == again, "\(locale)")

            let query = try #require(turn.nearbyQuery)
            func nearby(_ service: String, _ status: TicketStatus, _ metres: Double) -> NearbyTicket {
                NearbyTicket(ticket: TicketSummary(trackingNumber: TrackingNumber(serial: 42), serviceCode: service, status: status,
                                                   locationText: "1421 Oak St", requestedAt: now - 86_400, updatedAt: now - 86_400, expectedAt: nil),
                             distance: metres)
            }
            let unofferable = [nearby(query.serviceCode, .closed, 5), nearby("graffiti", .open, 5), nearby(query.serviceCode, .open, query.radius + 1)]
            let withThem = engine.handle(session, inbound, context: TurnContext(newTrackingNumber: TrackingNumber(serial: 7), nearby: unofferable), now: now)
            #expect(engine.settle(turn, nearby: unofferable) == withThem, "\(locale)")
            #expect(withThem.session.state == again.session.state)

            let offerable = [nearby(query.serviceCode, .open, 10)]
            #expect(engine.settle(turn, nearby: offerable) == nil, "\(locale)")
            let offered = engine.handle(session, inbound, context: TurnContext(newTrackingNumber: TrackingNumber(serial: 7), nearby: offerable), now: now)
            #expect(offered.session.state == .offeringDuplicate(TrackingNumber(serial: 42)), "\(locale)")
        }
    }
}
