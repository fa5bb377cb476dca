import CityModel
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Storage

/// The staff API under `/api/v1`, JSON, `Authorization: Bearer <token>`.
///
/// 401 without a valid token; a `staff` token sees and changes only its department's tickets (403 for the
/// others); an `admin` token sees every ticket. Errors are `{"error": {"code", "message"}}`.
struct StaffAPI: Sendable {
    let dependencies: WebAPIDependencies

    init(_ dependencies: WebAPIDependencies) { self.dependencies = dependencies }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/v1/tickets") { request, _ in try await self.guarded(request) { token in try await self.list(request, token) } }
        router.get("/api/v1/tickets/:id") { request, context in
            try await self.guarded(request) { token in try await self.show(context.parameters.get("id") ?? "", token) }
        }
        router.patch("/api/v1/tickets/:id") { request, context in
            try await self.guarded(request) { token in try await self.update(request, context.parameters.get("id") ?? "", token) }
        }
        router.post("/api/v1/tickets/:id/notes") { request, context in
            try await self.guarded(request) { token in try await self.addNote(request, context.parameters.get("id") ?? "", token) }
        }
    }


    private func guarded(_ request: Request, _ body: (StaffToken) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return JSONResponse.error(.unauthorized, "unauthorized", "send Authorization: Bearer <token>")
        }
        let secret = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard let token = try await dependencies.tokens.token(hash: StaffTokenHash.hash(secret)) else {
            return JSONResponse.error(.unauthorized, "unauthorized", "unknown token")
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
        var filter = TicketFilter(limit: min(Int(query["limit"].map(String.init) ?? "") ?? 100, 1000))
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
            guard let date = ISO8601DateFormatter().date(from: since) else {
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
        }
        let tickets = try await dependencies.tickets.tickets(filter)
        return JSONResponse.make(["tickets": tickets.map { TicketJSON.summary($0, city: dependencies.city) }])
    }

    private func show(_ id: String, _ token: StaffToken) async throws -> Response {
        let ticket = try await accessible(id, token)
        let history = try await dependencies.tickets.history(of: ticket.trackingNumber)
        return JSONResponse.make(TicketJSON.detail(ticket, history: history, city: dependencies.city))
    }

    private func update(_ request: Request, _ id: String, _ token: StaffToken) async throws -> Response {
        let ticket = try await accessible(id, token)
        let object = try await jsonObject(request)
        let allowed: Set<String> = ["status", "status_note", "resolution", "department"]
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

    private func addNote(_ request: Request, _ id: String, _ token: StaffToken) async throws -> Response {
        let ticket = try await accessible(id, token)
        let object = try await jsonObject(request)
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

    private func jsonObject(_ request: Request) async throws -> [String: Any] {
        guard let bytes = try await request.body(upTo: 64 * 1024) else {
            throw APIProblem(.contentTooLarge, "too_large", "the body is larger than 64 KiB")
        }
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
