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

    func date(_ raw: String, _ name: String) throws -> Date { try Self.date(raw, name) }

    static func date(_ raw: String, _ name: String) throws -> Date {
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
        let city = dependencies.city
        let submission = try Open311Submission(form: form, city: city, geocoder: dependencies.switchboard.engine.geocoder)
        let idempotency = request.headers[HTTPField.Name("Idempotency-Key")!].map { "open311:\(token.id):\($0.prefix(255))" }
        let (ticket, _) = try await dependencies.switchboard.file(
            Switchboard.TicketRequest(service: submission.service, description: submission.description,
                                      location: submission.location, reporter: submission.reporter, locale: submission.requestedLocale,
                                      idempotencyKey: idempotency, actor: "open311:\(token.id)",
                                      attributes: submission.attributes, media: submission.media),
            in: dependencies.tickets, policy: dependencies.outreach, at: dependencies.clock()
        )
        let notice = "\(city.departmentName(ticket.department, in: submission.locale)): \(TicketJSON.iso(ticket.draft.expectedAt))"
        return .list("service_requests", "request", [.object([
            ("service_request_id", .string(ticket.trackingNumber.digits)), ("service_notice", .string(notice)),
            ("account_id", submission.accountID.map(Open311Value.string) ?? .null),
        ])])
    }
}
