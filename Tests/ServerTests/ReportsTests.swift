import CityLineApp
import CityLineTestSupport
import CityModel
import ChannelSMS
import Conversation
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Reports
import Storage
import StorageSQLite
import Testing
import Transport
@testable import WebAPI

/// The KPIs, the equity view, the trend and the CSV export: the definitions on known tickets in both stores, then
/// the whole path over HTTP from a resident's first text to the dashboard's figures.
@Suite struct ReportsTests {
    static let hour = 3600.0

    /// Four tickets with known times (in Springfield, America/Chicago), one before the period:
    /// - A  es sms ward-1: first text 2 h before filing, closed 10 h after filing (12 h), in time; rated 5, fixed.
    /// - B  es sms ward-1: closed 50 h after filing, past its 24 h SLA; rated 2, not fixed.
    /// - C  en chat, no point: still open.
    /// - D  en email ward-2: closed after 4 h, reopened by the resident, closed again 30 h after filing.
    /// - E  vi sms: its first text was the week before: outside the period.
    static func seed(_ store: any StoreKind.AllPorts) async throws {
        func make(_ serial: Int, _ locale: LanguageTag, _ channel: Channel, area: String?, firstContact: Date?, at: Date) -> Ticket {
            var ticket = ticket(serial, at: at)
            ticket.draft.locale = locale
            ticket.draft.channel = channel
            ticket.draft.area = area
            ticket.draft.firstContactAt = firstContact
            return ticket
        }
        let tickets = [
            make(1, LanguageTag("es"), .sms, area: "ward-1", firstContact: t0.addingTimeInterval(-2 * hour), at: t0),
            make(2, LanguageTag("es"), .sms, area: "ward-1", firstContact: nil, at: t0),
            make(3, .english, .chat, area: nil, firstContact: nil, at: t0),
            make(4, .english, .email, area: "ward-2", firstContact: nil, at: t0),
            make(5, LanguageTag("vi"), .sms, area: "ward-3", firstContact: t0.addingTimeInterval(-8 * 86_400), at: t0.addingTimeInterval(-7 * 86_400)),
        ]
        try await store.commit(seedTurn(sms("+12175550100", "x", id: "SM1"), tickets: tickets))
        let close = TicketChange(status: .closed)
        _ = try await store.update(TrackingNumber(serial: 1), close, actor: "staff:1", at: t0.addingTimeInterval(10 * hour))
        _ = try await store.update(TrackingNumber(serial: 2), close, actor: "staff:1", at: t0.addingTimeInterval(50 * hour))
        _ = try await store.update(TrackingNumber(serial: 4), close, actor: "staff:1", at: t0.addingTimeInterval(4 * hour))
        _ = try await store.update(TrackingNumber(serial: 4), TicketChange(status: .open), actor: "system", at: t0.addingTimeInterval(20 * hour))
        _ = try await store.update(TrackingNumber(serial: 4), close, actor: "staff:1", at: t0.addingTimeInterval(30 * hour))
        try await store.apply(WritePlan(surveys: [
            SurveyRecord(ticket: TrackingNumber(serial: 1), state: .answered, fixed: .yes, rating: 5, startedAt: t0, updatedAt: t0),
            SurveyRecord(ticket: TrackingNumber(serial: 2), state: .answered, fixed: .no, rating: 2, startedAt: t0, updatedAt: t0),
        ], emergencies: [
            EmergencyRecord(trigger: "fire", channel: .sms, locale: LanguageTag("es"), at: t0),
            EmergencyRecord(trigger: "gas", channel: .chat, locale: .english, at: t0.addingTimeInterval(-30 * 86_400)),
        ], events: [], at: t0))
    }

    /// Monday 16 November 2026 00:00 in Springfield to the end of 30 November.
    static let period = ReportQuery(from: ISO8601DateFormatter().date(from: "2026-11-16T06:00:00Z"),
                                    to: ISO8601DateFormatter().date(from: "2026-12-01T06:00:00Z"))

    @Test(arguments: StoreKind.allCases)
    func theDefinitionsOnKnownTickets(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await Self.seed(store)

        let byLanguage = try await store.kpis(Self.period, grouping: .language)
        let total = byLanguage.total
        #expect(total.count == 4 && total.open == 1 && total.closed == 3)
        #expect(total.medianHoursToClose == 30 && total.p90HoursToClose == 50)   // 12, 30, 50
        #expect(total.slaMetRatio == 1.0 / 3)                                     // A only (D closed past its day)
        #expect(total.csatMean == 3.5 && total.csatResponses == 2 && total.notFixedRatio == 0.5)
        #expect(total.reopened == 1 && total.reopenRatio == 1.0 / 3)
        #expect(total.emergencies == 1)                                           // the other is before the period

        let spanish = try #require(byLanguage.rows.first { $0.group == "es" })
        #expect(spanish.count == 2 && spanish.closed == 2)
        #expect(spanish.medianHoursToClose == 31)                                 // (12 + 50) / 2, from the first text
        #expect(spanish.p90HoursToClose == 50 && spanish.slaMetRatio == 0.5 && spanish.emergencies == 1)
        let english = try #require(byLanguage.rows.first { $0.group == "en" })
        #expect(english.count == 2 && english.open == 1 && english.medianHoursToClose == 30 && english.emergencies == 0)
        #expect(byLanguage.rows.first { $0.group == "vi" } == nil)

        // Areas: a ticket without a point is "unknown"; other groupings carry no contact figures.
        let byArea = try await store.kpis(Self.period, grouping: .area)
        #expect(Set(byArea.rows.map(\.group)) == ["ward-1", "ward-2", ReportKey.unknown])
        #expect(byArea.rows.allSatisfy { $0.emergencies == nil })
        let byChannel = try await store.kpis(Self.period, grouping: .channel)
        #expect(byChannel.rows.first { $0.group == "sms" }?.count == 2)

        // A staff token's scope: its department's tickets, no city-wide contacts.
        let parks = try await store.kpis(ReportQuery(departments: ["parks"]), grouping: nil)
        #expect(parks.total.count == 0 && parks.total.emergencies == 0)
        let everything = try await store.kpis(ReportQuery(), grouping: nil)
        #expect(everything.total.count == 5 && everything.total.emergencies == 2)

        // The equity view: the gap to the city, and a plain warning with so few tickets.
        let equity = Equity.view(byLanguage)
        let es = try #require(equity.rows.first { $0.group == "es" })
        #expect(es.hoursToCloseGap == 1 && es.csatGap == 0 && es.warning?.contains("only 2 closed tickets") == true)

        // Week by week, in the city's time zone: all four came in the week of Monday 23 November.
        let trend = try await store.reduceTicketFacts(Self.period, into: TrendAccumulator(timeZone: TimeZone(identifier: "America/Chicago")!))
        let weeks = trend.weeks()
        #expect(weeks.first?.start == "2026-11-23" && weeks.first?.opened == 4 && weeks.first?.closed == 3)
    }

    @Test func percentilesAndWeeksAcrossDST() {
        #expect(Percentile.median([]) == nil && Percentile.median([3]) == 3 && Percentile.median([1, 2, 3, 10]) == 2.5)
        #expect(Percentile.nearestRank(0.9, Array(1...10).map(Double.init)) == 9)
        #expect(Percentile.nearestRank(0.9, [5]) == 5)
        // Sunday 1 November 2026, 23:30 in Springfield (after the clocks went back) is still the week of 26 October;
        // Monday 2 November 00:30 is the next.
        var trend = TrendAccumulator(timeZone: TimeZone(identifier: "America/Chicago")!)
        for time in ["2026-11-02T05:30:00Z", "2026-11-02T06:30:00Z"] {
            let at = ISO8601DateFormatter().date(from: time)!.timeIntervalSince1970
            trend.add(TicketFact(trackingNumber: "1", serviceCode: "pothole", department: "streets", jurisdiction: "springfield",
                                 area: nil, locale: "en", channel: "sms", status: .open, firstContact: at, requestedAt: at,
                                 expectedAt: nil, closedAt: nil))
        }
        #expect(trend.weeks().map(\.start) == ["2026-10-26", "2026-11-02"])
        #expect(trend.weeks().map(\.opened) == [1, 1])
    }

    @Test func csvFieldsAreQuotedAndDefused() {
        #expect(TicketCSV.field("pothole") == "pothole")
        #expect(TicketCSV.field("a,b") == "\"a,b\"")
        #expect(TicketCSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(TicketCSV.field("=HYPERLINK(1)") == "'=HYPERLINK(1)")
    }
}

/// A resident's report over the real webhook, closed by staff, and the figures the API gives for it.
@Suite struct ReportsHTTPTests {
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var now = t0
        func read() -> Date { lock.withLock { now } }
        func advance(_ seconds: Double) { lock.withLock { now = now.addingTimeInterval(seconds) } }
    }

    static func form(_ sid: String, _ from: String, _ body: String) -> String {
        FormBody.encode([("MessageSid", sid), ("From", from), ("To", "+12175550311"), ("Body", body), ("NumMedia", "0")])
    }

    @Test func fromTheFirstTextToTheFigures() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        for (secret, role, department) in [("admin", StaffRole.admin, nil), ("streets", .staff, "streets"),
                                           ("parks", .staff, "parks")] as [(String, StaffRole, String?)] {
            _ = try await store.createToken(hash: StaffTokenHash.hash(secret), role: role, department: department, label: nil, at: t0)
        }
        let clock = Clock()
        let app = try await buildApplication(try .testing(store: .sqlite(store), clock: { clock.read() }))
        let auth = StaffAPITests.auth
        let json = StaffAPITests.json
        let resident = "+12175550177"
        try await app.test(.live) { client in
            let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            // A Spanish report over ten minutes, a minute between answers; then an emergency from someone else.
            let turns = ["Hay un bache enorme en la calle Oak", "Calle Oak 1423, frente a la biblioteca", "3", "1", "omitir", "sí"]
            for (index, text) in turns.enumerated() {
                try await client.execute(uri: "/webhooks/twilio/sms", method: .post, headers: formHeaders,
                                         body: ByteBuffer(string: Self.form("SMR\(index)", resident, text))) { #expect($0.status == .ok) }
                clock.advance(index == 0 ? 540 : 60)
            }
            try await client.execute(uri: "/webhooks/twilio/sms", method: .post, headers: formHeaders,
                                     body: ByteBuffer(string: Self.form("SME", "+12175550178", "la casa de al lado esta en llamas"))) {
                #expect($0.status == .ok)
            }
            let number = try #require(try await store.tickets(TicketFilter()).first?.trackingNumber.digits)
            // Staff close it three hours after the first text.
            clock.advance(3 * 3600 - 840)
            try await client.execute(uri: "/api/v1/tickets/\(number)", method: .patch, headers: auth("streets"),
                                     body: ByteBuffer(string: #"{"status": "closed", "resolution": "fixed"}"#)) { #expect($0.status == .ok) }

            try await client.execute(uri: "/api/v1/reports/kpis?group_by=language&from=2026-11-23&to=2026-11-23", method: .get,
                                     headers: auth("admin")) { response in
                #expect(response.status == .ok)
                let body = json(response)
                #expect(body["time_zone"] as? String == "America/Chicago" && body["from"] as? String == "2026-11-23T00:00:00-06:00")
                let rows = body["rows"] as? [[String: Any]] ?? []
                let spanish = rows.first { $0["language"] as? String == "es" }
                #expect(spanish?["count"] as? Int == 1 && spanish?["closed"] as? Int == 1)
                #expect(spanish?["median_hours_to_close"] as? Double == 3)   // from the first text, not the filing
                #expect(spanish?["emergencies"] as? Int == 1 && spanish?["name"] as? String == "Spanish")
                #expect((body["total"] as? [String: Any])?["sla_met_ratio"] as? Double == 1)
            }
            // The day before holds nothing.
            try await client.execute(uri: "/api/v1/reports/kpis?to=2026-11-22", method: .get, headers: auth("admin")) { response in
                #expect((json(response)["total"] as? [String: Any])?["count"] as? Int == 0)
            }
            try await client.execute(uri: "/api/v1/reports/kpis?group_by=area", method: .get, headers: auth("streets")) { response in
                let rows = json(response)["rows"] as? [[String: Any]] ?? []
                #expect(rows.first?["area"] as? String == "ward-3" && rows.first?["name"] as? String == "Ward 3 (Southwest)")
            }
            try await client.execute(uri: "/api/v1/reports/equity?group_by=language", method: .get, headers: auth("admin")) { response in
                let rows = json(response)["rows"] as? [[String: Any]] ?? []
                #expect(rows.first?["hours_to_close_gap"] as? Double == 0)
                #expect((rows.first?["warning"] as? String)?.hasPrefix("Too few to compare") == true)
            }
            try await client.execute(uri: "/api/v1/reports/tickets.csv", method: .get, headers: auth("admin")) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "text/csv; charset=utf-8")
                let text = String(buffer: response.body)
                let lines = text.split(separator: "\r\n").map(String.init)
                #expect(lines.count == 2 && lines[0].hasPrefix("tracking_number,service_code,department"))
                #expect(lines[1].hasPrefix("\(number),pothole,streets,springfield,ward-3,es,sms,closed,2026-11-23T10:00:00-06:00"))
                #expect(!text.contains("5550177") && !text.contains("Oak"))
            }
            // Another department's staff see none of it; bad parameters are 400 and say why; no token is 401.
            try await client.execute(uri: "/api/v1/reports/kpis", method: .get, headers: auth("parks")) { response in
                #expect((json(response)["total"] as? [String: Any])?["count"] as? Int == 0)
                #expect((json(response)["total"] as? [String: Any])?["emergencies"] as? Int == 0)
            }
            for (token, path, status) in [
                ("admin", "/api/v1/reports/kpis?group_by=shoe_size", HTTPResponse.Status.badRequest),
                ("admin", "/api/v1/reports/kpis?from=2026-13-40", .badRequest),
                ("admin", "/api/v1/reports/kpis?from=2026-11-24&to=2026-11-20", .badRequest),
                ("admin", "/api/v1/reports/kpis?department=nope", .badRequest),
                ("admin", "/api/v1/reports/equity?group_by=service", .badRequest),
                ("parks", "/api/v1/reports/kpis?department=streets", .forbidden),
                ("parks", "/api/v1/reports/tickets.csv?department=streets", .forbidden),
            ] {
                try await client.execute(uri: path, method: .get, headers: auth(token)) { response in
                    #expect(response.status == status, "\(path)")
                    #expect(StaffAPITests.errorCode(response) != nil)
                }
            }
            try await client.execute(uri: "/api/v1/reports/kpis", method: .get, headers: auth(nil)) { #expect($0.status == .unauthorized) }
        }
    }
}
