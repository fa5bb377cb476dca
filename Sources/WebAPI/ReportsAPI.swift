import CityModel
import Foundation
import Hummingbird
import Reports
import Storage

/// The numbers for decision makers, staff token (a `staff` token sees its department's tickets only):
///
/// - `GET /api/v1/reports/kpis?from=&to=&group_by=language|channel|service|department|jurisdiction|area&department=`
/// - `GET /api/v1/reports/equity?group_by=language|area&from=&to=` — each group against the city
/// - `GET /api/v1/reports/trend?from=&to=` — week by week
/// - `GET /api/v1/reports/tickets.csv?from=&to=` — one row per ticket, nothing personal
///
/// `from` and `to` are days (`2026-11-01`, in the city's time zone; `to` includes its whole day) or ISO 8601 times
/// with an offset; a ticket belongs to the period of the resident's first message about it.
struct ReportsAPI: Sendable {
    typealias Guard = @Sendable (Request, (StaffToken) async throws -> Response) async throws -> Response
    let city: City
    let store: any ReportStore

    func register(on router: Router<WebContext>, guarded: @escaping Guard) {
        router.get("/api/v1/reports/kpis") { request, _ in try await guarded(request) { try await self.kpis(request, $0) } }
        router.get("/api/v1/reports/equity") { request, _ in try await guarded(request) { try await self.equity(request, $0) } }
        router.get("/api/v1/reports/trend") { request, _ in try await guarded(request) { try await self.trend(request, $0) } }
        router.get("/api/v1/reports/tickets.csv") { request, _ in try await guarded(request) { try await self.csv(request, $0) } }
    }

    private func kpis(_ request: Request, _ token: StaffToken) async throws -> Response {
        let parameters = try ReportParameters(request.queryDictionary, token: token, city: city)
        let report = try await store.kpis(parameters.query, grouping: parameters.grouping)
        return JSONResponse.make(parameters.envelope(city) + [
            "total": ReportJSON.row(report.total, grouping: nil, city: city),
            "rows": report.rows.map { ReportJSON.row($0, grouping: parameters.grouping, city: city) },
        ])
    }

    private func equity(_ request: Request, _ token: StaffToken) async throws -> Response {
        var parameters = try ReportParameters(request.queryDictionary, token: token, city: city)
        parameters.grouping = parameters.grouping ?? .language
        guard parameters.grouping == .language || parameters.grouping == .area else {
            throw APIProblem(.badRequest, "invalid_group_by", "the equity view compares languages or areas: group_by=language or group_by=area")
        }
        let view = Equity.view(try await store.kpis(parameters.query, grouping: parameters.grouping))
        return JSONResponse.make(parameters.envelope(city) + [
            "city": ReportJSON.row(view.city, grouping: nil, city: city),
            "minimum_closed": Equity.minimumClosed, "minimum_responses": Equity.minimumResponses,
            "rows": view.rows.map { ReportJSON.equity($0, grouping: view.grouping, city: city) },
        ])
    }

    private func trend(_ request: Request, _ token: StaffToken) async throws -> Response {
        let parameters = try ReportParameters(request.queryDictionary, token: token, city: city)
        let trend = try await store.reduceTicketFacts(parameters.query, into: TrendAccumulator(timeZone: city.timeZone))
        return JSONResponse.make(parameters.envelope(city) + ["weeks": trend.weeks().map(ReportJSON.week)])
    }

    private func csv(_ request: Request, _ token: StaffToken) async throws -> Response {
        let parameters = try ReportParameters(request.queryDictionary, token: token, city: city)
        let facts = try await store.reduceTicketFacts(parameters.query, into: TicketFactList()).facts
            .sorted { ($0.firstContact, $0.trackingNumber) < ($1.firstContact, $1.trackingNumber) }
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"tickets.csv\""],
            body: ResponseBody(byteBuffer: ByteBuffer(string: TicketCSV.make(facts, timeZone: city.timeZone)))
        )
    }
}

/// The query string of a report, read strictly: an unknown grouping or a date that is not one is a 400.
struct ReportParameters: Sendable {
    var query: ReportQuery
    var grouping: ReportGrouping?

    init(_ parameters: [String: String], token: StaffToken, city: City) throws {
        func value(_ name: String) -> String? {
            parameters[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        query = ReportQuery(from: try value("from").map { try ReportDates.parse($0, end: false, timeZone: city.timeZone, name: "from") },
                            to: try value("to").map { try ReportDates.parse($0, end: true, timeZone: city.timeZone, name: "to") })
        if let from = query.from, let to = query.to, to <= from {
            throw APIProblem(.badRequest, "invalid_date", "'to' must come after 'from'")
        }
        if let raw = value("group_by") {
            guard let grouping = ReportGrouping(rawValue: raw) else {
                throw APIProblem(.badRequest, "invalid_group_by",
                                 "unknown group_by '\(raw)'; use \(ReportGrouping.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.grouping = grouping
        }
        let department = value("department")
        if let department, city.department(department) == nil {
            throw APIProblem(.badRequest, "invalid_department", "unknown department '\(department)'")
        }
        switch token.role {
        case .admin: query.departments = department.map { [$0] }
        case .staff:
            if let department, department != token.department {
                throw APIProblem(.forbidden, "forbidden", "this token is for department '\(token.department ?? "")'")
            }
            query.departments = [token.department ?? ""]
        case .open311: throw APIProblem(.forbidden, "forbidden", "an open311 token reads through /open311/v2")
        }
    }

    func envelope(_ city: City) -> [String: Any] {
        let format = ReportDates.formatter(city.timeZone)
        return [
            "from": query.from.map(format.string(from:)) ?? NSNull(), "to": query.to.map(format.string(from:)) ?? NSNull(),
            "group_by": grouping?.rawValue ?? NSNull(), "time_zone": city.timeZoneID,
            "departments": query.departments.map { $0.sorted() } ?? NSNull(),
        ]
    }
}

enum ReportDates {
    /// `2026-11-01` (the start of that day in the city, or with `end` the start of the next) or an ISO 8601 time.
    static func parse(_ text: String, end: Bool, timeZone: TimeZone, name: String) throws -> Date {
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = timeZone
        day.dateFormat = "yyyy-MM-dd"
        day.isLenient = false
        if text.count == 10, let start = day.date(from: text) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            return end ? calendar.date(byAdding: .day, value: 1, to: start) ?? start : start
        }
        if let date = InternetTime.date(text) { return date }
        throw APIProblem(.badRequest, "invalid_date", "'\(name)' must be a day like 2026-11-01 or an ISO 8601 time like 2026-11-01T08:00:00-06:00")
    }

    /// ISO 8601 in the city's time zone, with its offset.
    static func formatter(_ timeZone: TimeZone) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = timeZone
        return formatter
    }
}

enum ReportJSON {
    static func row(_ row: KPIRow, grouping: ReportGrouping?, city: City) -> [String: Any] {
        var object: [String: Any] = [
            "group": row.group, "count": row.count, "open": row.open, "closed": row.closed,
            "median_hours_to_close": number(row.medianHoursToClose), "p90_hours_to_close": number(row.p90HoursToClose),
            "sla_met_ratio": number(row.slaMetRatio), "csat_mean": number(row.csatMean), "csat_responses": row.csatResponses,
            "fixed_answers": row.fixedAnswers, "not_fixed_ratio": number(row.notFixedRatio),
            "reopened": row.reopened, "reopen_ratio": number(row.reopenRatio),
            "emergencies": row.emergencies ?? NSNull(), "handoffs": row.handoffs ?? NSNull(),
            "median_minutes_to_first_reply": number(row.medianMinutesToFirstReply), "abandoned": row.abandoned ?? NSNull(),
        ]
        if let grouping {
            object[grouping.rawValue] = row.group
            object["name"] = ReportNames.name(row.group, grouping: grouping, city: city)
        }
        return object
    }

    static func equity(_ row: EquityRow, grouping: ReportGrouping, city: City) -> [String: Any] {
        [
            "group": row.group, grouping.rawValue: row.group, "name": ReportNames.name(row.group, grouping: grouping, city: city),
            "count": row.tickets, "closed": row.closed,
            "median_hours_to_close": number(row.medianHoursToClose), "hours_to_close_gap": number(row.hoursToCloseGap),
            "hours_to_close_ratio": number(row.hoursToCloseRatio), "csat_mean": number(row.csatMean),
            "csat_responses": row.csatResponses, "csat_gap": number(row.csatGap), "sla_met_ratio": number(row.slaMetRatio),
            "sla_gap": number(row.slaGap), "warning": row.warning ?? NSNull(),
        ]
    }

    static func week(_ week: TrendAccumulator.Week) -> [String: Any] {
        ["week": week.start, "opened": week.opened, "closed": week.closed, "median_hours_to_close": number(week.medianHoursToClose)]
    }

    /// Three decimals are plenty for hours and ratios.
    static func number(_ value: Double?) -> Any {
        guard let value, value.isFinite else { return NSNull() }
        return (value * 1000).rounded() / 1000
    }
}

enum ReportNames {
    /// What a group is called on the dashboard (English: staff pages are in English).
    static func name(_ key: String, grouping: ReportGrouping, city: City) -> String {
        if key == ReportKey.unknown { return grouping == .area ? "No area (no point on the map)" : "Unknown" }
        switch grouping {
        case .language: return Locale(identifier: "en").localizedString(forIdentifier: key) ?? key
        case .channel:
            return ["sms": "SMS", "email": "Email", "chat": "Web chat", "whatsapp": "WhatsApp", "telegram": "Telegram",
                    "webhook": "Back-end system"][key] ?? key
        case .service: return city.serviceName(key, in: .english)
        case .department: return city.departmentName(key, in: .english)
        case .jurisdiction: return city.jurisdictionName(key, in: .english)
        case .area: return city.areaName(key, in: .english)
        }
    }
}

/// One row per ticket (RFC 4180): its numbers and categories, never the reporter, address or words.
enum TicketCSV {
    static let header = ["tracking_number", "service_code", "department", "jurisdiction", "area", "language", "channel", "status",
                         "first_contact_at", "requested_at", "closed_at", "expected_at", "hours_to_close", "sla_met", "rating",
                         "fixed", "reopened"]

    static func make(_ facts: [TicketFact], timeZone: TimeZone) -> String {
        let format = ReportDates.formatter(timeZone)
        func time(_ seconds: Double?) -> String { seconds.map { format.string(from: Date(timeIntervalSince1970: $0)) } ?? "" }
        var lines = [header.joined(separator: ",")]
        lines.reserveCapacity(facts.count + 1)
        for fact in facts {
            let fields: [String] = [
                fact.trackingNumber, fact.serviceCode, fact.department, fact.jurisdiction, fact.area ?? "", fact.locale, fact.channel,
                fact.status.rawValue, time(fact.firstContact), time(fact.requestedAt), time(fact.closedAt), time(fact.expectedAt),
                fact.hoursToClose.map { String(format: "%.2f", $0) } ?? "", fact.metSLA.map { $0 ? "true" : "false" } ?? "",
                fact.rating.map(String.init) ?? "", fact.fixed ?? "", String(fact.reopened),
            ]
            lines.append(fields.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Quoted when it holds a comma, a quote or a line break; a leading = + - @ is defused for spreadsheets.
    static func field(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension Request {
    /// The query string as a dictionary (the first value of a repeated name).
    var queryDictionary: [String: String] {
        var values: [String: String] = [:]
        for (name, value) in uri.queryParameters where values[String(name)] == nil { values[String(name)] = String(value) }
        return values
    }
}

extension Dictionary where Key == String, Value == Any {
    static func + (lhs: Self, rhs: Self) -> Self { lhs.merging(rhs) { $1 } }
}
