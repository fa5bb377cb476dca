import ChannelSMS
import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import Storage
import Transport

/// mySociety's `servicerequestupdates` extension: what happened to requests (GET), and a back end telling us
/// (POST) — a status change or a note — which reaches the residents like a staff update does.
extension Open311API {
    /// `GET servicerequestupdates`: the status changes and public notes of requests between `start_date` and
    /// `end_date` (the last day by default), oldest first; `update_id` is the request's id and the entry's place
    /// in its history.
    func updates(_ request: Request) async throws -> Open311Value {
        let parameters = Self.query(request)
        try checkJurisdiction(parameters)
        let end = try parameters["end_date"].map { try date($0, "end_date") } ?? dependencies.clock()
        let start = try parameters["start_date"].map { try date($0, "start_date") } ?? end.addingTimeInterval(-86_400)
        guard start <= end else { throw Failure(status: .badRequest, description: "start_date is after end_date") }
        var updates: [(Date, Open311Value)] = []
        for ticket in try await dependencies.tickets.tickets(TicketFilter(updatedSince: start, limit: 10_000)) {
            for (index, event) in try await dependencies.tickets.history(of: ticket.trackingNumber).enumerated()
            where event.at >= start && event.at <= end && (event.kind == .status || (event.kind == .note && event.isPublic)) {
                let status = event.status ?? ticket.status
                updates.append((event.at, .object([
                    ("update_id", .string("\(ticket.trackingNumber.digits)-\(index + 1)")),
                    ("service_request_id", .string(ticket.trackingNumber.digits)),
                    ("status", .string(status == .closed ? "closed" : "open")),
                    ("external_status_code", .string(status.rawValue)),
                    ("updated_datetime", time(event.at)),
                    ("description", .string(event.isPublic ? event.note ?? "" : "")),
                    ("media_url", .string("")),
                ])))
            }
        }
        return .list("service_request_updates", "request_update", updates.sorted { $0.0 < $1.0 }.map(\.1))
    }

    /// `POST servicerequestupdates` (form-encoded, `api_key`): `service_request_id`, `update_id` (the back end's;
    /// the same one twice changes nothing), `status` (mySociety's extended list), `description` (the public note),
    /// `updated_datetime`. The change goes to the ticket and its residents like a staff update.
    func postUpdate(_ request: Request) async throws -> Open311Value {
        let (form, token) = try await authorizedForm(request)
        func field(_ name: String) -> String? { form.first { $0.0 == name }?.1 }
        guard let id = field("service_request_id"), let number = TrackingNumber(parsing: id) else {
            throw Failure(status: .badRequest, description: "service_request_id is required")
        }
        guard let updateID = field("update_id"), updateID.count <= 100 else { throw Failure(status: .badRequest, description: "update_id is required") }
        guard let raw = field("status"), let (status, resolution) = Open311Status.read(raw) else {
            throw Failure(status: .badRequest, description: "status must be one of \(Open311Status.known.keys.sorted().joined(separator: ", "))")
        }
        let note = field("description")?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (note?.count ?? 0) <= 2_000 else { throw Failure(status: .badRequest, description: "description is longer than 2000 characters") }
        if let raw = field("updated_datetime") { _ = try date(raw, "updated_datetime") }
        guard try await dependencies.tickets.ticket(number) != nil else {
            throw Failure(status: .notFound, description: "no service request '\(id.prefix(40))'")
        }
        let actor = "open311:\(token.id):\(updateID)"
        // A back end retrying an update it already sent: the same answer, nothing changes.
        if try await dependencies.tickets.history(of: number).contains(where: { $0.actor == actor }) {
            return .list("service_request_updates", "request_update", [.object([("update_id", .string(updateID))])])
        }
        let change = TicketChange(status: status, statusNote: note?.isEmpty == false ? note : nil, resolution: resolution)
        let outreach = dependencies.outreach
        _ = try await dependencies.tickets.update(number, change, actor: actor, at: dependencies.clock()) { ticket, events in
            outreach.jobs(after: events, ticket: ticket)
        }
        return .list("service_request_updates", "request_update", [.object([("update_id", .string(updateID))])])
    }

    /// The form of a POST with a valid `api_key` (an open311 or admin token), query parameters included.
    func authorizedForm(_ request: Request) async throws -> ([(String, String)], StaffToken) {
        guard let body = try await request.body(upTo: 64 * 1024) else {
            throw Failure(status: .contentTooLarge, description: "the request is larger than 64 KB")
        }
        var form: [(String, String)]
        do {
            form = try FormBody(body).parameters.filter { !$0.1.isEmpty }
        } catch let malformed as FormBody.Malformed {
            throw Failure(status: .badRequest, description: "the body is not a valid form (application/x-www-form-urlencoded): \(malformed)")
        }
        for (key, value) in Self.query(request) where !form.contains(where: { $0.0 == key }) { form.append((key, value)) }
        guard let key = form.first(where: { $0.0 == "api_key" })?.1, let token = try await dependencies.tokens.token(hash: StaffTokenHash.hash(key)),
              token.role == .open311 || token.role == .admin else {
            throw Failure(status: .forbidden, description: "api_key is missing or not valid")
        }
        return (form, token)
    }
}
