import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import Storage
import Switchboard

/// Open311 service requests: listing, reading, filing.
extension Open311API {
    /// A time as ISO 8601 with the city's offset (2026-11-23T10:00:00-06:00).
    func time(_ date: Date?) -> Open311Value {
        guard let date else { return .null }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = dependencies.city.timeZone
        return .string(formatter.string(from: date))
    }

    /// `GET requests`: by `service_request_id` (comma list), else `service_code` (comma list), `status`
    /// (`open`, `closed`), `start_date`/`end_date` (requested; the last 90 days by default), newest first, at most
    /// 1,000.
    func requests(_ request: Request, ids: [String]? = nil) async throws -> Open311Value {
        let parameters = Self.query(request)
        try checkJurisdiction(parameters)
        let locale = try locale(parameters)
        var found: [Ticket] = []
        if let wanted = ids ?? parameters["service_request_id"].map({ $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }) {
            for id in wanted {
                guard let number = TrackingNumber(parsing: id), let ticket = try await dependencies.tickets.ticket(number) else {
                    if ids != nil { throw Failure(status: .notFound, description: "no service request '\(id.prefix(40))'") }
                    continue
                }
                found.append(ticket)
            }
        } else {
            let codes = parameters["service_code"].map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
            var statuses: [TicketStatus]?
            if let raw = parameters["status"] {
                statuses = try raw.split(separator: ",").flatMap { word -> [TicketStatus] in
                    switch word.trimmingCharacters(in: .whitespaces).lowercased() {
                    case "open": return TicketStatus.allCases.filter { $0 != .closed }
                    case "closed": return [.closed]
                    default: throw Failure(status: .badRequest, description: "status must be open or closed")
                    }
                }
            }
            let end = try parameters["end_date"].map { try date($0, "end_date") } ?? dependencies.clock()
            let start = try parameters["start_date"].map { try date($0, "start_date") } ?? end.addingTimeInterval(-90 * 86_400)
            guard start <= end else { throw Failure(status: .badRequest, description: "start_date is after end_date") }
            found = try await dependencies.tickets.tickets(TicketFilter(statuses: statuses, limit: 10_000)).filter { ticket in
                (codes?.contains(ticket.draft.serviceCode) ?? true) && ticket.draft.requestedAt >= start && ticket.draft.requestedAt <= end
            }
            found.sort { $0.draft.requestedAt > $1.draft.requestedAt }
            // Chicago-style paging: `page` (from 1) of `page_size` (default and at most 1,000).
            let size = try parameters["page_size"].map { raw -> Int in
                guard let size = Int(raw), (1...1_000).contains(size) else { throw Failure(status: .badRequest, description: "page_size must be 1 to 1000") }
                return size
            } ?? 1_000
            let page = try parameters["page"].map { raw -> Int in
                guard let page = Int(raw), page >= 1 else { throw Failure(status: .badRequest, description: "page must be 1 or more") }
                return page
            } ?? 1
            // A page past the end is empty, however far past (no overflow: the product can exceed Int.max).
            let (skipped, overflow) = (page - 1).multipliedReportingOverflow(by: size)
            found = overflow ? [] : Array(found.dropFirst(skipped).prefix(size))
        }
        var described: [Open311Value] = []
        for ticket in found {
            var request = describe(ticket, locale: locale)
            if parameters["extensions"] == "true", case .object(var fields) = request {
                fields.append(("extended_attributes", try await extended(ticket)))
                request = .object(fields)
            }
            described.append(request)
        }
        return .list("service_requests", "request", described)
    }

    /// Chicago-style `extended_attributes` (`extensions=true`): the channel it came by, how many residents follow
    /// it, the resolution, the public notes, and the answers to the service's questions.
    func extended(_ ticket: Ticket) async throws -> Open311Value {
        let followers = try await dependencies.jobs?.followers(of: ticket.trackingNumber).count ?? 0
        let notes = try await dependencies.tickets.history(of: ticket.trackingNumber).filter { $0.isPublic && $0.note != nil }
        return .object([
            ("channel", .string(ticket.draft.channel.rawValue)),
            ("followers", .number(Double(followers))),
            ("resolution", ticket.resolution.map(Open311Value.string) ?? .null),
            ("notes", .list("notes", "note", notes.map { .object([("datetime", time($0.at)), ("description", .string($0.note ?? ""))]) })),
            ("attributes", .object(ticket.draft.attributes.map { answer in
                switch answer.value {
                case .options(let keys): return (answer.code, .string(keys.joined(separator: ",")))
                case .number(let number): return (answer.code, .number(number))
                case .datetime(let date): return (answer.code, time(date))
                case .text(let text), .unreadable(let text): return (answer.code, .string(text))
                case .skipped: return (answer.code, .null)
                }
            })),
        ])
    }

    func date(_ raw: String, _ name: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: raw), date.timeIntervalSince1970 > 0, date.timeIntervalSince1970 < 32_503_680_000 { return date }
        }
        throw Failure(status: .badRequest, description: "\(name) must be an ISO 8601 date such as 2026-11-23T10:00:00-06:00")
    }

    func describe(_ ticket: Ticket, locale: LanguageTag) -> Open311Value {
        let city = dependencies.city
        let draft = ticket.draft
        let point = draft.location?.coordinate
        let media = draft.media.first { !$0.url.hasPrefix(ChatPhotos.scheme) }?.url
        return .object([
            ("service_request_id", .string(ticket.trackingNumber.digits)),
            ("status", .string(ticket.status == .closed ? "closed" : "open")),
            ("status_notes", ticket.publicNote.map(Open311Value.string) ?? .null),
            ("service_name", .string(city.service(draft.serviceCode)?.name.resolve(locale, fallbacks: city.fallbackLocales) ?? draft.serviceCode)),
            ("service_code", .string(draft.serviceCode)),
            ("description", .string(draft.description)),
            ("agency_responsible", .string(city.departmentName(ticket.department, in: locale))),
            ("service_notice", .null),
            ("requested_datetime", time(draft.requestedAt)),
            ("updated_datetime", time(ticket.updatedAt)),
            ("expected_datetime", time(draft.expectedAt)),
            ("address", (draft.location.map { $0.matched ?? $0.text }).map(Open311Value.string) ?? .null),
            ("address_id", .null),
            ("zipcode", .null),
            ("lat", point.map { .number($0.latitude) } ?? .null),
            ("long", point.map { .number($0.longitude) } ?? .null),
            ("media_url", media.map(Open311Value.string) ?? .null),
        ])
    }

    /// `tokens/{token}`: requests are created at once, so a request's token is its id.
    func requestForToken(_ token: String) async throws -> Open311Value {
        guard let number = TrackingNumber(parsing: token), try await dependencies.tickets.ticket(number) != nil else {
            throw Failure(status: .notFound, description: "no request for token '\(token.prefix(40))'")
        }
        return .list("service_requests", "request", [.object([("service_request_id", .string(number.digits)), ("token", .string(number.digits))])])
    }

    // MARK: - Filing

    /// `POST requests` (form-encoded): `api_key`, `service_code`, `lat`+`long` or `address_string`, `description`,
    /// `attribute[code]` / `attribute[code][]`, `email` or `phone` (acknowledged in `locale`), `first_name`,
    /// `last_name`, `media_url`, `device_id`, `account_id`, `jurisdiction_id`.
    func create(_ request: Request) async throws -> Open311Value {
        let (form, token) = try await authorizedForm(request)
        func field(_ name: String) -> String? { form.first { $0.0 == name }?.1 }
        if let id = field("jurisdiction_id") { try checkJurisdiction(["jurisdiction_id": id]) }
        let city = dependencies.city
        guard let code = field("service_code") else { throw Failure(status: .badRequest, description: "service_code is required") }
        guard let service = city.service(code) else { throw Failure(status: .badRequest, description: "service_code '\(code.prefix(60))' is not a service here") }
        let description = (field("description") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard description.count <= 4_000 else { throw Failure(status: .badRequest, description: "description is longer than 4000 characters") }

        var location: Location
        switch (field("lat").map(Double.init), field("long").map(Double.init), field("address_string")) {
        case (let lat??, let long??, let address):
            let point = Coordinate(latitude: lat, longitude: long)
            guard point.isValid else { throw Failure(status: .badRequest, description: "lat must be -90…90 and long -180…180") }
            location = Location(kind: address == nil ? .coordinates : .address, text: address ?? String(format: "%.6f, %.6f", lat, long),
                                coordinate: point, matched: dependencies.switchboard.engine.geocoder.reverse(point, within: 60)?.address)
        case (nil, nil, let address?):
            guard address.count <= 200 else { throw Failure(status: .badRequest, description: "address_string is longer than 200 characters") }
            location = dependencies.switchboard.engine.geocoder.placing(Location(kind: .address, text: address))
        case (nil, nil, nil):
            throw Failure(status: .badRequest, description: "a location is required: lat and long, or address_string")
        default:
            throw Failure(status: .badRequest, description: "lat and long must both be numbers")
        }

        let attributes = try answers(for: service, form)
        let reporter = try reporter(field("phone"), field("email"))
        let locale = try self.locale(field("locale").map { ["locale": $0] } ?? [:])
        var media: [MediaRef] = []
        if let link = field("media_url") {
            guard link.count <= 2_000, let url = URL(string: link), ["http", "https"].contains(url.scheme ?? "") else {
                throw Failure(status: .badRequest, description: "media_url must be an http(s) URL")
            }
            media.append(MediaRef(url: link))
        }
        let idempotency = request.headers[HTTPField.Name("Idempotency-Key")!].map { "open311:\(token.id):\($0.prefix(255))" }
        let (ticket, _) = try await dependencies.switchboard.file(
            Switchboard.TicketRequest(service: service, description: description.isEmpty ? service.name.resolve(city.defaultLocale) : description,
                                      location: location, reporter: reporter, locale: field("locale") == nil ? nil : locale,
                                      idempotencyKey: idempotency, actor: "open311:\(token.id)",
                                      attributes: attributes, media: media),
            in: dependencies.tickets, policy: dependencies.outreach, at: dependencies.clock()
        )
        let notice = "\(city.departmentName(ticket.department, in: locale)): \(TicketJSON.iso(ticket.draft.expectedAt))"
        return .list("service_requests", "request", [.object([
            ("service_request_id", .string(ticket.trackingNumber.digits)), ("service_notice", .string(notice)),
            ("account_id", field("account_id").map(Open311Value.string) ?? .null),
        ])])
    }

    /// `attribute[code]=value` and `attribute[code][]=value` read against the service's questions: list keys must
    /// be among the values, numbers numbers, dates ISO 8601; required ones present.
    func answers(for service: Service, _ form: [(String, String)]) throws -> [AttributeAnswer] {
        var given: [String: [String]] = [:]
        for (key, value) in form where key.hasPrefix("attribute[") {
            var code = String(key.dropFirst("attribute[".count))
            if code.hasSuffix("][]") { code.removeLast(3) } else if code.hasSuffix("]") { code.removeLast() } else { continue }
            guard service.attributes.contains(where: { $0.code == code }) else {
                throw Failure(status: .badRequest, description: "attribute '\(code.prefix(60))' is not a question of \(service.code)")
            }
            given[code, default: []].append(value)
        }
        var answers: [AttributeAnswer] = []
        for attribute in service.attributes {
            guard let values = given[attribute.code], !values.isEmpty else {
                if attribute.required { throw Failure(status: .badRequest, description: "attribute[\(attribute.code)] is required") }
                continue
            }
            let keys = Set(attribute.values.map(\.key))
            switch attribute.datatype {
            case .singlevaluelist, .multivaluelist:
                guard values.allSatisfy(keys.contains), attribute.datatype == .multivaluelist || values.count == 1 else {
                    throw Failure(status: .badRequest, description: "attribute[\(attribute.code)] must be one of \(keys.sorted().joined(separator: ", "))")
                }
                answers.append(AttributeAnswer(code: attribute.code, value: .options(values)))
            case .number:
                guard let number = Double(values[0]), number.isFinite else {
                    throw Failure(status: .badRequest, description: "attribute[\(attribute.code)] must be a number")
                }
                answers.append(AttributeAnswer(code: attribute.code, value: .number(number)))
            case .datetime:
                answers.append(AttributeAnswer(code: attribute.code, value: .datetime(try date(values[0], "attribute[\(attribute.code)]"))))
            case .string, .text:
                guard values[0].count <= 2_000 else { throw Failure(status: .badRequest, description: "attribute[\(attribute.code)] is too long") }
                answers.append(AttributeAnswer(code: attribute.code, value: .text(values[0])))
            }
        }
        return answers
    }

    /// The reporter to acknowledge: a phone (E.164 or ten North American digits) or an email address.
    func reporter(_ phone: String?, _ email: String?) throws -> ChannelAddress? {
        var object: [String: Any] = [:]
        if let phone { object["phone"] = phone }
        if let email, phone == nil { object["email"] = email }
        do {
            return try StaffAPI.reporter(object)
        } catch let problem as APIProblem {
            throw Failure(status: .badRequest, description: problem.message)
        }
    }
}
