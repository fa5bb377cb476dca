import CityConfig
import CityModel
import Foundation
import Localization
import Messaging
import Rendering
import Storage
import StorageSQLite
import Switchboard

/// An area notice to many opted-in residents (Benchmarks/notices.sh): SUBSCRIBERS subscriptions inside a polygon
/// of the demo city (five languages, SMS, email and chat) and a fifth as many outside it, in a fresh SQLite
/// database; then the notice is resolved (bounding box on the indexed points, then point-in-polygon), rendered
/// per language and queued in the outbox in one transaction, ROUNDS times (a new notice each time). The baseline
/// in the same run is reading every subscription in the polygon's box from the store, without resolving or writing.
@main
struct NoticeBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let inside = arguments.first ?? 100_000
        let rounds = arguments.dropFirst().first ?? 3
        guard let root = ResourceLocator.root(home: ProcessInfo.processInfo.environment["CITYLINE_HOME"]) else {
            fatalError("run from the repository (Locales/ not found)")
        }
        // No quiet hours, so every message is queued pending, whatever the time of day.
        let city = try CityLoader(directory: root + "/DemoCity", environment: ["CITYLINE_QUIET_HOURS_START": "00:00",
                                                                              "CITYLINE_QUIET_HOURS_END": "00:00"]).load()
        let (catalog, _) = try LocaleLoader(directory: root + "/Locales").load()
        let renderer = MessageRenderer(catalog: catalog, timeZone: city.timeZone, fallbacks: city.fallbackLocales)
        // Each email carries its own unsubscribe link, as in `cityline serve`.
        let composer = MessageComposer(renderer: renderer, templates: try TemplateLoader(directories: [root + "/Templates"]).load(), city: city,
                                       unsubscribeLink: { "https://springfield.example/unsubscribe/\($0.address.replacingOccurrences(of: "@", with: "-at-"))?s=0f3a9c" })
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cityline-notice-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("cityline.sqlite").path)

        // The polygon: a lopsided hexagon over the middle of Springfield; subscribers inside it and around it.
        let hexagon: [Coordinate] = [(39.76, -89.68), (39.75, -89.64), (39.77, -89.60), (39.81, -89.61), (39.82, -89.65), (39.80, -89.69),
                                     (39.76, -89.68)].map { Coordinate(latitude: $0.0, longitude: $0.1) }
        let area = GeoBoundary(polygons: [[hexagon]])
        let box = try require(area.boundingBox, "the box")
        var random = SplitMix(seed: 7)
        let locales = [LanguageTag.english, LanguageTag("es"), LanguageTag("zh-Hans"), LanguageTag("vi"), LanguageTag("ar")]
        let channels: [Channel] = [.sms, .sms, .sms, .sms, .sms, .sms, .sms, .email, .chat, .chat]
        let outside = inside / 5
        var placed = (inside: 0, outside: 0)
        var batch: [AlertWrite] = []
        let setup = Date()
        var serial = 0
        while placed.inside < inside || placed.outside < outside {
            // Points over the box and a margin around it; each lands inside or outside the hexagon.
            let point = Coordinate(latitude: box.minLatitude - 0.02 + random.unit() * (box.maxLatitude - box.minLatitude + 0.04),
                                   longitude: box.minLongitude - 0.02 + random.unit() * (box.maxLongitude - box.minLongitude + 0.04))
            let isInside = area.contains(point)
            if isInside ? placed.inside >= inside : placed.outside >= outside { continue }
            if isInside { placed.inside += 1 } else { placed.outside += 1 }
            serial += 1
            let channel = channels[Int(random.next() % UInt64(channels.count))]
            let address = channel == .email ? "resident\(serial)@example.org" : channel == .chat ? "chat-\(serial)" : "+1217\(String(format: "%07d", serial))"
            batch.append(.subscribe(AlertSubscription(
                address: ChannelAddress(channel: channel, address: address), place: AlertPlace(matched: "\(serial) Main St", point: point),
                locale: locales[Int(random.next() % UInt64(locales.count))], source: channel.rawValue, consentedAt: setup
            )))
            if batch.count == 20_000 {
                try await store.apply(WritePlan(alerts: batch, at: setup))
                batch.removeAll(keepingCapacity: true)
            }
        }
        try await store.apply(WritePlan(alerts: batch, at: setup))
        print(String(format: "%d subscriptions inside the polygon, %d outside, stored in %.1f s", inside, outside, Date().timeIntervalSince(setup)))

        let desk = NoticeDesk(city: city, store: store, composer: composer, segmentsPerSecond: 1)
        let request = NoticeRequest(area: .polygon(area), areaJSON: "{}", messages: [
            .english: "Water main break on Oak St between 5th and 7th. Water is off until about 6 pm.",
            LanguageTag("es"): "Rotura de tubería en Oak St entre 5th y 7th. Sin agua hasta las 6 pm aprox.",
        ])
        func time(_ name: String, _ work: () async throws -> Void) async rethrows -> Double {
            var seconds: [Double] = []
            for _ in 0..<rounds {
                let began = DispatchTime.now().uptimeNanoseconds
                try await work()
                seconds.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9)
            }
            seconds.sort()
            let median = seconds[seconds.count / 2]
            print(String(format: "%@: median %.3f s (%@)", name, median, seconds.map { String(format: "%.3f", $0) }.joined(separator: ", ")))
            return median
        }
        var read = 0
        let baseline = try await time("baseline: reading the subscriptions in the polygon's box") {
            read = try await store.alertSubscribers(in: box, topic: nil).count
        }
        _ = try await time("preview: resolve and render, nothing written") { _ = try await desk.preview(request) }
        var queued = 0
        let send = try await time("notice: resolve, render and queue") {
            let (id, preview) = try await desk.send(request, by: "bench")
            queued = preview.queued
            let counted = try await store.notice(id)?.counts.queued
            precondition(counted == inside)
        }
        precondition(queued == inside)
        print(String(format: "%d of %d subscriptions in the box were inside; %d messages queued per notice in %.2f s (%.2f× the baseline); limit 10 s",
                     inside, read, queued, send, send / baseline))
    }
}

/// A small deterministic generator (SplitMix64), so every run places the same subscribers.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// `try #require` for a script: the value or a clear stop.
func require<T>(_ value: T?, _ what: String = "a value") throws -> T {
    guard let value else { fatalError("missing \(what)") }
    return value
}
