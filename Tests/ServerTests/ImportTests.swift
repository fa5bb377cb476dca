import CityConfig
import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import StorageSQLite
import Testing
import WebAPI

/// `cityline import`: a city's past requests become tickets with their own times, each once, and the KPIs read them.
@Suite struct ImportTests {
    /// The real Newport, RI SeeClickFix requests of the shared data (`../shared/data/real`, beside the repository;
    /// `CITYLINE_REAL_DATA` names another folder). Not copied into the repository.
    static let newport: String? = {
        let folder = ProcessInfo.processInfo.environment["CITYLINE_REAL_DATA"]
            ?? Demo.root.deletingLastPathComponent().appendingPathComponent("shared/data/real").path
        let path = folder + "/requests_newport_seeclickfix.csv"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    /// The median hours from opened to closed of the closed requests (SeeClickFix's `Archived` and `Closed`),
    /// computed apart from CityLine by Python's csv and statistics modules.
    static func pythonMedian(_ path: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import csv, datetime, statistics, sys
            parse = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
            rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
            hours = [(parse(r["closed"]) - parse(r["opened"])).total_seconds() / 3600
                     for r in rows if r["status"] in ("Archived", "Closed") and r["closed"]]
            print(len(rows), statistics.median(hours))
            """, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let words = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ")
        return try #require(Double(words.last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
    }

    @Test(.enabled(if: newport != nil, "needs ../shared/data/real/requests_newport_seeclickfix.csv beside the repository (or CITYLINE_REAL_DATA)"))
    func newportsMedianTimeToCloseIsTheCSVs() async throws {
        let path = try #require(Self.newport)
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        let city = try Demo.loadedCity.city
        let requests = try HistoryImport.csv(try String(contentsOfFile: path, encoding: .utf8), file: path)
        let first = try await HistoryImporter.run(requests, city: city, store: store, at: t0)
        #expect(first.imported == requests.count && first.alreadyThere == 0)
        // Again: nothing doubled.
        let second = try await HistoryImporter.run(requests, city: city, store: store, at: t0)
        #expect(second.imported == 0 && second.alreadyThere == requests.count)

        _ = try await store.createToken(hash: StaffTokenHash.hash("admin"), role: .admin, department: nil, label: nil, at: t0)
        let app = try await buildApplication(try .testing(store: .sqlite(store), clock: { t0 }))
        let expected = try await blocking { try Self.pythonMedian(path) } // python3 runs for a while: not on a concurrency thread
        try await app.test(.live) { client in
            try await client.execute(uri: "/api/v1/reports/kpis", method: .get, headers: StaffAPITests.auth("admin")) { response in
                let total = StaffAPITests.json(response)["total"] as? [String: Any] ?? [:]
                #expect(total["count"] as? Int == requests.count)
                let median = try #require(total["median_hours_to_close"] as? Double)
                #expect(abs(median - expected) < 0.001, "API \(median) h, the CSV \(expected) h")
            }
        }
        // Nobody is ever written to about an imported request.
        #expect(try await store.outboxEntries(state: .pending, limit: 10).isEmpty)
    }

    @Test func anotherCityLinesOpen311RequestsOverLoopback() async throws {
        // The earlier system: a CityLine with three requests, one closed, answering GET requests.json.
        let old = try SQLiteStore(path: try temporaryDirectory() + "/old.sqlite")
        try await old.commit(seedTurn(sms("+12175550100", "x", id: "SM1"), tickets: [ticket(1), ticket(2), ticket(3, department: "parks")]))
        _ = try await old.update(TrackingNumber(serial: 2), TicketChange(status: .closed), actor: "staff:1", at: t0.addingTimeInterval(7200))
        let new = try SQLiteStore(path: try temporaryDirectory() + "/new.sqlite")
        let summary = try await withRunningApplication(try .testing(store: .sqlite(old), clock: { t0.addingTimeInterval(86_400) })) { port in
            let url = "http://127.0.0.1:\(port)/open311/v2/requests.json?start_date=2026-11-01T00:00:00Z&end_date=2026-11-30T00:00:00Z"
            let requests = try HistoryImport.open311(try await HistoryImporter.read(url), source: url)
            return try await HistoryImporter.run(requests, city: try Demo.loadedCity.city, store: new, at: t0)
        }
        #expect(summary.imported == 3 && summary.closed == 1)
        let tickets = try await new.tickets(TicketFilter())
        #expect(tickets.map(\.draft.serviceCode).sorted() == ["pothole", "pothole", "pothole"])
        let closed = try #require(tickets.first { $0.status == .closed })
        #expect(closed.closedAt == t0.addingTimeInterval(7200) && closed.draft.requestedAt == t0)
        #expect(tickets.allSatisfy { $0.reporter.channel == .history && !$0.reporter.channel.reachesResident })
    }

    @Test func aBrokenExportNamesItsLineAndStoresNothing() async throws {
        let header = "source_id,category,opened,closed,status,lat,lon\n"
        let cases: [(String, Int, String)] = [
            ("id,text\n1,x\n", 1, "no category column"),
            (header + "1,Pothole,2026-11-01T10:00:00Z,,Open,,\n2,Pothole,yesterday,,Open,,\n", 3, "opening time 'yesterday'"),
            (header + "1,Pothole,2026-11-01T10:00:00Z,2026-10-01T10:00:00Z,Closed,,\n", 2, "closed (2026-10-01T10:00:00Z) before it was opened"),
            (header + "1,Pothole,2026-11-01T10:00:00Z,,Open,91,-89\n", 2, "latitude and longitude must be numbers in range"),
            (header + "1,Pothole,2026-11-01T10:00:00Z,,Open,39.7\n", 2, "6 fields where the header has 7"),
            (header + "\"1\nstill one\",Pothole,2026-11-01T10:00:00Z,,Open,39.7,-89.6\n3,,2026-11-01T10:00:00Z,,Open,,\n", 4, "no category"),
        ]
        for (text, line, message) in cases {
            #expect {
                try HistoryImport.csv(text, file: "export.csv")
            } throws: { error in
                guard let error = error as? ConfigError else { return false }
                return error.file == "export.csv" && error.line == line && error.message.contains(message)
            }
        }
        #expect(throws: ConfigError.self) { try HistoryImport.open311(Data("{\"not\": \"a list\"}".utf8), source: "x.json") }
        #expect(throws: ConfigError.self) { try HistoryImport.open311(Data("[{\"service_name\": \"Pothole\"}]".utf8), source: "x.json") }
        await #expect(throws: AppError.self) { try await HistoryImporter.read("http://example.com/requests.json") }
        // The CSV's own reading: quoted commas, doubled quotes and line breaks; categories named by the catalog's
        // English name or mapped; the rest become codes of their own, routed to the fallback department.
        let requests = try HistoryImport.csv(header + """
            7,"Street Light Out","2026-11-01T10:00:00Z",,Acknowledged,39.79,-89.66
            8,"Roadway, ""Sidewalk"" Issue",2026-11-02T10:00:00-06:00,2026-11-03T10:00:00-06:00,Archived,,
            """, file: "export.csv")
        let city = try Demo.loadedCity.city
        let light = HistoryImport.ticket(requests[0], city: city, number: TrackingNumber(serial: 1), mapping: ["Street Light Out": "streetlight"],
                                         fallbackDepartment: "streets")
        #expect(light.draft.serviceCode == "streetlight" && light.status == .acknowledged && light.draft.area == "ward-1")
        let road = HistoryImport.ticket(requests[1], city: city, number: TrackingNumber(serial: 2), mapping: [:], fallbackDepartment: "streets")
        #expect(road.draft.serviceCode == "roadway-sidewalk-issue" && road.department == "streets" && road.status == .closed)
        #expect(road.closedAt == ISO8601DateFormatter().date(from: "2026-11-03T16:00:00Z"))
    }
}
