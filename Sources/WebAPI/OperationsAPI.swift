import CityModel
import Foundation
import Hummingbird
import Outreach
import Storage

/// What operators (admin tokens) need to keep outbound flowing: the dead letters of the outbox and the job queue,
/// with the reason each gave up, and a way to send one again once its cause is fixed (a provider outage, a wrong
/// address, a department's endpoint that was down).
///
/// `GET /api/v1/outbox?state=dead|held|pending|sending|sent&limit=` — newest first; the recipient's address masked,
/// no message bodies. `POST /api/v1/outbox/{id}/retry` — a dead entry goes again (opt-out and quiet hours still
/// apply); 409 when it is not dead. `GET /api/v1/jobs?state=…` and `POST /api/v1/jobs/{id}/retry` likewise.
struct OperationsAPI: Sendable {
    typealias Guard = @Sendable (Request, (StaffToken) async throws -> Response) async throws -> Response
    let dependencies: WebAPIDependencies

    init(_ dependencies: WebAPIDependencies) { self.dependencies = dependencies }

    func register(on router: Router<WebContext>, guarded: @escaping Guard) {
        router.get("/api/v1/outbox") { request, _ in
            try await guarded(request) { token in try await self.listOutbox(request, token) }
        }
        router.post("/api/v1/outbox/:id/retry") { request, context in
            try await guarded(request) { token in try await self.retryOutbox(context.parameters.get("id") ?? "", token) }
        }
        guard let jobs = dependencies.jobs else { return }
        router.get("/api/v1/jobs") { request, _ in
            try await guarded(request) { token in try await self.listJobs(request, token, jobs) }
        }
        router.post("/api/v1/jobs/:id/retry") { request, context in
            try await guarded(request) { token in try await self.retryJob(context.parameters.get("id") ?? "", token, jobs) }
        }
    }

    private func adminOnly(_ token: StaffToken) throws {
        guard token.role == .admin else { throw APIProblem(.forbidden, "forbidden", "outbound operations need an admin token") }
    }

    private func limit(_ request: Request) throws -> Int {
        guard let raw = request.uri.queryParameters["limit"].map(String.init) else { return 100 }
        guard let limit = Int(raw), (1...1000).contains(limit) else {
            throw APIProblem(.badRequest, "invalid_limit", "limit must be 1 to 1000")
        }
        return limit
    }

    private func id(_ raw: String) throws -> Int64 {
        guard let id = Int64(raw), id > 0 else { throw APIProblem(.notFound, "not_found", "'\(raw)' is not an id") }
        return id
    }

    // MARK: - Outbox

    private func listOutbox(_ request: Request, _ token: StaffToken) async throws -> Response {
        try adminOnly(token)
        let raw = request.uri.queryParameters["state"].map(String.init) ?? "dead"
        guard let state = OutboxEntry.State(rawValue: raw) else {
            throw APIProblem(.badRequest, "invalid_state", "state must be pending, sending, held, sent, dead or cancelled")
        }
        let entries = try await dependencies.outbox.outboxEntries(state: state, limit: try limit(request))
        return JSONResponse.make(["outbox": entries.map(Self.json)])
    }

    private func retryOutbox(_ raw: String, _ token: StaffToken) async throws -> Response {
        try adminOnly(token)
        let id = try id(raw)
        guard try await dependencies.outbox.outboxEntry(id) != nil else { throw APIProblem(.notFound, "not_found", "no outbox entry \(id)") }
        guard try await dependencies.outbox.requeue(id, at: dependencies.clock()) else {
            throw APIProblem(.conflict, "not_dead", "outbox entry \(id) is not dead-lettered")
        }
        dependencies.logger.notice("outbox entry requeued", metadata: ["outbox.id": "\(id)", "staff.token": "\(token.id)"])
        guard let entry = try await dependencies.outbox.outboxEntry(id) else { throw APIProblem(.notFound, "not_found", "no outbox entry \(id)") }
        return JSONResponse.make(Self.json(entry))
    }

    static func json(_ entry: OutboxEntry) -> [String: Any] {
        [
            "id": entry.id, "channel": entry.message.to.channel.rawValue, "to": entry.message.to.masked,
            "kind": entry.message.kind.rawValue, "ticket_id": entry.message.ticket?.digits ?? NSNull(),
            "state": entry.state.rawValue, "attempts": entry.attempts, "last_error": entry.lastError ?? NSNull(),
            "created_at": TicketJSON.iso(entry.createdAt), "due_at": TicketJSON.iso(entry.dueAt),
            "delivery_status": entry.deliveryStatus ?? NSNull(),
        ]
    }

    // MARK: - Jobs

    private func listJobs(_ request: Request, _ token: StaffToken, _ jobs: any JobStore) async throws -> Response {
        try adminOnly(token)
        let raw = request.uri.queryParameters["state"].map(String.init) ?? "dead"
        guard let state = Job.State(rawValue: raw) else {
            throw APIProblem(.badRequest, "invalid_state", "state must be pending, running, done or dead")
        }
        return JSONResponse.make(["jobs": try await jobs.jobs(state: state, limit: try limit(request)).map(Self.json)])
    }

    private func retryJob(_ raw: String, _ token: StaffToken, _ jobs: any JobStore) async throws -> Response {
        try adminOnly(token)
        let id = try id(raw)
        guard try await jobs.requeueJob(id, at: dependencies.clock()) else {
            throw APIProblem(.conflict, "not_dead", "job \(id) is not dead-lettered (or does not exist)")
        }
        dependencies.logger.notice("job requeued", metadata: ["job.id": "\(id)", "staff.token": "\(token.id)"])
        return JSONResponse.make(["id": id, "state": "pending"])
    }

    static func json(_ job: Job) -> [String: Any] {
        [
            "id": job.id, "kind": job.work.kind, "ticket_id": job.work.ticket.digits, "state": job.state.rawValue,
            "attempts": job.attempts, "due_at": TicketJSON.iso(job.dueAt), "note": job.note ?? NSNull(),
        ]
    }
}
