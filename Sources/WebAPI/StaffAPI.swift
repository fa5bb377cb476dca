import ChannelEmail
import CityModel
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Localization
import Logging
import Storage
import Switchboard

/// The staff API under `/api/v1`, JSON, `Authorization: Bearer <token>`.
///
/// 401 without a valid token; a `staff` token sees and changes only its department's tickets (403 for the
/// others); an `admin` token sees every ticket. Errors are `{"error": {"code", "message"}}`.
struct StaffAPI: Sendable {
    let dependencies: WebAPIDependencies

    init(_ dependencies: WebAPIDependencies) { self.dependencies = dependencies }

    func register(on router: Router<WebContext>) {
        router.get("/api/v1/tickets") { request, _ in try await self.guarded(request) { token in try await self.list(request, token) } }
        router.post("/api/v1/tickets") { request, _ in try await self.guarded(request) { token in try await self.create(request, token) } }
        router.get("/api/v1/status-notes") { request, _ in try await self.guarded(request) { _ in self.statusNotes() } }
        router.get("/api/v1/tickets/:id") { request, context in
            try await self.guarded(request) { token in try await self.show(context.parameters.get("id") ?? "", token) }
        }
        router.patch("/api/v1/tickets/:id") { request, context in
            try await self.guarded(request) { token in try await self.update(request, context.parameters.get("id") ?? "", token) }
        }
        router.get("/api/v1/tickets/:id/photos/:name") { request, context in
            try await self.guarded(request) { token in
                try await self.photo(context.parameters.get("id") ?? "", context.parameters.get("name") ?? "", token)
            }
        }
        router.post("/api/v1/tickets/:id/notes") { request, context in
            try await self.guarded(request) { token in try await self.addNote(request, context.parameters.get("id") ?? "", token) }
        }
        OperationsAPI(dependencies).register(on: router, guarded: guarded)
        if let desk = dependencies.desk { ConversationsAPI(desk: desk, guarded: guarded).register(on: router) }
        if let notices = dependencies.notices {
            NoticesAPI(desk: notices, store: notices.store, logger: dependencies.logger).register(on: router, guarded: guarded)
        }
        if let reports = dependencies.reports { ReportsAPI(city: dependencies.city, store: reports).register(on: router, guarded: guarded) }
    }


    @Sendable
    func guarded(_ request: Request, _ body: (StaffToken) async throws -> Response) async throws -> Response {
        let token: StaffToken
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            let secret = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
            guard let found = try await dependencies.tokens.token(hash: StaffTokenHash.hash(secret)) else {
                return JSONResponse.error(.unauthorized, "unauthorized", "unknown token")
            }
            token = found
        } else if let sessions = dependencies.console, let cookie = ConsoleSessions.cookie(in: request) {
            // The operators' console: its signed cookie, and for every change the CSRF token that goes with it.
            guard let found = try await sessions.token(for: cookie, in: dependencies.tokens, now: dependencies.clock()) else {
                return JSONResponse.error(.unauthorized, "unauthorized", "the console session ended; sign in again")
            }
            if request.method != .get, request.method != .head,
               !sessions.isValidCSRF(request.headers[ConsoleSessions.csrfHeader], for: cookie) {
                return JSONResponse.error(.forbidden, "csrf", "missing or wrong X-CSRF-Token")
            }
            token = found
        } else {
            return JSONResponse.error(.unauthorized, "unauthorized", "send Authorization: Bearer <token>")
        }
        // An Open311 api_key reads and files through /open311/v2 only.
        guard token.role != .open311 else {
            return JSONResponse.error(.forbidden, "forbidden", "an open311 token is an api_key for /open311/v2, not a staff token")
        }
        do {
            return try await body(token)
        } catch let problem as APIProblem {
            return JSONResponse.error(problem.status, problem.code, problem.message)
        }
    }

    // MARK: - Endpoints

    private func list(_ request: Request, _ token: StaffToken) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = TicketFilter(limit: min(max(Int(query["limit"].map(String.init) ?? "") ?? 100, 1), 1000))
        if let statuses = query["status"].map(String.init) {
            filter.statuses = try statuses.split(separator: ",").map { raw in
                guard let status = TicketStatus(rawValue: String(raw)) else {
                    throw APIProblem(.badRequest, "invalid_status", "unknown status '\(raw)'; use \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return status
            }
        }
        filter.serviceCode = query["service_code"].map(String.init)
        if let since = query["updated_since"].map(String.init) {
            guard let date = InternetTime.date(since) else {
                throw APIProblem(.badRequest, "invalid_date", "updated_since must be ISO 8601, like 2026-11-23T00:00:00Z")
            }
            filter.updatedSince = date
        }
        let requested = query["department"].map(String.init)
        switch (token.role, requested) {
        case (.admin, let department?): filter.departments = [department]
        case (.admin, nil): break
        case (.staff, let department?) where department != token.department:
            throw APIProblem(.forbidden, "forbidden", "this token is for department '\(token.department ?? "")'")
        case (.staff, _): filter.departments = [token.department ?? ""]
        case (.open311, _): throw APIProblem(.forbidden, "forbidden", "an open311 token reads through /open311/v2")
        }
        let tickets = try await dependencies.tickets.tickets(filter)
        return JSONResponse.make(["tickets": tickets.map { TicketJSON.summary($0, city: dependencies.city) }])
    }

    private func show(_ id: String, _ token: StaffToken) async throws -> Response {
        let ticket = try await accessible(id, token)
        let history = try await dependencies.tickets.history(of: ticket.trackingNumber)
        let followers = try await dependencies.jobs?.followers(of: ticket.trackingNumber).count
        let survey = try await dependencies.jobs?.survey(of: ticket.trackingNumber)
        return JSONResponse.make(TicketJSON.detail(ticket, history: history, city: dependencies.city, followers: followers, survey: survey))
    }

    /// A photo the resident sent with the report (web chat), for staff who may see the ticket.
    private func photo(_ id: String, _ name: String, _ token: StaffToken) async throws -> Response {
        let ticket = try await accessible(id, token)
        guard ticket.draft.media.contains(where: { $0.url == ChatPhotos.scheme + name }),
              let (data, type) = dependencies.chatPhotos?.read(name) else {
            throw APIProblem(.notFound, "not_found", "ticket \(ticket.trackingNumber) has no photo '\(name.prefix(80))'")
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "private, max-age=86400", .xContentTypeOptions: "nosniff"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func update(_ request: Request, _ id: String, _ token: StaffToken) async throws -> Response {
        let ticket = try await accessible(id, token)
        let object = try await Self.jsonObject(request)
        let allowed: Set<String> = ["status", "status_note", "status_note_key", "resolution", "department"]
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw APIProblem(.badRequest, "unknown_field", "unknown field '\(unknown)'; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        var change = TicketChange()
        if let raw = object["status"] {
            guard let text = raw as? String, let status = TicketStatus(rawValue: text) else {
                throw APIProblem(.badRequest, "invalid_status", "status must be one of \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            change.status = status
        }
        change.statusNote = try optionalString(object, "status_note")
        if let code = try optionalString(object, "status_note_key") {
            // One of the city's canned notes: each resident reads it in their own language.
            guard change.statusNote == nil else {
                throw APIProblem(.badRequest, "invalid_status_note", "send status_note (the crew's own words) or status_note_key, not both")
            }
            let key = StatusNote.key(code)
            guard case .canned = StatusNote(key), dependencies.switchboard.composer.renderer.has(key, locale: dependencies.city.defaultLocale) else {
                throw APIProblem(.badRequest, "invalid_status_note_key",
                                 "unknown status note '\(code)'; the city's are: \(statusNoteCodes.joined(separator: ", "))")
            }
            change.statusNote = key
        }
        change.resolution = try optionalString(object, "resolution")
        if let department = try optionalString(object, "department") {
            guard dependencies.city.department(department) != nil else {
                throw APIProblem(.badRequest, "invalid_department", "unknown department '\(department)'")
            }
            change.department = department
        }
        guard change != TicketChange() else { throw APIProblem(.badRequest, "empty_change", "nothing to change") }
        let outreach = dependencies.outreach
        let updated = try await dependencies.tickets.update(ticket.trackingNumber, change, actor: "staff:\(token.id)",
                                                            at: dependencies.clock()) { ticket, events in
            outreach.jobs(after: events, ticket: ticket)
        }
        guard let updated else { throw APIProblem(.notFound, "not_found", "no ticket \(id)") }
        let history = try await dependencies.tickets.history(of: updated.trackingNumber)
        dependencies.logger.info("ticket updated", metadata: ["ticket.id": "\(updated.trackingNumber)", "status": "\(updated.status.rawValue)",
                                                               "staff.token": "\(token.id)"])
        return JSONResponse.make(TicketJSON.detail(updated, history: history, city: dependencies.city))
    }

    /// Files a ticket for a resident who called or wrote in some other way (or for a back-end system): routed like
    /// their own report; a resident given by `phone` or `email` gets the acknowledgement with the tracking number,
    /// then every update, in `locale`. A staff token may file only for its own department. With an
    /// `Idempotency-Key` header a retried request returns the first ticket (200) and creates nothing.
    ///
    /// ```json
    /// {"service_code": "pothole", "description": "Deep pothole in the bike lane", "address": "1423 Oak St",
    ///  "lat": 39.7817, "long": -89.6501, "phone": "+12175550100", "locale": "es"}
    /// ```
    private func create(_ request: Request, _ token: StaffToken) async throws -> Response {
        let city = dependencies.city
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let key, key.isEmpty || key.count > 255 || !key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) {
            throw APIProblem(.badRequest, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        let object = try await Self.jsonObject(request)
        let allowed: Set<String> = ["service_code", "description", "address", "lat", "long", "phone", "email", "locale"]
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIProblem(.badRequest, "unknown_field", "unknown field '\(unknown)'; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        guard let code = try optionalString(object, "service_code"), let service = city.service(code) else {
            throw APIProblem(.badRequest, "invalid_service_code", "service_code must be one of the catalog's codes (GET /open311/v2/services.json)")
        }
        let description = (try optionalString(object, "description") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !description.isEmpty, description.count <= 4000 else {
            throw APIProblem(.badRequest, "invalid_description", "description must be 1 to 4000 characters")
        }
        // An address without a point is placed from the city's own address data, so it is routed by where it is.
        let location = dependencies.switchboard.engine.geocoder.placing(try Self.location(object))
        let reporter = try Self.reporter(object)
        var locale: LanguageTag?
        if let raw = try optionalString(object, "locale") {
            let tag = LanguageTag(raw)
            guard let supported = tag.match(among: city.locales) else {
                throw APIProblem(.badRequest, "invalid_locale", "locale must be one of \(city.locales.map(\.code).joined(separator: ", "))")
            }
            locale = supported
        }
        let department = city.route(service, at: location.coordinate).department
        guard token.mayAccess(department: department) else {
            throw APIProblem(.forbidden, "forbidden", "a \(service.code) report there goes to department '\(department)', not this token's")
        }
        let (ticket, created) = try await dependencies.switchboard.file(
            Switchboard.TicketRequest(service: service, description: description, location: location, reporter: reporter, locale: locale,
                                      idempotencyKey: key.map { "staff:\(token.id):\($0)" }, actor: "staff:\(token.id)"),
            in: dependencies.tickets, policy: dependencies.outreach, at: dependencies.clock()
        )
        guard token.mayAccess(department: ticket.department) else {
            throw APIProblem(.forbidden, "forbidden", "ticket \(ticket.trackingNumber) belongs to another department")
        }
        let history = try await dependencies.tickets.history(of: ticket.trackingNumber)
        var response = JSONResponse.make(TicketJSON.detail(ticket, history: history, city: city), status: created ? .created : .ok)
        response.headers[.location] = "/api/v1/tickets/\(ticket.trackingNumber.digits)"
        return response
    }

    /// `address`, or `lat` and `long`, or both; at least one.
    static func location(_ object: [String: Any]) throws -> Location {
        let address = (object["address"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines)
        if object["address"] != nil, !(object["address"] is NSNull), address == nil || address!.isEmpty || address!.count > 200 {
            throw APIProblem(.badRequest, "invalid_address", "address must be 1 to 200 characters")
        }
        var coordinate: Coordinate?
        switch (object["lat"], object["long"]) {
        case (nil, nil): break
        case (let lat as NSNumber, let long as NSNumber) where !(lat is Bool) && !(long is Bool):
            let point = Coordinate(latitude: lat.doubleValue, longitude: long.doubleValue)
            guard point.isValid else { throw APIProblem(.badRequest, "invalid_coordinates", "lat must be -90…90 and long -180…180") }
            coordinate = point
        default:
            throw APIProblem(.badRequest, "invalid_coordinates", "lat and long must both be numbers")
        }
        if let address { return Location(kind: .address, text: address, coordinate: coordinate) }
        if let coordinate {
            return Location(kind: .coordinates, text: String(format: "%.6f, %.6f", coordinate.latitude, coordinate.longitude), coordinate: coordinate)
        }
        throw APIProblem(.badRequest, "missing_location", "give an address, or lat and long")
    }

    /// The resident to keep informed: `phone` (E.164, or a 10-digit North American number) or `email`, not both.
    static func reporter(_ object: [String: Any]) throws -> ChannelAddress? {
        let phone = object["phone"].flatMap { $0 is NSNull ? nil : $0 }
        let email = object["email"].flatMap { $0 is NSNull ? nil : $0 }
        switch (phone, email) {
        case (nil, nil):
            return nil
        case (let raw as String, nil):
            var digits = raw.filter { !" -().\u{00A0}".contains($0) }
            if digits.count == 10, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) { digits = "+1" + digits }
            if digits.count == 11, digits.hasPrefix("1"), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) { digits = "+" + digits }
            let national = digits.dropFirst()
            guard digits.hasPrefix("+"), (8...15).contains(national.count), national.first != "0",
                  national.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw APIProblem(.badRequest, "invalid_phone", "phone must be E.164, like +12175550100")
            }
            return ChannelAddress(channel: .sms, address: digits)
        case (nil, let raw as String):
            // The email transport's own rule for an address it can send to, and a domain with a dot (a resident's
            // mailbox is never on a bare host name).
            guard let email = EmailAddress(address: raw.lowercased()), email.domain.contains(".") else {
                throw APIProblem(.badRequest, "invalid_email", "email must be an address like maria@example.org")
            }
            return ChannelAddress(channel: .email, address: email.address)
        case (.some, .some):
            throw APIProblem(.badRequest, "invalid_contact", "give phone or email, not both")
        default:
            throw APIProblem(.badRequest, "invalid_contact", "phone and email must be strings")
        }
    }

    private func addNote(_ request: Request, _ id: String, _ token: StaffToken) async throws -> Response {
        let ticket = try await accessible(id, token)
        let object = try await Self.jsonObject(request)
        guard let text = object["text"] as? String, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIProblem(.badRequest, "invalid_note", "'text' must be a non-empty string")
        }
        guard text.count <= 4000 else { throw APIProblem(.badRequest, "invalid_note", "'text' is longer than 4000 characters") }
        let isPublic = object["public"] as? Bool ?? false
        guard let event = try await dependencies.tickets.addNote(to: ticket.trackingNumber, text: text, isPublic: isPublic,
                                                                  actor: "staff:\(token.id)", at: dependencies.clock()) else {
            throw APIProblem(.notFound, "not_found", "no ticket \(id)")
        }
        return JSONResponse.make(TicketJSON.event(event), status: .created)
    }

    // MARK: - Helpers

    /// The codes of the city's canned status notes (`notes.*` in `Locales/`).
    var statusNoteCodes: [String] {
        (dependencies.switchboard.composer.renderer.catalog.strings[dependencies.city.defaultLocale] ?? [:]).keys
            .filter { $0.hasPrefix(StatusNote.keyPrefix) }.map { String($0.dropFirst(StatusNote.keyPrefix.count)) }.sorted()
    }

    private func statusNotes() -> Response {
        let renderer = dependencies.switchboard.composer.renderer
        return JSONResponse.make(["status_notes": statusNoteCodes.map { code in
            ["code": code, "text": Dictionary(uniqueKeysWithValues: dependencies.city.locales.map {
                ($0.code, renderer.render(StatusNote.key(code), locale: $0))
            })]
        }])
    }

    /// The ticket `id` names, if this token may see it: 404 for unknown numbers, 403 for other departments.
    private func accessible(_ id: String, _ token: StaffToken) async throws -> Ticket {
        guard let number = TrackingNumber(parsing: id) else {
            throw APIProblem(.notFound, "not_found", "'\(id)' is not a tracking number")
        }
        guard let ticket = try await dependencies.tickets.ticket(number) else { throw APIProblem(.notFound, "not_found", "no ticket \(id)") }
        guard token.mayAccess(department: ticket.department) else {
            throw APIProblem(.forbidden, "forbidden", "ticket \(id) belongs to another department")
        }
        return ticket
    }

    /// The request's JSON object body (at most 64 KiB): 413 when larger, 400 when not a JSON object; with
    /// `emptyAllowed`, an empty body is an empty object.
    static func jsonObject(_ request: Request, emptyAllowed: Bool = false) async throws -> [String: Any] {
        guard let bytes = try await request.body(upTo: 64 * 1024) else {
            throw APIProblem(.contentTooLarge, "too_large", "the body is larger than 64 KiB")
        }
        if emptyAllowed, bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [:] }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw APIProblem(.badRequest, "invalid_json", "the body must be a JSON object")
        }
        return object
    }

    private func optionalString(_ object: [String: Any], _ key: String) throws -> String? {
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let text = raw as? String else { throw APIProblem(.badRequest, "invalid_\(key)", "'\(key)' must be a string") }
        return text
    }
}

struct APIProblem: Error {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}

/// What the store keeps of a staff token: its SHA-256, hex.
public enum StaffTokenHash {
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
