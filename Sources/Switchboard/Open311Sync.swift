import CityModel
import Foundation
import Logging
import Outreach
import ServiceLifecycle
import Storage

/// A status change a department's Open311 server reports about one of its requests.
public struct RemoteUpdate: Hashable, Sendable {
    /// mySociety's `update_id` (nil when read from the request's own status).
    public var updateID: String?
    public var requestID: String
    /// `open`, `closed`, or an extended status (`FIXED`, `ACTION_SCHEDULED` …).
    public var status: String
    public var description: String?
    public var at: Date?

    public init(updateID: String?, requestID: String, status: String, description: String?, at: Date?) {
        self.updateID = updateID
        self.requestID = requestID
        self.status = status
        self.description = description
        self.at = at
    }
}

/// What CityLine reads from a department's Open311 server (the adapter speaks HTTP).
public protocol Open311Remote: Sendable {
    /// mySociety's `GET servicerequestupdates` between two times; nil when the server has no such extension.
    func updates(_ endpoint: Open311Endpoint, from start: Date, to end: Date) async throws -> [RemoteUpdate]?
    /// `GET requests?service_request_id=…`: each request's current status.
    func requests(_ endpoint: Open311Endpoint, ids: [String]) async throws -> [RemoteUpdate]
    /// `GET tokens/{token}`: the id of a request the server first answered with a token; nil while it has none.
    func requestID(_ endpoint: Open311Endpoint, token: String) async throws -> String?
}

/// Brings departments' Open311 status changes home: every department's `poll` interval, tokens become ids, the
/// server's updates since a little before the last round are applied (each `update_id` once), and the requests
/// still open here are checked against their status there (a server without the updates extension, or an update
/// missed while one side was down). A change is made like a staff change — residents and followers hear of it in
/// their language, "closed" starts the survey — by actor `open311:<department>:<update>`.
public struct Open311Sync: ServiceLifecycle.Service, CustomStringConvertible {
    /// Its name only: ServiceLifecycle logs each service as `"\(service)"`, and the default description would
    /// print every field — the city, the store, the transports with their credentials.
    public var description: String { "Open311Sync" }

    let city: City
    let store: any TicketStore & ExternalLinkStore
    let remote: any Open311Remote
    let policy: OutreachPolicy
    let logger: Logger
    let clock: @Sendable () -> Date

    public init(city: City, store: any TicketStore & ExternalLinkStore, remote: any Open311Remote, policy: OutreachPolicy, logger: Logger,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.city = city
        self.store = store
        self.remote = remote
        self.policy = policy
        self.logger = logger
        self.clock = clock
    }

    var departments: [(code: String, endpoint: Open311Endpoint)] {
        city.departments.compactMap { department in department.open311.map { (department.code, $0) } }
    }

    public func run() async throws {
        let interval = departments.map(\.endpoint.pollInterval).min() ?? 300
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                _ = try await round()
            } catch {
                logger.warning("open311 poll failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(interval))
        }
    }

    /// One round over every department with an Open311 server; the number of changes made.
    @discardableResult
    public func round() async throws -> Int {
        var changes = 0
        for (department, endpoint) in departments {
            do {
                changes += try await sync(department, endpoint)
            } catch {
                logger.warning("open311 poll failed", metadata: ["department": "\(department)", "error": "\(error)"])
            }
        }
        return changes
    }

    func sync(_ department: String, _ endpoint: Open311Endpoint) async throws -> Int {
        let system = Open311Filing.system(department)
        let now = clock()
        var links = try await store.openLinks(system: system, limit: 1_000)
        for index in links.indices where links[index].externalID == nil {
            guard let token = links[index].token, let id = try await remote.requestID(endpoint, token: token) else { continue }
            links[index].externalID = id
            try await store.saveLink(links[index], at: now)
        }
        var changes = 0
        let lookback = max(3 * Double(endpoint.pollInterval), 3_600)
        if let updates = try await remote.updates(endpoint, from: now.addingTimeInterval(-lookback), to: now) {
            for update in updates.sorted(by: { ($0.at ?? .distantPast) < ($1.at ?? .distantPast) }) {
                guard let ticket = try await store.ticket(system: system, externalID: update.requestID) else { continue }
                if try await apply(update, to: ticket, department: department, at: now) { changes += 1 }
            }
        }
        let known = links.compactMap { link in link.externalID.map { ($0, link.ticket) } }
        for batch in stride(from: 0, to: known.count, by: 50).map({ Array(known[$0..<min($0 + 50, known.count)]) }) {
            let tickets = Dictionary(batch, uniquingKeysWith: { first, _ in first })
            for state in try await remote.requests(endpoint, ids: batch.map(\.0)) {
                guard let ticket = tickets[state.requestID] else { continue }
                if try await apply(state, to: ticket, department: department, at: now, onlyIfDifferent: true) { changes += 1 }
            }
        }
        return changes
    }

    /// Applies one update unless it was applied before (its actor is in the ticket's history) or, for a request's
    /// own status, unless the ticket already has it.
    func apply(_ update: RemoteUpdate, to number: TrackingNumber, department: String, at now: Date, onlyIfDifferent: Bool = false) async throws -> Bool {
        guard let (status, resolution) = Open311Status.read(update.status), let ticket = try await store.ticket(number) else { return false }
        let note = update.description?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(2_000).description
        if onlyIfDifferent || update.updateID == nil {
            guard status != ticket.status else { return false }
        }
        let actor = "open311:\(department):" + (update.updateID ?? "status-\(status.rawValue)-\(Int((update.at ?? now).timeIntervalSince1970))")
        if try await store.history(of: number).contains(where: { $0.actor == actor }) { return false }
        // Nothing new: the same status, with no note or the note the ticket already shows (the same change seen
        // first through the request's own status, then as an update).
        if status == ticket.status, (note?.isEmpty ?? true) || note == ticket.publicNote { return false }
        let change = TicketChange(status: status, statusNote: note?.isEmpty == false ? note : nil, resolution: resolution)
        let policy = self.policy
        let changed = try await store.update(number, change, actor: actor, at: now) { ticket, events in policy.jobs(after: events, ticket: ticket) }
        if changed != nil {
            logger.info("open311 status applied", metadata: ["ticket.id": "\(number)", "department": "\(department)", "status": "\(status.rawValue)"])
        }
        return changed != nil
    }
}
