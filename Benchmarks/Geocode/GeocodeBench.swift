import CityConfig
import CityModel
import Foundation
import Geocoding
import Localization
import StorageSQLite

/// Geocodes per second and the duplicate lookup (Benchmarks/geocode.sh, README "Benchmarks").
///
/// 1. The demo city's address data indexed; every line of the held-out evaluation set geocoded over and over on
///    one thread for SECONDS; the baseline in the same run is only reading the same lines' words
///    (`TextFolding.words`), the floor of any text work on them.
/// 2. TICKETS open tickets (eight services) imported into a fresh SQLite store at random points of the city, then the duplicate
///    lookup (`openTickets(near:)`, 250 m, one service) at LOOKUPS random points, one at a time: p50/p99; the
///    baseline is a ticket fetched by its number (a primary-key read through the same pool).
///
/// Usage: cityline-geocode-bench [SECONDS] [TICKETS] [LOOKUPS]
@main
struct GeocodeBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        let seconds = Double(arguments.first ?? 5)
        let ticketCount = arguments.dropFirst().first ?? 1_000_000
        let lookups = arguments.dropFirst(2).first ?? 10_000
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

        let loadStart = Date()
        let data = try GeoDataLoader(directory: root.appendingPathComponent("DemoCity").path).load()
        let geocoder = Geocoder(data)
        print(String(format: "index: %d blocks, %d addresses, %d places loaded and indexed in %.2f s",
                     data.segments.count, data.addresses.count, data.places.count, Date().timeIntervalSince(loadStart)))
        let queries = try String(contentsOf: root.appendingPathComponent("Evaluation/geocode/heldout.tsv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().compactMap { $0.split(separator: "\t", omittingEmptySubsequences: false).dropFirst(3).first.map(String.init) }

        func rate(_ work: (String) -> Int) -> Double {
            var done = 0
            var sink = 0
            let start = Date()
            while Date().timeIntervalSince(start) < seconds {
                for text in queries { sink &+= work(text) }
                done += queries.count
            }
            if sink == 42 { print("") }
            return Double(done) / Date().timeIntervalSince(start)
        }
        let baseline = rate { TextFolding.words($0).count }
        let geocodes = rate { text in
            switch geocoder.geocode(text) {
            case .matched: 1
            case .ambiguous(let all): all.count
            case .notFound: 0
            }
        }
        print(String(format: "geocode: %.0f lines/s on one thread (%d held-out lines in five languages)", geocodes, queries.count))
        print(String(format: "baseline (reading the same lines' words only): %.0f lines/s; geocoding costs %.1f× that", baseline, baseline / geocodes))

        guard ticketCount > 0 else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cityline-geocode-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let keep = ProcessInfo.processInfo.environment["KEEP_DATABASE"] != nil
        defer { if keep { print("database kept: \(directory.path)/cityline.sqlite") } else { try? FileManager.default.removeItem(at: directory) } }
        let store = try SQLiteStore(path: directory.appendingPathComponent("cityline.sqlite").path)
        var generator = SplitMix(seed: 311)
        let (south, north, west, east) = (39.728, 39.834, -89.712, -89.588)
        func randomPoint() -> Coordinate {
            Coordinate(latitude: south + (north - south) * generator.unit(), longitude: west + (east - west) * generator.unit())
        }
        let services = ["pothole", "streetlight", "graffiti", "missed_trash", "illegal_dumping", "sidewalk", "tree", "abandoned_vehicle"]
        let now = Date()
        let importStart = Date()
        var batch: [Ticket] = []
        for index in 0..<ticketCount {
            let point = randomPoint()
            let draft = TicketDraft(
                trackingNumber: TrackingNumber(sequence: index), serviceCode: services[index % services.count], department: "streets",
                jurisdiction: "springfield", description: "imported", location: Location(kind: .coordinates, text: "", coordinate: point),
                attributes: [], media: [], locale: .english, channel: .sms,
                requestedAt: now.addingTimeInterval(-Double(index % 20) * 86_400), expectedAt: now)
            batch.append(Ticket(draft: draft, reporter: ChannelAddress(channel: .sms, address: "+1217555\(index % 10_000)"), updatedAt: now))
            if batch.count == 50_000 || index == ticketCount - 1 {
                try await store.importTickets(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        print(String(format: "duplicates: %d open tickets imported in %.0f s", ticketCount, Date().timeIntervalSince(importStart)))

        func percentiles(_ work: () async throws -> Void) async rethrows -> (Double, Double, Double) {
            var times: [Double] = []
            for _ in 0..<lookups {
                let start = DispatchTime.now().uptimeNanoseconds
                try await work()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            times.sort()
            return (times[times.count / 2], times[times.count * 99 / 100], times.last ?? 0)
        }
        var found = 0
        let lookup = try await percentiles {
            let query = NearbyQuery(serviceCode: "pothole", coordinate: randomPoint(), radius: 250, since: now.addingTimeInterval(-30 * 86_400))
            found += try await store.openTickets(near: query, limit: 3).count
        }
        let point = try await percentiles {
            _ = try await store.ticket(TrackingNumber(sequence: Int(generator.next() % UInt64(ticketCount))))
        }
        print(String(format: "duplicate lookup (250 m, one service, %d lookups, %.1f of at most 3 nearest open tickets found on average): p50 %.3f ms, p99 %.3f ms, max %.1f ms",
                     lookups, Double(found) / Double(lookups), lookup.0, lookup.1, lookup.2))
        print(String(format: "baseline (a ticket by its number): p50 %.3f ms, p99 %.3f ms; the lookup's p99 is %.1f× that",
                     point.0, point.1, lookup.1 / point.1))
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
