import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import Reports
import Storage

/// The staff dashboard at `/dashboard` (the console's sign-in): KPI tiles, the weekly trend, a breakdown, the
/// equity view by language and by area, and the CSV export — drawn on the server as HTML and SVG with a data table
/// behind every chart, so it needs no script, no CDN and works with a screen reader or the keyboard alone.
/// `?from=&to=&group_by=&department=` as the reports API (default: the last 90 days, by language).
struct Dashboard: Sendable {
    let sessions: ConsoleSessions
    let tokens: any TokenStore
    let store: any ReportStore
    let city: City
    let clock: @Sendable () -> Date

    func register(on router: Router<WebContext>) {
        router.get("/dashboard") { request, _ in try await page(request) }
        router.get("/dashboard/dashboard.css") { _, _ in Console.asset(DashboardPage.style, type: "text/css; charset=utf-8") }
    }

    private func page(_ request: Request) async throws -> Response {
        guard let cookie = ConsoleSessions.cookie(in: request),
              let token = try await sessions.token(for: cookie, in: tokens, now: clock()), token.role != .open311 else {
            return Console.html(.ok, ConsoleAssets.signIn(city: city, error: nil, next: "/dashboard"))
        }
        var values = request.queryDictionary
        let today = Self.day(clock(), city.timeZone)
        if (values["from"] ?? "").isEmpty, (values["to"] ?? "").isEmpty {
            values["from"] = Self.day(clock().addingTimeInterval(-89 * 86_400), city.timeZone)
            values["to"] = today
        }
        if (values["group_by"] ?? "").isEmpty { values["group_by"] = ReportGrouping.language.rawValue }
        let parameters: ReportParameters
        do {
            parameters = try ReportParameters(values, token: token, city: city)
        } catch let problem as APIProblem {
            return Console.html(problem.status, DashboardPage.problem(city: city, message: problem.message, csrf: sessions.csrf(for: cookie)))
        }
        let grouping = parameters.grouping ?? .language
        var both = try await store.reduceTicketFacts(
            parameters.query,
            into: BothSinks(BothSinks(KPIAccumulator(grouping: grouping), KPIAccumulator(grouping: .language)),
                            BothSinks(KPIAccumulator(grouping: .area), TrendAccumulator(timeZone: city.timeZone)))
        )
        let contacts = try await store.contactFacts(parameters.query)
        both.first.first.add(contacts)
        both.first.second.add(contacts)
        let model = DashboardPage.Model(
            city: city, who: ConversationsAPI.actor(token), department: token.role == .admin ? nil : token.department,
            csrf: sessions.csrf(for: cookie), values: values, grouping: grouping,
            breakdown: both.first.first.report(), languages: Equity.view(both.first.second.report()),
            areas: Equity.view(both.second.first.report()), weeks: both.second.second.weeks()
        )
        return Console.html(.ok, DashboardPage.render(model))
    }

    static func day(_ date: Date, _ timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
