import CityLineTestSupport
import CityModel
import Foundation
import Localization
import Messaging
import Rendering
import Testing

/// The messaging model: channels are an open set, and what a channel can carry is its profile's business.
@Suite struct MessagingTests {
    static let turn = [
        OutboundMessage("help", ["program": .text("Springfield 311")], kind: .reply),
        OutboundMessage("ack.created", ["program": .text("Springfield 311"), "number": .text("1000002"), "service": .text("Pothole"),
                                        "department": .text("Streets"), "expected": .day(t0)], kind: .reply),
    ]

    @Test func channelNamesAreLowerCaseWordsAndDecodeStrictly() throws {
        #expect(Channel(rawValue: "signal")?.rawValue == "signal" && Channel(rawValue: "sms") == .sms)
        for bad in ["", "SMS", "e mail", "sms;drop", String(repeating: "a", count: 33)] { #expect(Channel(rawValue: bad) == nil) }
        #expect(try JSONDecoder().decode(Channel.self, from: Data(#""whatsapp""#.utf8)) == .whatsapp)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Channel.self, from: Data(#""Bad Name""#.utf8)) }
    }

    /// A channel CityLine has never heard of works with a profile alone: one message each, cut to its length.
    @Test func aNewChannelIsOneProfile() throws {
        let (city, _, shipped) = try Demo.loaded
        let signal = try #require(Channel(rawValue: "signal"))
        var profiles = ChannelProfiles(smsSegments: city.smsSegmentLimit)
        profiles.register(ChannelProfile(channel: signal, maxLength: 40))
        let composer = MessageComposer(renderer: shipped.renderer, templates: shipped.templates, city: city, profiles: profiles)
        let composed = composer.compose(Self.turn, to: ChannelAddress(channel: signal, address: "alice"), locale: .english, ticket: nil)
        #expect(composed.count == 2 && composed.allSatisfy { $0.subject == nil && $0.html == nil })
        #expect(composed.allSatisfy { $0.body.count <= 40 } && composed[0].body.hasSuffix("…"), "\(composed.map(\.body))")
    }

    /// Email is "combined": a turn is one mail with a subject and HTML; SMS is one message each, plain punctuation.
    @Test func theShippedProfilesShapeEachChannel() throws {
        let (_, _, composer) = try Demo.loaded
        let mail = composer.compose(Self.turn, to: ChannelAddress(channel: .email, address: "maria@example.org"), locale: .english,
                                    ticket: nil)
        #expect(mail.count == 1 && mail[0].subject != nil && mail[0].html != nil)
        let texts = composer.compose(Self.turn, to: ChannelAddress(channel: .sms, address: "+12175550100"), locale: .english, ticket: nil)
        #expect(texts.count == 2 && texts.allSatisfy { $0.html == nil && !$0.body.contains("’") })
        #expect(composer.profiles.residentChannels == [.chat, .email, .sms, .telegram, .whatsapp])
        #expect(composer.profiles[.webhook].templateParts.isEmpty && !composer.profiles[.webhook].reachesResident)
    }
}
