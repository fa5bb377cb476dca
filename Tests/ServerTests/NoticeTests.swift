import CityLineTestSupport
import CityModel
import Foundation
import Localization
import Logging
import Messaging
import Outreach
import Storage
import Switchboard
import Testing
import Transport

/// Area notices end to end, without HTTP: residents opt in by text (`ALERTS <address>`), staff send a notice to a
/// polygon, and the dispatcher delivers it — only inside, in each resident's language, never after STOP, an ordinary
/// notice held for the morning and an emergency one sent at night; a cancel withdraws what has not gone.
@Suite struct NoticeTests {
    struct Harness {
        let store: any StoreKind.AllPorts
        let switchboard: Switchboard
        let desk: NoticeDesk
        let clock: TestClock
        let sink = RecordingTransport()

        init(_ kind: StoreKind, start: Date = t0) async throws {
            store = try await kind.make()
            switchboard = try Demo.switchboard(store)
            let (city, _, composer) = try Demo.loaded
            let clock = TestClock(start)
            self.clock = clock
            desk = NoticeDesk(city: city, store: store, composer: composer, segmentsPerSecond: 1, clock: { clock.now })
        }

        @discardableResult
        func send(_ from: String, _ text: String) async throws -> [String] {
            let outcome = try await switchboard.receive(sms(from, text, at: clock.now))
            clock.advance(1)
            return outcome.replies.map(\.body)
        }

        /// The dispatcher with the city's quiet hours, run until nothing more is due now.
        func dispatch() async throws {
            let clock = self.clock
            let dispatcher = OutboxDispatcher(store: store, transports: TransportRegistry(fallback: sink), policy: OutreachPolicy(city: desk.city),
                                              logger: Logger(label: "test"), clock: { clock.now })
            for _ in 0..<20 where try await dispatcher.dispatchDue() > 0 {}
        }

        func alerts() async -> [RenderedMessage] { await sink.sent.filter { $0.kind == .alert } }
    }

    // Lawrence Ave (6406–6448) lies inside this box; 10th St (3689, far west) does not.
    static let lawrence = GeoBoundary(polygons: [[[
        Coordinate(latitude: 39.760, longitude: -89.600), Coordinate(latitude: 39.760, longitude: -89.580),
        Coordinate(latitude: 39.772, longitude: -89.580), Coordinate(latitude: 39.772, longitude: -89.600),
        Coordinate(latitude: 39.760, longitude: -89.600),
    ]]])
    static let english = "+12175550101", spanish = "+12175550102", outside = "+12175550103", stopped = "+12175550104"
    static let never = "+12175550105", chinese = "+12175550106"

    static func notice(_ area: NoticeArea = .polygon(lawrence), emergency: Bool = false) -> NoticeRequest {
        NoticeRequest(area: area, areaJSON: "{}", messages: [
            .english: "Water main break on Lawrence Ave. Water is off until 6 pm.",
            LanguageTag("es"): "Rotura de tubería en Lawrence Ave. Sin agua hasta las 6 pm.",
        ], emergency: emergency)
    }

    /// Residents: three inside (English, Spanish, Chinese — no Chinese text: it falls back), one outside, one who
    /// opted in and then sent STOP, one who never opted in.
    static func residents(_ h: Harness) async throws {
        let confirmation = try await h.send(english, "ALERTS 6448 Lawrence Ave")
        #expect(confirmation.first?.contains("6448 Lawrence Ave") == true && confirmation.first?.contains("Msg & data rates may apply") == true,
                "\(confirmation)")
        try await h.send(spanish, "alertas 6416 Lawrence Ave")
        try await h.send(chinese, "提醒 6428 Lawrence Ave")
        try await h.send(outside, "ALERTS 3689 10th St")
        try await h.send(stopped, "ALERTS 6406 Lawrence Ave")
        try await h.send(stopped, "STOP")
        try await h.send(never, "pothole at 6438 Lawrence Ave")
    }

    @Test(arguments: StoreKind.allCases)
    func aNoticeReachesOnlyTheResidentsInsideInTheirLanguage(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        try await Self.residents(h)
        #expect(try await h.store.alertSubscriptions(of: ChannelAddress(channel: .sms, address: Self.stopped)).isEmpty, "STOP ends alerts")
        let english = try await h.store.alertSubscriptions(of: ChannelAddress(channel: .sms, address: Self.english))
        #expect(english.map(\.place.matched) == ["6448 Lawrence Ave"] && english.first?.source == "sms" && english.first?.consentedAt == t0)

        let preview = try await h.desk.preview(Self.notice())
        #expect(preview.targeted == 3 && preview.queued == 3 && preview.heldQuietHours == 0)
        #expect(preview.fallbacks[LanguageTag("zh-Hans")] == .english, "\(preview.fallbacks)")
        #expect(try await outboxEntries(h.store).filter { $0.message.kind == .alert }.isEmpty, "a preview queues nothing")

        let (id, _) = try await h.desk.send(Self.notice(), by: "test")
        try await h.dispatch()
        let sent = await h.alerts()
        #expect(Set(sent.map(\.to.address)) == [Self.english, Self.spanish, Self.chinese], "\(sent.map(\.to.address))")
        #expect(sent.first { $0.to.address == Self.english }?.body.contains("Water main break on Lawrence Ave") == true)
        #expect(sent.first { $0.to.address == Self.spanish }?.body.contains("Sin agua hasta las 6 pm") == true,
                "\(sent.first { $0.to.address == Self.spanish }?.body ?? "")")
        #expect(sent.first { $0.to.address == Self.spanish }?.locale == LanguageTag("es"))
        // No Chinese text: the English one, framed in Chinese.
        let chinese = try #require(sent.first { $0.to.address == Self.chinese })
        #expect(chinese.body.contains("Water main break") && chinese.body.contains("关闭提醒"), "\(chinese.body)")
        let counts = try #require(try await h.store.notice(id)).counts
        #expect(counts.targeted == 3 && counts.sent == 3 && counts.queued == 0 && counts.suppressedOptOut == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func nothingGoesAfterStopEvenWhenQueuedBefore(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        try await Self.residents(h)
        let (id, _) = try await h.desk.send(Self.notice(), by: "test")
        try await h.send(Self.spanish, "STOP")
        try await h.dispatch()
        #expect(await !h.alerts().contains { $0.to.address == Self.spanish })
        let counts = try #require(try await h.store.notice(id)).counts
        #expect(counts.targeted == 3 && counts.sent == 2 && counts.suppressedOptOut == 1, "\(counts)")
    }

    @Test(arguments: StoreKind.allCases)
    func anOrdinaryNoticeWaitsForTheMorningAnEmergencyGoesAtNight(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        try await Self.residents(h)
        // 23:00 in Springfield.
        let night = try #require(ISO8601DateFormatter().date(from: "2026-11-24T05:00:00Z"))
        h.clock.set(night)
        let (ordinary, _) = try await h.desk.send(Self.notice(), by: "test")
        let (emergency, _) = try await h.desk.send(Self.notice(emergency: true), by: "test")
        var counts = try #require(try await h.store.notice(ordinary)).counts
        #expect(counts.heldQuietHours == 3 && counts.queued == 3)
        try await h.dispatch()
        #expect(await h.alerts().count == 3, "only the emergency notice's three go at night")
        #expect(await h.alerts().allSatisfy { $0.urgent == true })
        #expect(try #require(try await h.store.notice(emergency)).counts.sent == 3)
        counts = try #require(try await h.store.notice(ordinary)).counts
        #expect(counts.heldQuietHours == 3 && counts.sent == 0)
        // 08:00.
        h.clock.set(try #require(ISO8601DateFormatter().date(from: "2026-11-24T14:00:00Z")))
        try await h.dispatch()
        #expect(await h.alerts().count == 6)
        counts = try #require(try await h.store.notice(ordinary)).counts
        #expect(counts.sent == 3 && counts.heldQuietHours == 0 && counts.queued == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func cancelWithdrawsWhatHasNotGone(_ kind: StoreKind) async throws {
        let h = try await Harness(kind)
        try await Self.residents(h)
        h.clock.set(try #require(ISO8601DateFormatter().date(from: "2026-11-24T05:00:00Z")))
        let (id, _) = try await h.desk.send(Self.notice(), by: "test")
        #expect(try await h.desk.cancel(id) == 3)
        #expect(try await h.desk.cancel(id) == 0, "twice withdraws nothing more")
        #expect(try await h.desk.cancel(9_999) == nil)
        h.clock.set(try #require(ISO8601DateFormatter().date(from: "2026-11-24T14:00:00Z")))
        try await h.dispatch()
        #expect(await h.alerts().isEmpty)
        let record = try #require(try await h.store.notice(id))
        #expect(record.counts.cancelled == 3 && record.counts.queued == 0 && record.cancelledAt != nil)
    }

    @Test func aJurisdictionAndEveryoneAndTopics() async throws {
        let h = try await Harness(.memory)
        try await Self.residents(h)
        try await h.send("+12175550107", "ALERTS trash 6439 Lawrence Ave")
        #expect(try await h.desk.preview(Self.notice(.all)).queued == 5)
        var water = Self.notice(.all)
        water.topic = "water"
        #expect(try await h.desk.preview(water).queued == 4, "the trash-only subscriber does not get a water notice")
        #expect(try await h.desk.preview(Self.notice(.jurisdiction("springfield"))).queued >= 4)
    }

    @Test func badRequestsQueueNothing() async throws {
        let h = try await Harness(.memory)
        try await Self.residents(h)
        let bowtie = GeoBoundary(polygons: [[[
            Coordinate(latitude: 39.76, longitude: -89.60), Coordinate(latitude: 39.77, longitude: -89.58),
            Coordinate(latitude: 39.76, longitude: -89.58), Coordinate(latitude: 39.77, longitude: -89.60),
            Coordinate(latitude: 39.76, longitude: -89.60),
        ]]])
        let open = GeoBoundary(polygons: [[[
            Coordinate(latitude: 39.76, longitude: -89.60), Coordinate(latitude: 39.77, longitude: -89.58),
            Coordinate(latitude: 39.76, longitude: -89.58), Coordinate(latitude: 39.75, longitude: -89.60),
        ]]])
        var empty = Self.notice()
        empty.messages[.english] = "  "
        var unknownLocale = Self.notice()
        unknownLocale.messages[LanguageTag("fr")] = "Bonjour"
        var unknownTopic = Self.notice()
        unknownTopic.topic = "parking"
        var none = Self.notice()
        none.messages = [:]
        let cases: [(NoticeRequest, String)] = [
            (Self.notice(.polygon(bowtie)), "invalid_area"), (Self.notice(.polygon(open)), "invalid_area"),
            (Self.notice(.jurisdiction("atlantis")), "unknown_jurisdiction"), (empty, "empty_text"), (unknownLocale, "unknown_locale"),
            (unknownTopic, "unknown_topic"), (none, "missing_messages"),
        ]
        for (request, code) in cases {
            await #expect(throws: NoticeError.self) { try await h.desk.send(request, by: "test") }
            do {
                _ = try await h.desk.send(request, by: "test")
            } catch let error as NoticeError {
                #expect(error.code == code, "\(error)")
            }
        }
        #expect(try await h.store.notices(limit: 10).isEmpty)
        #expect(try await outboxEntries(h.store).filter { $0.message.kind == .alert }.isEmpty)
    }

    /// A notice is rendered once per channel and language; each email still carries its own unsubscribe link.
    @Test func eachEmailHasItsOwnUnsubscribeLink() async throws {
        let store = MemoryStore()
        let composer = try Demo.loadedCity.composer { "https://springfield.example/unsubscribe/\($0.address)" }
        let desk = NoticeDesk(city: try Demo.city, store: store, composer: composer, clock: { t0 })
        let addresses = ["ana@example.org", "bo@example.org", "cy@example.org"].map { ChannelAddress(channel: .email, address: $0) }
        try await store.apply(WritePlan(alerts: addresses.map { address in
            .subscribe(AlertSubscription(address: address, place: AlertPlace(matched: "6448 Lawrence Ave",
                                                                              point: Coordinate(latitude: 39.766377, longitude: -89.589912)),
                                         locale: .english, source: "email", consentedAt: t0))
        }, at: t0))
        let (id, _) = try await desk.send(Self.notice(), by: "test")
        let emails = try await outboxEntries(store).filter { $0.notice == id }.map(\.message)
        #expect(emails.count == 3)
        for email in emails {
            let own = "https://springfield.example/unsubscribe/\(email.to.address)"
            #expect(email.body.contains(own) && email.html?.contains(own) == true, "\(email.body)")
            #expect(addresses.filter { $0 != email.to }.allSatisfy { !email.body.contains($0.address) && email.html?.contains($0.address) != true })
            #expect(email.subject == "Springfield 311 alert" && email.body.contains("Water main break on Lawrence Ave"))
        }
    }

    @Test func theCostIsShownPerLanguage() async throws {
        let h = try await Harness(.memory)
        try await Self.residents(h)
        let preview = try await h.desk.preview(Self.notice())
        let english = try #require(preview.languages.first { $0.locale == .english })
        #expect(english.sms.encoding == .gsm7 && english.recipients == 1 && !english.isFallback)
        let chinese = try #require(preview.languages.first { $0.locale == LanguageTag("zh-Hans") })
        #expect(chinese.sms.encoding == .ucs2 && chinese.isFallback && chinese.textLocale == .english)
        #expect(preview.smsSegments >= 3 && preview.pacingSeconds == Double(preview.smsSegments))
        #expect(preview.languages.map(\.locale).prefix(2) == [.english, LanguageTag("es")])
    }
}

/// The storage contract of `AlertStore`, on memory and SQLite.
@Suite struct AlertStoreContractTests {
    static let a = ChannelAddress(channel: .sms, address: "+12175550201")
    static let b = ChannelAddress(channel: .email, address: "resident@example.org")

    static func subscribe(_ address: ChannelAddress, _ matched: String, _ lat: Double, _ lon: Double, topic: String? = nil,
                          at date: Date = t0) -> AlertWrite {
        .subscribe(AlertSubscription(address: address, place: AlertPlace(matched: matched, point: Coordinate(latitude: lat, longitude: lon), topic: topic),
                                     locale: LanguageTag("es"), source: address.channel.rawValue, consentedAt: date))
    }

    @Test(arguments: StoreKind.allCases)
    func subscriptionsAreWrittenWithThePlanAndFoundByBox(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.apply(WritePlan(alerts: [
            Self.subscribe(Self.a, "1 Main St", 39.70, -89.60), Self.subscribe(Self.a, "9 Elm St", 39.80, -89.70, topic: "water"),
            Self.subscribe(Self.b, "1 Main St", 39.70, -89.60, topic: "roads"),
        ], at: t0))
        // The same place again renews the consent; it is not a second subscription.
        try await store.apply(WritePlan(alerts: [Self.subscribe(Self.a, "1 Main St", 39.70, -89.60, at: t0.addingTimeInterval(60))], at: t0))
        let mine = try await store.alertSubscriptions(of: Self.a)
        #expect(mine.map(\.place.matched) == ["1 Main St", "9 Elm St"] && mine[0].consentedAt == t0.addingTimeInterval(60))
        #expect(mine[1].place.topic == "water" && mine[0].locale == LanguageTag("es") && mine[0].source == "sms")

        let box = GeoBox(minLatitude: 39.65, maxLatitude: 39.75, minLongitude: -89.65, maxLongitude: -89.55)
        #expect(Set(try await store.alertSubscribers(in: box, topic: nil).map(\.address)) == [Self.a, Self.b])
        #expect(try await store.alertSubscribers(in: box, topic: "water").map(\.address) == [Self.a], "no topic = every topic; roads ≠ water")
        #expect(try await store.alertSubscribers(in: nil, topic: nil).count == 3)
        #expect(try await store.alertSubscribers(in: nil, topic: nil).allSatisfy { !$0.optedOut })

        try await store.apply(WritePlan(alerts: [.unsubscribeAll(Self.a)], at: t0))
        #expect(try await store.alertSubscriptions(of: Self.a).isEmpty)
        #expect(try await store.alertSubscribers(in: nil, topic: nil).map(\.address) == [Self.b])
    }

    @Test(arguments: StoreKind.allCases)
    func aNoticeIsStoredWithItsMessagesAndCounted(_ kind: StoreKind) async throws {
        let store = try await kind.make()
        let notice = NewNotice(area: #"{"type":"Polygon"}"#, messages: [.english: "Road closed", LanguageTag("es"): "Calle cerrada"],
                               emergency: false, topic: "roads", createdBy: "admin", createdAt: t0, suppressedOptOut: 2)
        func delivery(_ to: ChannelAddress, held: Bool) -> NoticeDelivery {
            NoticeDelivery(message: RenderedMessage(to: to, body: "Road closed", locale: .english, kind: .alert),
                           dueAt: held ? t0.addingTimeInterval(3600) : t0, held: held)
        }
        let id = try await store.createNotice(notice, deliveries: [delivery(Self.a, held: false), delivery(Self.b, held: true)])
        var record = try #require(try await store.notice(id))
        #expect(record.notice == notice && record.cancelledAt == nil)
        #expect(record.counts.targeted == 4 && record.counts.queued == 2 && record.counts.heldQuietHours == 1 && record.counts.suppressedOptOut == 2)
        let entries = try await outboxEntries(store).filter { $0.notice == id }
        #expect(entries.count == 2 && entries.allSatisfy { $0.message.kind == .alert })

        let claimed = try await store.claimDue(now: t0, limit: 10, leaseUntil: t0.addingTimeInterval(60))
        #expect(claimed.map(\.message.to) == [Self.a] && claimed.first?.notice == id, "the held one waits")
        try await store.markSent(claimed[0].id, providerID: "SM1", at: t0)
        #expect(try await store.cancelNotice(id, at: t0.addingTimeInterval(5)) == 1)
        record = try #require(try await store.notice(id))
        #expect(record.counts.sent == 1 && record.counts.cancelled == 1 && record.counts.queued == 0 && record.cancelledAt == t0.addingTimeInterval(5))
        #expect(try await store.claimDue(now: t0.addingTimeInterval(7200), limit: 10, leaseUntil: t0.addingTimeInterval(7300)).isEmpty)
        #expect(try await store.cancelNotice(id + 100, at: t0) == nil)

        let second = try await store.createNotice(notice, deliveries: [])
        #expect(try await store.notices(limit: 10).map(\.id) == [second, id])
        #expect(try await store.notices(limit: 1).map(\.id) == [second])
    }
}
