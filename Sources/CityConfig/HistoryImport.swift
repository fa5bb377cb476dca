import CityModel
import Foundation

/// One request from a city's earlier system, as read from its export.
public struct HistoricRequest: Hashable, Sendable {
    /// The earlier system's id: importing the same export twice adds nothing.
    public var externalID: String
    /// Its category or service, as the earlier system named it.
    public var category: String
    public var description: String
    public var coordinate: Coordinate?
    public var address: String?
    public var status: TicketStatus
    public var opened: Date
    public var closed: Date?
    public var locale: LanguageTag?
    /// Where the error messages point: the file and the line (or item) the request came from.
    public var origin: String
}

/// Reads a city's past requests for `cityline import`: a CSV export or an Open311 GeoReport v2 `GET requests`
/// answer (JSON), then turns each into a ticket of this city (its catalog's service when the category names one,
/// else a service code made from the category; routed by its point; stamped with its area).
///
/// CSV: a header row naming at least an id (`source_id`, `service_request_id` or `id`), a category (`category`,
/// `service_name` or `service_code`) and the opening time (`opened` or `requested_datetime`); optional `text` or
/// `description`, `lat`/`latitude`, `lon`/`long`/`longitude`, `address`, `status`, `closed` (or
/// `closed_datetime`), `language` or `locale`. Times are ISO 8601 with an offset (`2017-08-30T17:38:49Z`).
/// A row that cannot be read stops the import with its file and line, before anything is stored.
public enum HistoryImport {
    public static func csv(_ text: String, file: String) throws -> [HistoricRequest] {
        var rows = CSV.rows(text).makeIterator()
        guard let header = rows.next() else { throw ConfigError(file: file, line: 1, message: "the file is empty") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func column(_ candidates: [String]) -> Int? { candidates.lazy.compactMap { names.firstIndex(of: $0) }.first }
        guard let id = column(["source_id", "service_request_id", "id"]) else {
            throw ConfigError(file: file, line: header.line, message: "no id column (source_id, service_request_id or id)")
        }
        guard let category = column(["category", "service_name", "service_code"]) else {
            throw ConfigError(file: file, line: header.line, message: "no category column (category, service_name or service_code)")
        }
        guard let opened = column(["opened", "requested_datetime"]) else {
            throw ConfigError(file: file, line: header.line, message: "no opening time column (opened or requested_datetime)")
        }
        let text = column(["text", "description"]), latitude = column(["lat", "latitude"]), longitude = column(["lon", "long", "longitude"])
        let address = column(["address"]), status = column(["status"]), closed = column(["closed", "closed_datetime"])
        let locale = column(["language", "locale"])
        var requests: [HistoricRequest] = []
        while let row = rows.next() {
            if row.fields.count == 1, row.fields[0].isEmpty { continue }
            func field(_ index: Int?) -> String? {
                guard let index, index < row.fields.count else { return nil }
                let value = row.fields[index].trimmingCharacters(in: .whitespacesAndNewlines)
                return value.isEmpty ? nil : value
            }
            func fail(_ message: String) -> ConfigError { ConfigError(file: file, line: row.line, message: message) }
            guard row.fields.count == header.fields.count else {
                throw fail("\(row.fields.count) fields where the header has \(header.fields.count)")
            }
            requests.append(try request(
                id: field(id), category: field(category), description: field(text), latitude: field(latitude),
                longitude: field(longitude), address: field(address), status: field(status), opened: field(opened),
                closed: field(closed), locale: field(locale), origin: "\(file):\(row.line)", fail: fail
            ))
        }
        return requests
    }

    /// An Open311 GeoReport v2 `GET requests.json` answer: a list of requests (`service_request_id`,
    /// `service_name`/`service_code`, `status`, `requested_datetime`, `updated_datetime` — the closing time of a
    /// closed request —, `description`, `address`, `lat`, `long`).
    public static func open311(_ data: Data, source: String) throws -> [HistoricRequest] {
        guard let json = try? JSONSerialization.jsonObject(with: data) else {
            throw ConfigError(file: source, line: 1, message: "not valid JSON")
        }
        guard let items = json as? [Any] else {
            throw ConfigError(file: source, line: 1, message: "expected a JSON list of requests (an Open311 GET requests.json answer)")
        }
        return try items.enumerated().map { index, item in
            func fail(_ message: String) -> ConfigError { ConfigError(file: source, line: 1, message: "request \(index + 1): \(message)") }
            guard let object = item as? [String: Any] else { throw fail("not a JSON object") }
            func string(_ name: String) -> String? {
                switch object[name] {
                case let text as String: text.isEmpty ? nil : text
                case let number as NSNumber: number.stringValue
                default: nil
                }
            }
            let status = string("status")
            return try request(
                id: string("service_request_id"), category: string("service_name") ?? string("service_code"),
                description: string("description"), latitude: string("lat"), longitude: string("long"), address: string("address"),
                status: status, opened: string("requested_datetime"),
                closed: status?.lowercased() == "closed" ? string("updated_datetime") : nil, locale: nil,
                origin: "\(source) request \(index + 1)", fail: fail
            )
        }
    }

    private static func request(id: String?, category: String?, description: String?, latitude: String?, longitude: String?,
                                address: String?, status: String?, opened: String?, closed: String?, locale: String?,
                                origin: String, fail: (String) -> ConfigError) throws -> HistoricRequest {
        guard let id else { throw fail("no id") }
        guard let category else { throw fail("no category") }
        guard let openedText = opened else { throw fail("no opening time") }
        guard let openedAt = InternetTime.date(openedText) else { throw fail("opening time '\(openedText)' is not ISO 8601 with an offset") }
        var closedAt: Date?
        if let closed {
            guard let date = InternetTime.date(closed) else { throw fail("closing time '\(closed)' is not ISO 8601 with an offset") }
            guard date >= openedAt else { throw fail("closed (\(closed)) before it was opened (\(openedText))") }
            closedAt = date
        }
        var coordinate: Coordinate?
        switch (latitude, longitude) {
        case (nil, nil): break
        case let (lat?, lon?):
            guard let lat = Double(lat), let lon = Double(lon), (-90...90).contains(lat), (-180...180).contains(lon) else {
                throw fail("latitude and longitude must be numbers in range, not '\(lat)', '\(lon)'")
            }
            coordinate = Coordinate(latitude: lat, longitude: lon)
        default: throw fail("a latitude without a longitude or the other way round")
        }
        let state: TicketStatus
        switch (status ?? "").lowercased().replacingOccurrences(of: "_", with: " ") {
        case "closed", "archived", "resolved", "completed", "done": state = .closed
        case "acknowledged": state = .acknowledged
        case "in progress", "inprogress", "assigned", "in work": state = .inProgress
        default: state = .open
        }
        return HistoricRequest(
            externalID: id, category: category, description: description ?? category, coordinate: coordinate, address: address,
            status: state, opened: openedAt, closed: state == .closed ? closedAt : nil, locale: locale.map(LanguageTag.init),
            origin: origin
        )
    }

    /// The ticket a past request becomes in `city`: services named by code or English name, else a code made from
    /// the category (`mapping` first: the earlier system's category → a service code). Services outside the
    /// catalog go to `fallbackDepartment` and are expected within `fallbackSLA`.
    public static func ticket(_ request: HistoricRequest, city: City, number: TrackingNumber, mapping: [String: String],
                              fallbackDepartment: String, fallbackSLA: TimeInterval = 7 * 86_400) -> Ticket {
        let wanted = mapping[request.category] ?? request.category
        let service = city.service(wanted) ?? city.services.first {
            $0.name.resolve(.english, fallbacks: city.fallbackLocales).caseInsensitiveCompare(wanted) == .orderedSame
        }
        let location = request.coordinate.map {
            Location(kind: .coordinates, text: request.address ?? String(format: "%.6f, %.6f", $0.latitude, $0.longitude), coordinate: $0)
        } ?? request.address.map { Location(kind: .address, text: $0) }
        let draft: TicketDraft
        let locale = request.locale.flatMap { $0.match(among: city.locales) } ?? city.defaultLocale
        if let service {
            draft = city.draft(service, number: number, description: request.description, location: location, attributes: [], media: [],
                               locale: locale, channel: .history, at: request.opened)
        } else {
            let jurisdiction = city.jurisdiction(at: request.coordinate)
            draft = TicketDraft(
                trackingNumber: number, serviceCode: slug(wanted), department: fallbackDepartment, jurisdiction: jurisdiction,
                description: request.description, location: location, attributes: [], media: [], locale: locale, channel: .history,
                requestedAt: request.opened, expectedAt: request.opened.addingTimeInterval(fallbackSLA),
                area: city.area(at: request.coordinate)
            )
        }
        return Ticket(draft: draft, reporter: ChannelAddress(channel: .history, address: request.externalID), status: request.status,
                      updatedAt: request.closed ?? request.opened, closedAt: request.closed)
    }

    /// `Roadway or Sidewalk Issue` → `roadway-or-sidewalk-issue`.
    public static func slug(_ text: String) -> String {
        var out = ""
        for scalar in text.lowercased().unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar), scalar.isASCII { out.unicodeScalars.append(scalar) }
            else if !out.isEmpty, out.last != "-" { out.append("-") }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "other" : String(out.prefix(64))
    }
}
