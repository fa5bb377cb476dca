import CityModel
import Foundation
import Reports
import Storage
import StorageSQLite

/// KPIs over many tickets (Benchmarks/kpis.sh): imports TICKETS tickets into a fresh SQLite database — five
/// languages, four channels, eight services, six areas, 80% closed after 1 h to 30 days, a fifth with a survey — then
/// times the KPI report grouped by language and by area, and the trend, ROUNDS times each. The baseline in the same
/// run is reading the same tickets' facts into a sink that only counts them (the scan without the arithmetic).
@main
struct KPIBench {
    struct Counter: TicketFactSink {
        var count = 0
        mutating func add(_ fact: TicketFact) { count += 1 }
    }

    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let ticketCount = arguments.first ?? 1_000_000
        let rounds = arguments.dropFirst().first ?? 5
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cityline-kpi-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("cityline.sqlite").path)

        var random = SplitMix(seed: 17)
        let locales: [(LanguageTag, Int)] = [(.english, 60), (LanguageTag("es"), 25), (LanguageTag("zh-Hans"), 6), (LanguageTag("vi"), 5), (LanguageTag("ar"), 4)]
        let channels: [Channel] = [.sms, .sms, .sms, .email, .chat, .whatsapp]
        let services = ["pothole", "streetlight", "graffiti", "missed-pickup", "illegal-dumping", "sidewalk", "fallen-tree", "abandoned-vehicle"]
        let areas: [String?] = ["ward-1", "ward-2", "ward-3", "ward-4", "rural", nil]
        let end = Date()
        let start = end.addingTimeInterval(-365 * 86_400)
        func locale() -> LanguageTag {
            var pick = Int(random.next() % 100)
            for (tag, share) in locales {
                if pick < share { return tag }
                pick -= share
            }
            return .english
        }

        let importStart = Date()
        var batch: [Ticket] = []
        var surveys: [SurveyRecord] = []
        for index in 0..<ticketCount {
            let requested = start.addingTimeInterval(random.unit() * 365 * 86_400)
            let draft = TicketDraft(
                trackingNumber: TrackingNumber(sequence: index), serviceCode: services[index % services.count], department: "streets",
                jurisdiction: "springfield", description: "benchmark", location: nil, attributes: [], media: [], locale: locale(),
                channel: channels[Int(random.next() % UInt64(channels.count))], requestedAt: requested,
                expectedAt: requested.addingTimeInterval(5 * 86_400), firstContactAt: requested.addingTimeInterval(-random.unit() * 600),
                area: areas[Int(random.next() % UInt64(areas.count))]
            )
            var ticket = Ticket(draft: draft, reporter: ChannelAddress(channel: draft.channel, address: "r\(index)"), updatedAt: requested)
            if random.unit() < 0.8 {
                ticket.status = .closed
                ticket.closedAt = requested.addingTimeInterval(3600 + random.unit() * 30 * 86_400)
                if random.unit() < 0.25 {
                    surveys.append(SurveyRecord(ticket: draft.trackingNumber, state: .answered, fixed: random.unit() < 0.85 ? .yes : .no,
                                                rating: 1 + Int(random.next() % 5), startedAt: requested, updatedAt: requested))
                }
            }
            batch.append(ticket)
            if batch.count == 50_000 || index == ticketCount - 1 {
                try await store.importTickets(batch)
                try await store.apply(WritePlan(surveys: surveys, at: end))
                batch.removeAll(keepingCapacity: true)
                surveys.removeAll(keepingCapacity: true)
            }
        }
        print(String(format: "%d tickets imported in %.0f s", ticketCount, Date().timeIntervalSince(importStart)))

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
        let all = ReportQuery()
        var counted = 0
        let baseline = try await time("baseline: reading every ticket's facts, counting them") {
            counted = try await store.reduceTicketFacts(all, into: Counter()).count
        }
        precondition(counted == ticketCount)
        var languages = 0
        let byLanguage = try await time("KPIs by language") {
            languages = try await store.kpis(all, grouping: .language).rows.count
        }
        let byArea = try await time("KPIs by area") { _ = try await store.kpis(all, grouping: .area) }
        let quarter = ReportQuery(from: end.addingTimeInterval(-90 * 86_400), to: end)
        let lastQuarter = try await time("KPIs by language, the last 90 days") { _ = try await store.kpis(quarter, grouping: .language) }
        let trend = try await time("weekly trend") {
            _ = try await store.reduceTicketFacts(all, into: TrendAccumulator(timeZone: TimeZone(identifier: "America/Chicago")!)).weeks()
        }
        print(String(format: "ratios to the baseline: by language %.2f×, by area %.2f×, last 90 days %.2f×, trend %.2f× (%d languages)",
                     byLanguage / baseline, byArea / baseline, lastQuarter / baseline, trend / baseline, languages))
    }
}

/// A small deterministic generator (SplitMix64), so every run imports the same tickets.
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
