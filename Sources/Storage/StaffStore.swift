import CityModel
import Outreach
import Foundation

/// Which tickets a staff query wants.
public struct TicketFilter: Hashable, Sendable {
    public var statuses: [TicketStatus]?
    public var serviceCode: String?
    /// Only these departments (a staff token's scope, or the `department` filter).
    public var departments: Set<String>?
    public var updatedSince: Date?
    public var limit: Int

    public init(statuses: [TicketStatus]? = nil, serviceCode: String? = nil, departments: Set<String>? = nil,
                updatedSince: Date? = nil, limit: Int = 100) {
        self.statuses = statuses
        self.serviceCode = serviceCode
        self.departments = departments
        self.updatedSince = updatedSince
        self.limit = limit
    }

    public func matches(_ ticket: Ticket) -> Bool {
        (statuses?.contains(ticket.status) ?? true)
            && (serviceCode.map { $0 == ticket.draft.serviceCode } ?? true)
            && (departments?.contains(ticket.department) ?? true)
            && (updatedSince.map { ticket.updatedAt >= $0 } ?? true)
    }
}

/// A change staff make to a ticket; absent fields stay as they are.
public struct TicketChange: Hashable, Sendable, Codable {
    public var status: TicketStatus?
    public var statusNote: String?
    public var resolution: String?
    public var department: String?

    public init(status: TicketStatus? = nil, statusNote: String? = nil, resolution: String? = nil, department: String? = nil) {
        self.status = status
        self.statusNote = statusNote
        self.resolution = resolution
        self.department = department
    }

    /// Applies the change to `ticket` at `date`; returns the history entries it makes. A change the ticket already
    /// has (the same status, the same public note, the same resolution) makes none: a request repeated by a client
    /// or a second instance tells the resident nothing twice, and a closed ticket keeps the time it was closed.
    public func apply(to ticket: inout Ticket, at date: Date, actor: String) -> [TicketEvent] {
        var events: [TicketEvent] = []
        if let department, department != ticket.department {
            ticket.draft.department = department
            events.append(TicketEvent(kind: .department, at: date, department: department, actor: actor))
        }
        let newResolution = resolution.map { $0 != ticket.resolution } ?? false
        if let resolution { ticket.resolution = resolution }
        let newNote = statusNote.map { $0 != ticket.publicNote } ?? false
        if let status, status != ticket.status || newNote {
            let wasClosed = ticket.status == .closed
            if wasClosed, status != .closed { ticket.reopenCount = (ticket.reopenCount ?? 0) + 1 }
            if status != .closed { ticket.closedAt = nil } else if !wasClosed { ticket.closedAt = date }
            ticket.status = status
            if let statusNote { ticket.publicNote = statusNote }
            events.append(TicketEvent(kind: .status, at: date, status: status, note: statusNote, isPublic: statusNote != nil, actor: actor))
        } else if let statusNote, newNote {
            ticket.publicNote = statusNote
            events.append(TicketEvent(kind: .note, at: date, note: statusNote, isPublic: true, actor: actor))
        }
        if !events.isEmpty || newResolution { ticket.updatedAt = date }
        return events
    }
}

/// The staff side of tickets: listing, history, changes and notes.
public protocol TicketStore: Sendable {
    func tickets(_ filter: TicketFilter) async throws -> [Ticket]
    func ticket(_ number: TrackingNumber) async throws -> Ticket?
    /// Oldest first.
    func history(of number: TrackingNumber) async throws -> [TicketEvent]
    /// Applies `change` and schedules the jobs `plan` derives from the ticket and its new history entries, in
    /// one transaction (so a status change and its resident updates are never one without the other); nil when
    /// there is no such ticket.
    func update(_ number: TrackingNumber, _ change: TicketChange, actor: String, at date: Date,
                plan: @Sendable (Ticket, [TicketEvent]) -> [NewJob]) async throws -> Ticket?
    /// Stores a ticket created outside a dialog (staff API, back-end systems) with the rest of its plan (the
    /// reporter's new conversation, its jobs) in one transaction. With an `idempotencyKey` seen before, nothing is
    /// stored and the earlier ticket comes back (`created` false). Throws `StoreError.trackingNumberTaken` when
    /// the number is in use.
    func create(_ ticket: Ticket, idempotencyKey: String?, actor: String, plan: WritePlan) async throws -> (ticket: Ticket, created: Bool)
    /// Adds a note; nil when there is no such ticket.
    func addNote(to number: TrackingNumber, text: String, isPublic: Bool, actor: String, at date: Date) async throws -> TicketEvent?
}

extension TicketStore {
    /// Applies `change` without scheduling anything (tests, imports).
    public func update(_ number: TrackingNumber, _ change: TicketChange, actor: String, at date: Date) async throws -> Ticket? {
        try await update(number, change, actor: actor, at: date, plan: { _, _ in [] })
    }
}

/// What a staff API token may do.
public enum StaffRole: String, Sendable, Codable, CaseIterable {
    /// Every department, every ticket.
    case admin
    /// One department's tickets.
    case staff
    /// A back-end system or app speaking Open311 GeoReport v2 (`api_key`): files and reads requests there, nothing
    /// of the staff API.
    case open311
}

/// A staff API token as stored: only its SHA-256 hash, never the token.
public struct StaffToken: Hashable, Sendable, Codable {
    public var id: Int64
    public var role: StaffRole
    public var department: String?
    public var label: String?
    /// The languages this operator answers in (`--languages es,en`): conversations in them come first in their
    /// queue. Empty: no preference.
    public var languages: [LanguageTag]
    public var createdAt: Date

    public init(id: Int64, role: StaffRole, department: String?, label: String?, languages: [LanguageTag] = [], createdAt: Date) {
        self.id = id
        self.role = role
        self.department = department
        self.label = label
        self.languages = languages
        self.createdAt = createdAt
    }

    /// Whether this operator answers in `locale` (any operator does when they named no languages).
    public func speaks(_ locale: LanguageTag?) -> Bool {
        guard let locale else { return languages.isEmpty }
        return languages.isEmpty || languages.contains { $0 == locale || $0.language == locale.language }
    }

    /// Whether this token may see and change tickets of `department`.
    public func mayAccess(department: String) -> Bool { role == .admin || self.department == department }
}

public protocol TokenStore: Sendable {
    /// Stores a new token's hash; returns the stored token.
    func createToken(hash: String, role: StaffRole, department: String?, label: String?, languages: [LanguageTag], at date: Date) async throws
        -> StaffToken
    func token(hash: String) async throws -> StaffToken?
}

extension TokenStore {
    /// A token with no language preference.
    public func createToken(hash: String, role: StaffRole, department: String?, label: String?, at date: Date) async throws -> StaffToken {
        try await createToken(hash: hash, role: role, department: department, label: label, languages: [], at: date)
    }
}
