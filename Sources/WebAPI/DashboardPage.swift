import CityModel
import Foundation
import Reports
import Rendering

/// The dashboard's HTML and SVG. Every chart is a `figure` whose SVG has a title and description, followed by a
/// table of the same numbers; colours meet WCAG 2.1 AA contrast against the white panels, and no figure depends on
/// colour alone (every bar is labelled with its value).
enum DashboardPage {
    struct Model {
        var city: City
        var who: String
        /// The staff token's department (nil: an admin, who may pick one).
        var department: String?
        var csrf: String
        var values: [String: String]
        var grouping: ReportGrouping
        var breakdown: KPIReport
        var languages: EquityView
        var areas: EquityView
        var weeks: [TrendAccumulator.Week]
    }

    static func render(_ model: Model) -> String {
        let program = ConsoleAssets.program(model.city)
        let total = model.breakdown.total
        return ConsoleAssets.head("\(program) dashboard", stylesheet: "/dashboard/dashboard.css") + """

        <body>
        <a class="skip" href="#main">Skip to the figures</a>
        \(header(model, program: program))
        <main id="main">
        \(filters(model))
        <section aria-labelledby="kpi-title">
        <h2 id="kpi-title">\(esc(periodText(model)))</h2>
        \(tiles(total))
        <p class="note">\(total.count == 0 ? "No tickets in this period. " : "")Time to close runs from the resident's first message.
        <a href="\(esc(csvLink(model)))" download>Download these tickets as CSV</a> (one row per ticket, nothing personal).</p>
        </section>
        \(trend(model.weeks))
        \(breakdown(model))
        \(equity(model.languages, id: "equity-language", title: "Equity by language", model: model))
        \(equity(model.areas, id: "equity-area", title: "Equity by area", model: model))
        \(definitions)
        </main>
        </body>
        </html>
        """
    }

    static func problem(city: City, message: String, csrf: String) -> String {
        let program = ConsoleAssets.program(city)
        return ConsoleAssets.head("\(program) dashboard", stylesheet: "/dashboard/dashboard.css") + """

        <body>
        <main id="main">
        <h1>\(program) dashboard</h1>
        <p class="error" role="alert">\(esc(message))</p>
        <p><a href="/dashboard">Back to the last 90 days</a></p>
        </main>
        </body>
        </html>
        """
    }

    // MARK: - Parts

    private static func header(_ model: Model, program: String) -> String {
        let scope = model.department.map { esc(model.city.departmentName($0, in: .english)) } ?? "all departments"
        return """
        <header>
        <h1>\(program) dashboard</h1>
        <p>Signed in as <strong>\(esc(model.who))</strong> · \(scope) · <a href="/console">Operators' console</a></p>
        <form method="post" action="/console/sign-out">
        <input type="hidden" name="csrf" value="\(esc(model.csrf))">
        <button type="submit">Sign out</button>
        </form>
        </header>
        """
    }

    private static func filters(_ model: Model) -> String {
        let groupings = ReportGrouping.allCases.map { grouping in
            "<option value=\"\(grouping.rawValue)\"\(grouping == model.grouping ? " selected" : "")>\(label(grouping))</option>"
        }.joined()
        var department = ""
        if model.department == nil {
            let chosen = model.values["department"] ?? ""
            let options = model.city.departments.map { item in
                "<option value=\"\(esc(item.code))\"\(item.code == chosen ? " selected" : "")>\(esc(model.city.departmentName(item.code, in: .english)))</option>"
            }.joined()
            department = """
            <div><label for="department">Department</label>
            <select id="department" name="department"><option value="">All departments</option>\(options)</select></div>
            """
        }
        return """
        <form class="filters" method="get" action="/dashboard" aria-label="Period and grouping">
        <div><label for="from">From</label><input id="from" name="from" type="date" value="\(esc(model.values["from"] ?? ""))"></div>
        <div><label for="to">To (included)</label><input id="to" name="to" type="date" value="\(esc(model.values["to"] ?? ""))"></div>
        <div><label for="group_by">Break down by</label><select id="group_by" name="group_by">\(groupings)</select></div>
        \(department)
        <div><button type="submit">Show</button></div>
        </form>
        """
    }

    private static func tiles(_ row: KPIRow) -> String {
        let tiles: [(String, String, String?)] = [
            ("Tickets", "\(row.count)", "\(row.open) open"),
            ("Median time to close", hours(row.medianHoursToClose), "\(row.closed) closed"),
            ("90th percentile", hours(row.p90HoursToClose), "9 in 10 closed within"),
            ("Closed within the promised time", percent(row.slaMetRatio), nil),
            ("Satisfaction", row.csatMean.map { String(format: "%.1f / 5", $0) } ?? "—", "\(row.csatResponses) answers"),
            ("Said “not fixed”", percent(row.notFixedRatio), "of \(row.fixedAnswers) answers"),
            ("Reopened", "\(row.reopened)", percent(row.reopenRatio).appending(" of closed")),
            ("Emergencies sent to 911", row.emergencies.map(String.init) ?? "—", nil),
            ("Asked for a person", row.handoffs.map(String.init) ?? "—",
             row.medianMinutesToFirstReply.map { "median first reply \(minutes($0))" }),
            ("Reports left unfinished", row.abandoned.map(String.init) ?? "—", nil),
        ]
        return "<ul class=\"tiles\">" + tiles.map { title, value, detail in
            "<li><span class=\"label\">\(esc(title))</span> <strong class=\"value\">\(esc(value))</strong>"
                + (detail.map { " <span class=\"detail\">\(esc($0))</span>" } ?? "") + "</li>"
        }.joined() + "</ul>"
    }

    // MARK: - Charts

    private static func trend(_ weeks: [TrendAccumulator.Week]) -> String {
        guard !weeks.isEmpty else {
            return "<section aria-labelledby=\"trend-title\"><h2 id=\"trend-title\">Week by week</h2><p>No tickets in this period.</p></section>"
        }
        let width = 720.0, height = 220.0, left = 44.0, bottom = 28.0, top = 12.0
        let plotWidth = width - left - 8, plotHeight = height - bottom - top
        let most = max(1, weeks.map { max($0.opened, $0.closed) }.max() ?? 1)
        let slot = plotWidth / Double(weeks.count)
        let bar = max(1, slot * 0.4)
        var marks = ""
        let every = max(1, Int((Double(weeks.count) / 8).rounded(.up)))
        for (index, week) in weeks.enumerated() {
            let x = left + Double(index) * slot + slot * 0.1
            for (offset, value, kind) in [(0.0, week.opened, "opened"), (bar, week.closed, "closed")] {
                let h = plotHeight * Double(value) / Double(most)
                marks += "<rect class=\"\(kind)\" x=\"\(fmt(x + offset))\" y=\"\(fmt(top + plotHeight - h))\" width=\"\(fmt(bar))\" height=\"\(fmt(h))\"><title>Week of \(esc(week.start)): \(value) \(kind)</title></rect>"
            }
            if index % every == 0 {
                marks += "<text x=\"\(fmt(x))\" y=\"\(fmt(height - 8))\">\(esc(shortDay(week.start)))</text>"
            }
        }
        let axis = """
        <line class="axis" x1="\(fmt(left))" y1="\(fmt(top + plotHeight))" x2="\(fmt(width - 8))" y2="\(fmt(top + plotHeight))"></line>
        <text x="\(fmt(left - 6))" y="\(fmt(top + 10))" text-anchor="end">\(most)</text>
        <text x="\(fmt(left - 6))" y="\(fmt(top + plotHeight))" text-anchor="end">0</text>
        """
        let rows = weeks.map { week in
            "<tr><th scope=\"row\">\(esc(week.start))</th><td>\(week.opened)</td><td>\(week.closed)</td><td>\(esc(hours(week.medianHoursToClose)))</td></tr>"
        }.joined()
        let opened = weeks.reduce(0) { $0 + $1.opened }, closed = weeks.reduce(0) { $0 + $1.closed }
        return """
        <section aria-labelledby="trend-title">
        <h2 id="trend-title">Week by week</h2>
        <figure>
        <svg class="chart" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="trend-svg-title trend-svg-desc">
        <title id="trend-svg-title">Tickets opened and closed each week</title>
        <desc id="trend-svg-desc">\(weeks.count) weeks from \(esc(weeks.first?.start ?? "")): \(opened) opened and \(closed) closed in all; the table below has each week.</desc>
        \(axis)\(marks)
        </svg>
        <figcaption><span class="key opened" aria-hidden="true"></span> opened (by the resident's first message) <span class="key closed" aria-hidden="true"></span> closed</figcaption>
        </figure>
        <details>
        <summary>The numbers behind the chart, week by week</summary>
        <table>
        <caption>Tickets each week (weeks start on Monday)</caption>
        <thead><tr><th scope="col">Week of</th><th scope="col">Opened</th><th scope="col">Closed</th><th scope="col">Median time to close</th></tr></thead>
        <tbody>\(rows)</tbody>
        </table>
        </details>
        </section>
        """
    }

    private static func breakdown(_ model: Model) -> String {
        let title = "By \(label(model.grouping).lowercased())"
        let rows = model.breakdown.rows
        guard !rows.isEmpty else {
            return "<section aria-labelledby=\"breakdown-title\"><h2 id=\"breakdown-title\">\(esc(title))</h2><p>No tickets in this period.</p></section>"
        }
        let bars = horizontalBars(rows.map { (ReportNames.name($0.group, grouping: model.grouping, city: model.city), $0.medianHoursToClose) },
                                  id: "breakdown", title: "Median time to close \(title.lowercased())",
                                  description: "One bar per group; longer is slower. The table below has every figure.")
        let contacts = model.grouping == .language || model.grouping == .channel
        let head = ["Tickets", "Open", "Closed", "Median time to close", "90th percentile", "Within promised time", "Satisfaction (answers)",
                    "Not fixed", "Reopened"] + (contacts ? ["Emergencies", "Asked for a person", "Unfinished reports"] : [])
        let body = rows.map { row -> String in
            var cells = ["\(row.count)", "\(row.open)", "\(row.closed)", hours(row.medianHoursToClose), hours(row.p90HoursToClose),
                         percent(row.slaMetRatio), row.csatMean.map { String(format: "%.1f (%d)", $0, row.csatResponses) } ?? "—",
                         percent(row.notFixedRatio), "\(row.reopened)"]
            if contacts { cells += [row.emergencies.map(String.init) ?? "—", row.handoffs.map(String.init) ?? "—", row.abandoned.map(String.init) ?? "—"] }
            return "<tr><th scope=\"row\">\(esc(ReportNames.name(row.group, grouping: model.grouping, city: model.city)))</th>"
                + cells.map { "<td>\(esc($0))</td>" }.joined() + "</tr>"
        }.joined()
        return """
        <section aria-labelledby="breakdown-title">
        <h2 id="breakdown-title">\(esc(title))</h2>
        \(bars)
        <div class="scroll" role="region" aria-label="\(esc(title)): every figure" tabindex="0">
        <table>
        <caption>\(esc(title)): every figure</caption>
        <thead><tr><th scope="col">\(esc(label(model.grouping)))</th>\(head.map { "<th scope=\"col\">\(esc($0))</th>" }.joined())</tr></thead>
        <tbody>\(body)</tbody>
        </table>
        </div>
        </section>
        """
    }

    private static func equity(_ view: EquityView, id: String, title: String, model: Model) -> String {
        guard !view.rows.isEmpty else {
            return "<section aria-labelledby=\"\(id)-title\"><h2 id=\"\(id)-title\">\(esc(title))</h2><p>No tickets in this period.</p></section>"
        }
        let name = { (key: String) in ReportNames.name(key, grouping: view.grouping, city: model.city) }
        let chart = divergingBars(view.rows.map { (name($0.group), $0.hoursToCloseGap) }, id: id,
                                  title: "\(title): time to close against the whole city",
                                  description: "Bars to the right of the centre line are slower than the city's median of \(hours(view.city.medianHoursToClose)), to the left faster. The table below has every figure and says where there are too few tickets to compare.")
        let rows = view.rows.map { row -> String in
            let cells = ["\(row.tickets)", "\(row.closed)", hours(row.medianHoursToClose), gap(row.hoursToCloseGap),
                         row.csatMean.map { String(format: "%.1f (%d)", $0, row.csatResponses) } ?? "—",
                         row.csatGap.map { String(format: "%+.1f", $0) } ?? "—", percent(row.slaMetRatio), row.warning ?? ""]
            return "<tr><th scope=\"row\">\(esc(name(row.group)))</th>" + cells.map { "<td>\(esc($0))</td>" }.joined() + "</tr>"
        }.joined()
        return """
        <section aria-labelledby="\(id)-title">
        <h2 id="\(id)-title">\(esc(title))</h2>
        <p>Whole city: median time to close \(esc(hours(view.city.medianHoursToClose))), satisfaction \(esc(view.city.csatMean.map { String(format: "%.1f / 5", $0) } ?? "—")), \(esc(percent(view.city.slaMetRatio))) within the promised time.</p>
        \(chart)
        <div class="scroll" role="region" aria-label="\(esc(title)): every figure" tabindex="0">
        <table>
        <caption>\(esc(title)): each group against the whole city</caption>
        <thead><tr><th scope="col">\(esc(label(view.grouping)))</th><th scope="col">Tickets</th><th scope="col">Closed</th><th scope="col">Median time to close</th><th scope="col">Against the city</th><th scope="col">Satisfaction (answers)</th><th scope="col">Against the city</th><th scope="col">Within promised time</th><th scope="col">Note</th></tr></thead>
        <tbody>\(rows)</tbody>
        </table>
        </div>
        </section>
        """
    }

    /// One labelled bar per row, its value written beside it.
    private static func horizontalBars(_ rows: [(String, Double?)], id: String, title: String, description: String) -> String {
        let labelWidth = 220.0, width = 720.0, rowHeight = 26.0
        let most = max(0.001, rows.compactMap(\.1).max() ?? 0)
        let plot = width - labelWidth - 90
        var marks = ""
        for (index, (name, value)) in rows.enumerated() {
            let y = Double(index) * rowHeight + 4
            let length = value.map { plot * $0 / most } ?? 0
            marks += "<text x=\"\(fmt(labelWidth - 8))\" y=\"\(fmt(y + 15))\" text-anchor=\"end\">\(esc(clip(name)))</text>"
            marks += "<rect class=\"opened\" x=\"\(fmt(labelWidth))\" y=\"\(fmt(y + 3))\" width=\"\(fmt(length))\" height=\"16\"></rect>"
            marks += "<text x=\"\(fmt(labelWidth + length + 6))\" y=\"\(fmt(y + 15))\">\(esc(hours(value)))</text>"
        }
        return figure(id: id, title: title, description: description, width: width, height: Double(rows.count) * rowHeight + 8, marks: marks)
    }

    /// A chart: an SVG image named by its title and description (the table after it has the numbers).
    private static func figure(id: String, title: String, description: String, width: Double, height: Double, marks: String) -> String {
        """
        <figure>
        <svg class="chart" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="\(id)-svg-title \(id)-svg-desc">
        <title id="\(id)-svg-title">\(esc(title))</title>
        <desc id="\(id)-svg-desc">\(esc(description))</desc>
        \(marks)
        </svg>
        </figure>
        """
    }

    /// Bars from a centre line: right for slower than the city, left for faster.
    private static func divergingBars(_ rows: [(String, Double?)], id: String, title: String, description: String) -> String {
        let labelWidth = 220.0, width = 720.0, rowHeight = 26.0
        let most = max(0.001, rows.compactMap { $0.1.map(abs) }.max() ?? 0)
        let half = (width - labelWidth - 20) / 2 - 60
        let centre = labelWidth + 10 + half + 60
        var marks = ""
        for (index, (name, value)) in rows.enumerated() {
            let y = Double(index) * rowHeight + 4
            marks += "<text x=\"\(fmt(labelWidth - 8))\" y=\"\(fmt(y + 15))\" text-anchor=\"end\">\(esc(clip(name)))</text>"
            guard let value else {
                marks += "<text x=\"\(fmt(centre + 6))\" y=\"\(fmt(y + 15))\">no closed tickets</text>"
                continue
            }
            let length = half * abs(value) / most
            let x = value >= 0 ? centre : centre - length
            marks += "<rect class=\"\(value > 0 ? "slower" : "faster")\" x=\"\(fmt(x))\" y=\"\(fmt(y + 3))\" width=\"\(fmt(length))\" height=\"16\"></rect>"
            let labelX = value >= 0 ? centre + length + 6 : centre - length - 6
            marks += "<text x=\"\(fmt(labelX))\" y=\"\(fmt(y + 15))\"\(value >= 0 ? "" : " text-anchor=\"end\"")>\(esc(gap(value)))</text>"
        }
        let height = Double(rows.count) * rowHeight + 8
        let axis = "<line class=\"axis\" x1=\"\(fmt(centre))\" y1=\"0\" x2=\"\(fmt(centre))\" y2=\"\(fmt(height))\"></line>"
        return figure(id: id, title: title, description: description, width: width, height: height, marks: axis + marks)
    }

    private static let definitions = """
    <section aria-labelledby="definitions-title">
    <h2 id="definitions-title">What the figures mean</h2>
    <dl class="definitions">
    <dt>Time to close</dt><dd>From the resident's first message about the report (not the ticket's creation) to its closing; closed tickets only. The median is the middle one, the 90th percentile the time within which nine in ten closed.</dd>
    <dt>Within the promised time</dt><dd>Closed tickets closed by the time their service promises (its SLA, from the filing).</dd>
    <dt>Satisfaction</dt><dd>The mean of the survey's 1–5 ratings, with how many residents answered.</dd>
    <dt>Not fixed, reopened</dt><dd>The share of "is it fixed?" answers that were no; tickets reopened after closing, over those ever closed.</dd>
    <dt>Equity</dt><dd>Each language or area against the whole city. Fewer than 30 closed tickets or 10 survey answers behind a figure is too few to read much into, and the table says so.</dd>
    <dt>Emergencies, people, unfinished reports</dt><dd>Messages answered "call 911", residents who asked for a person (and how soon an operator first answered), and reports left unfinished — for the whole city and by language or channel; staff of one department see their department's tickets only.</dd>
    </dl>
    </section>
    """

    // MARK: - Formatting

    private static func label(_ grouping: ReportGrouping) -> String {
        switch grouping {
        case .language: "Language"
        case .channel: "Channel"
        case .service: "Service"
        case .department: "Department"
        case .jurisdiction: "Jurisdiction"
        case .area: "Area"
        }
    }

    private static func periodText(_ model: Model) -> String {
        switch (model.values["from"].flatMap { $0.isEmpty ? nil : $0 }, model.values["to"].flatMap { $0.isEmpty ? nil : $0 }) {
        case let (from?, to?): "From \(from) to \(to)"
        case let (from?, nil): "Since \(from)"
        case let (nil, to?): "Up to \(to)"
        case (nil, nil): "All time"
        }
    }

    private static func csvLink(_ model: Model) -> String {
        var items: [URLQueryItem] = []
        for name in ["from", "to", "department"] {
            if let value = model.values[name], !value.isEmpty { items.append(URLQueryItem(name: name, value: value)) }
        }
        var components = URLComponents()
        components.path = "/api/v1/reports/tickets.csv"
        components.queryItems = items.isEmpty ? nil : items
        return components.string ?? "/api/v1/reports/tickets.csv"
    }

    static func hours(_ value: Double?) -> String {
        guard let value else { return "—" }
        return value >= 48 ? String(format: "%.1f days", value / 24) : String(format: "%.1f h", value)
    }

    static func minutes(_ value: Double) -> String { value >= 90 ? String(format: "%.1f h", value / 60) : String(format: "%.0f min", value) }

    static func gap(_ value: Double?) -> String {
        guard let value else { return "—" }
        if abs(value) < 0.05 { return "same as the city" }
        let text = hours(abs(value))
        return value > 0 ? "\(text) slower" : "\(text) faster"
    }

    static func percent(_ value: Double?) -> String { value.map { String(format: "%.0f%%", $0 * 100) } ?? "—" }

    private static func shortDay(_ day: String) -> String {
        let parts = day.split(separator: "-")
        guard parts.count == 3, let month = Int(parts[1]), (1...12).contains(month) else { return day }
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(names[month - 1]) \(Int(parts[2]) ?? 0)"
    }

    private static func clip(_ text: String) -> String { text.count > 30 ? String(text.prefix(29)) + "…" : text }
    private static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
    private static func esc(_ text: String) -> String { HTMLText.escape(text) }

    static let style = """
    :root { --ink: #1a1a1a; --muted: #4b5563; --accent: #1f4e8c; --line: #c9ced6; --bg: #f6f7f9; --slower: #a4161a; --closed: #5b6470; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); background: var(--bg); }
    .skip { position: absolute; left: -999px; }
    .skip:focus { left: 1rem; top: 1rem; background: #fff; color: var(--accent); padding: .5rem; z-index: 1; }
    header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; padding: .75rem 1.5rem; background: var(--accent); color: #fff; }
    header h1 { font-size: 1.25rem; margin: 0; }
    header p { margin: 0; }
    header a { color: #fff; }
    header button { font: inherit; padding: .4rem .9rem; border: 1px solid #fff; border-radius: 4px; background: #fff; color: var(--accent); cursor: pointer; }
    main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; display: grid; gap: 1.5rem; }
    section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; }
    h2 { font-size: 1.15rem; margin-top: 0; }
    .filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; }
    .filters label { display: block; font-weight: 600; }
    .filters input, .filters select { font: inherit; padding: .4rem; border: 1px solid #6b7280; border-radius: 4px; }
    .filters button { font: inherit; padding: .45rem 1.1rem; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
    .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: .75rem; margin: 0; padding: 0; list-style: none; }
    .tiles li { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; }
    .tiles span { display: block; font-size: .9rem; color: var(--muted); }
    .tiles .value { display: block; font-size: 1.6rem; font-weight: 700; color: var(--ink); }
    .note { color: var(--muted); }
    .note a, main a { color: var(--accent); }
    figure { margin: 0 0 1rem; }
    .chart { width: 100%; height: auto; font-size: 12px; }
    .chart text { fill: var(--ink); }
    .chart .opened { fill: var(--accent); }
    .chart .closed { fill: var(--closed); }
    .chart .faster { fill: var(--accent); }
    .chart .slower { fill: var(--slower); }
    .chart .axis { stroke: var(--ink); stroke-width: 1; }
    .key { display: inline-block; width: .9rem; height: .9rem; vertical-align: -2px; margin-inline-start: .5rem; }
    .key.opened { background: var(--accent); }
    .key.closed { background: var(--closed); }
    figcaption { color: var(--muted); }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; width: 100%; font-size: .95rem; }
    caption { text-align: start; font-weight: 600; padding: .25rem 0; }
    th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: start; vertical-align: top; }
    td { font-variant-numeric: tabular-nums; }
    summary { cursor: pointer; color: var(--accent); font-weight: 600; }
    .definitions dt { font-weight: 600; margin-top: .5rem; }
    .definitions dd { margin: 0; }
    .error { color: #a4161a; }
    :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
    """
}
