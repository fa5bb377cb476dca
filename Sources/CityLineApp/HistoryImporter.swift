import CityConfig
import CityModel
import Foundation
import AsyncHTTPClient
import Storage

/// `cityline import`: a city's past requests into the store, each once (the earlier system's id is the ticket's
/// idempotency key, so importing the same export again adds nothing), with their own times, so the KPIs have a
/// baseline from the first day. Imported tickets have no resident to write to: nothing is ever sent about them.
public enum HistoryImporter {
    public struct Summary: Sendable, Equatable {
        public var imported = 0
        public var alreadyThere = 0
        public var closed = 0
        public var outsideCatalog: [String: Int] = [:]
    }

    public static func run(_ requests: [HistoricRequest], city: City, store: any TicketStore & TrackingNumberStore,
                           mapping: [String: String] = [:], department: String? = nil, at date: Date) async throws -> Summary {
        let fallback = department ?? city.operatorDepartment ?? city.departments.first?.code ?? "imported"
        let numbers = SequenceTrackingNumbers(store: store, block: 256)
        var summary = Summary()
        for request in requests {
            let ticket = HistoryImport.ticket(request, city: city, number: try await numbers.next(), mapping: mapping,
                                              fallbackDepartment: fallback)
            let (_, created) = try await store.create(ticket, idempotencyKey: "import:" + request.externalID, actor: "import",
                                                      plan: WritePlan(at: date))
            guard created else {
                summary.alreadyThere += 1
                continue
            }
            summary.imported += 1
            if ticket.status == .closed { summary.closed += 1 }
            if city.service(ticket.draft.serviceCode) == nil { summary.outsideCatalog[ticket.draft.serviceCode, default: 0] += 1 }
        }
        return summary
    }
}

extension HistoryImporter {
    /// The export to read: a file, or an `http://` URL on this machine (an earlier system's Open311 endpoint reached
    /// through a tunnel or from the same host; nothing is fetched from elsewhere).
    public static func read(_ source: String) async throws -> Data {
        guard source.hasPrefix("http://") || source.hasPrefix("https://") else {
            guard let data = FileManager.default.contents(atPath: source) else { throw AppError("cannot read \(source)") }
            return data
        }
        guard let url = URL(string: source), let host = url.host, ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host) else {
            throw AppError("only files and URLs on this machine (127.0.0.1, localhost) can be imported from: \(source)")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let response = try await client.execute(HTTPClientRequest(url: source), timeout: .seconds(60))
            guard response.status == .ok else { throw AppError("\(source) answered \(response.status.code)") }
            let body = try await response.body.collect(upTo: 512 * 1024 * 1024)
            try await client.shutdown()
            return Data(body.readableBytesView)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
