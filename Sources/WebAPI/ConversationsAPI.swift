import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import Storage
import Switchboard

/// Human handoff under `/api/v1/conversations`: the operators' queue, one conversation with what was said, an
/// operator's reply, handing the resident back to the bot, and passing the conversation to another department.
///
/// A `staff` token sees the conversations of its department (the city's `operators:` department takes new
/// ones); an `admin` token sees all. Addresses are masked.
struct ConversationsAPI: Sendable {
    let desk: OperatorDesk
    let guarded: @Sendable (Request, (StaffToken) async throws -> Response) async throws -> Response

    func register(on router: Router<WebContext>) {
        router.get("/api/v1/conversations") { request, _ in try await guarded(request) { token in try await list(request, token) } }
        router.get("/api/v1/conversations/:id") { request, context in
            try await guarded(request) { token in try await show(context.parameters.get("id") ?? "", token) }
        }
        router.get("/api/v1/conversations/:id/canned") { request, context in
            try await guarded(request) { token in try await canned(context.parameters.get("id") ?? "", token) }
        }
        router.post("/api/v1/conversations/:id/messages") { request, context in
            try await guarded(request) { token in try await reply(request, context.parameters.get("id") ?? "", token) }
        }
        router.post("/api/v1/conversations/:id/close") { request, context in
            try await guarded(request) { token in try await close(request, context.parameters.get("id") ?? "", token) }
        }
        router.post("/api/v1/conversations/:id/notes") { request, context in
            try await guarded(request) { token in try await note(request, context.parameters.get("id") ?? "", token) }
        }
        router.post("/api/v1/conversations/:id/tickets") { request, context in
            try await guarded(request) { token in try await file(request, context.parameters.get("id") ?? "", token) }
        }
        router.post("/api/v1/conversations/:id/transfer") { request, context in
            try await guarded(request) { token in try await transfer(request, context.parameters.get("id") ?? "", token) }
        }
    }

    // MARK: - Endpoints

    private func list(_ request: Request, _ token: StaffToken) async throws -> Response {
        let query = request.uri.queryParameters
        var states: Set<Handoff.State>? = [.waiting, .active]
        if let raw = query["state"].map(String.init) {
            states = try Set(raw.split(separator: ",").map { value in
                guard let state = Handoff.State(rawValue: String(value)) else {
                    throw APIProblem(.badRequest, "invalid_state", "unknown state '\(value)'; use waiting, active or closed")
                }
                return state
            })
        }
        let limit = min(max(Int(query["limit"].map(String.init) ?? "") ?? 100, 1), 1000)
        var rows: [[String: Any]] = []
        for handoff in try await desk.queue(for: token, states: states, limit: limit) {
            rows.append(Self.json(handoff, tickets: try await desk.tickets(of: handoff)))
        }
        return JSONResponse.make(["conversations": rows])
    }

    private func show(_ id: String, _ token: StaffToken) async throws -> Response {
        let allowed = try await accessible(id, token)
        let (handoff, lines, tickets) = try await perform { try await desk.conversation(allowed.id) }
        var object = Self.json(handoff, tickets: tickets)
        object["messages"] = lines.map { ["from": $0.from.rawValue, "text": $0.text, "at": TicketJSON.iso($0.at)] }
        object["notes"] = try await desk.notes(handoff.id).map { ["author": $0.author, "text": $0.text, "at": TicketJSON.iso($0.at)] }
        return JSONResponse.make(object)
    }

    private func canned(_ id: String, _ token: StaffToken) async throws -> Response {
        let handoff = try await accessible(id, token)
        let (locale, responses) = desk.cannedResponses(for: handoff)
        return JSONResponse.make([
            "locale": locale.code, "dir": locale.isRightToLeft ? "rtl" : "ltr",
            "responses": responses.map { ["key": $0.key, "text": $0.text] },
        ])
    }

    private func reply(_ request: Request, _ id: String, _ token: StaffToken) async throws -> Response {
        let handoff = try await accessible(id, token)
        let object = try await StaffAPI.jsonObject(request)
        guard let text = object["text"] as? String else { throw APIProblem(.badRequest, "invalid_text", "'text' must be a string") }
        let changed = try await perform { try await desk.reply(handoff.id, text: text, by: Self.actor(token)) }
        return JSONResponse.make(Self.json(changed, tickets: nil), status: .created)
    }

    private func note(_ request: Request, _ id: String, _ token: StaffToken) async throws -> Response {
        let handoff = try await accessible(id, token)
        let object = try await StaffAPI.jsonObject(request)
        guard let text = object["text"] as? String else { throw APIProblem(.badRequest, "invalid_text", "'text' must be a string") }
        let changed = try await perform { try await desk.addNote(handoff.id, text: text, by: Self.actor(token)) }
        return JSONResponse.make(Self.json(changed, tickets: nil), status: .created)
    }

    private func close(_ request: Request, _ id: String, _ token: StaffToken) async throws -> Response {
        let handoff = try await accessible(id, token)
        let object = try await StaffAPI.jsonObject(request, emptyAllowed: true)
        guard object["text"] == nil || object["text"] is String || object["text"] is NSNull else {
            throw APIProblem(.badRequest, "invalid_text", "'text' must be a string")
        }
        let changed = try await perform { try await desk.close(handoff.id, by: Self.actor(token), text: object["text"] as? String) }
        return JSONResponse.make(Self.json(changed, tickets: nil))
    }

    /// Files a report for the resident, as an operator does once they know what and where:
    /// `{"service_code", "description", "address" and/or "lat"+"long"}`. The operator's token need not be the
    /// department's the report goes to: taking reports for every department is what operators do.
    private func file(_ request: Request, _ id: String, _ token: StaffToken) async throws -> Response {
        let handoff = try await accessible(id, token)
        let object = try await StaffAPI.jsonObject(request)
        let allowed: Set<String> = ["service_code", "description", "address", "lat", "long"]
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIProblem(.badRequest, "unknown_field", "unknown field '\(unknown)'; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        guard let code = object["service_code"] as? String, let service = desk.city.service(code) else {
            throw APIProblem(.badRequest, "invalid_service_code", "service_code must be one of the catalog's codes")
        }
        let description = ((object["description"] as? String) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !description.isEmpty, description.count <= 4000 else {
            throw APIProblem(.badRequest, "invalid_description", "description must be 1 to 4000 characters")
        }
        let location = try StaffAPI.location(object)
        let key = request.headers[HTTPField.Name("Idempotency-Key")!].map { "staff:\(token.id):\($0)" }
        let (ticket, created) = try await perform {
            try await desk.file(handoff.id, service: service, description: description, location: location, by: "staff:\(token.id)",
                                idempotencyKey: key)
        }
        var response = JSONResponse.make(TicketJSON.summary(ticket, city: desk.city), status: created ? .created : .ok)
        response.headers[.location] = "/api/v1/tickets/\(ticket.trackingNumber.digits)"
        return response
    }

    private func transfer(_ request: Request, _ id: String, _ token: StaffToken) async throws -> Response {
        let handoff = try await accessible(id, token)
        let object = try await StaffAPI.jsonObject(request)
        guard let department = object["department"] as? String else {
            throw APIProblem(.badRequest, "invalid_department", "'department' must be a department code")
        }
        let changed = try await perform { try await desk.transfer(handoff.id, to: department) }
        return JSONResponse.make(Self.json(changed, tickets: nil))
    }

    // MARK: - Helpers

    /// The conversation `id` names, if this token may see it: 404 for unknown ids, 403 for other departments.
    private func accessible(_ id: String, _ token: StaffToken) async throws -> Handoff {
        guard let number = Int64(id), number > 0 else { throw APIProblem(.notFound, "not_found", "no conversation '\(id)'") }
        let found = try await perform { try await desk.handoff(number) }
        guard token.role == .admin || (found.department != nil && found.department == token.department) else {
            throw APIProblem(.forbidden, "forbidden", "conversation \(id) is in another department's queue")
        }
        return found
    }

    private func perform<T>(_ action: () async throws -> T) async throws -> T {
        do {
            return try await action()
        } catch let problem as OperatorDesk.Problem {
            switch problem {
            case .notFound: throw APIProblem(.notFound, "not_found", "no such conversation")
            case .closed: throw APIProblem(.conflict, "closed", "the conversation is closed; nothing was sent")
            case .emptyText: throw APIProblem(.badRequest, "invalid_text", "'text' is empty")
            case .tooLong(let max): throw APIProblem(.badRequest, "invalid_text", "'text' is longer than \(max) characters")
            case .unknownDepartment: throw APIProblem(.badRequest, "invalid_department", "unknown department")
            }
        }
    }

    static func actor(_ token: StaffToken) -> String { token.label.map { "\($0)" } ?? "staff:\(token.id)" }

    static func json(_ handoff: Handoff, tickets: [Ticket]?) -> [String: Any] {
        var object: [String: Any] = [
            "id": String(handoff.id), "channel": handoff.address.channel.rawValue, "address": handoff.address.masked,
            "locale": handoff.locale?.code ?? NSNull(), "dir": handoff.locale?.isRightToLeft == true ? "rtl" : "ltr",
            "state": handoff.state.rawValue,
            "department": handoff.department ?? NSNull(), "waiting_since": TicketJSON.iso(handoff.openedAt),
            "last_message_at": TicketJSON.iso(handoff.lastMessageAt), "assigned_to": handoff.assignedTo ?? NSNull(),
            "first_reply_at": TicketJSON.date(handoff.firstReplyAt), "closed_at": TicketJSON.date(handoff.closedAt),
            "closed_by": handoff.closedBy ?? NSNull(),
        ]
        if let tickets { object["ticket_ids"] = tickets.map { $0.trackingNumber.digits } }
        // The report the resident was making when they asked for a person, for the operator to file.
        object["report"] = handoff.report.map { report -> [String: Any] in
            [
                "service_code": report.serviceCode ?? NSNull(), "description": report.description.joined(separator: " "),
                "address": report.location?.text ?? NSNull(),
                "lat": report.location?.coordinate.map { $0.latitude as Any } ?? NSNull(),
                "long": report.location?.coordinate.map { $0.longitude as Any } ?? NSNull(),
            ]
        } ?? NSNull()
        return object
    }
}
