import CityModel
import Foundation

/// What the KPIs group by (`group_by=`).
public enum ReportGrouping: String, Sendable, CaseIterable, Codable {
    case language, channel, service, department, jurisdiction, area
}

/// Which tickets and contacts a report covers: those whose first contact lies in `[from, to)`, of the given
/// departments (a staff token's scope; nil: all).
public struct ReportQuery: Hashable, Sendable {
    public var from: Date?
    public var to: Date?
    public var departments: Set<String>?

    public init(from: Date? = nil, to: Date? = nil, departments: Set<String>? = nil) {
        self.from = from
        self.to = to
        self.departments = departments
    }

    public func covers(_ date: Date) -> Bool {
        (from.map { date >= $0 } ?? true) && (to.map { date < $0 } ?? true)
    }

    public func covers(department: String?) -> Bool {
        guard let departments else { return true }
        return department.map(departments.contains) ?? false
    }
}

/// One ticket as the KPIs see it: where it belongs and its times, nothing personal (no address, no words).
public struct TicketFact: Hashable, Sendable {
    public var trackingNumber: String
    public var serviceCode: String
    public var department: String
    public var jurisdiction: String
    public var area: String?
    public var locale: String
    public var channel: String
    public var status: TicketStatus
    /// The resident's first message about it (or its filing), seconds since 1970.
    public var firstContact: Double
    public var requestedAt: Double
    public var expectedAt: Double?
    public var closedAt: Double?
    /// The satisfaction survey's answers, when given: 1…5 and "is it fixed?".
    public var rating: Int?
    public var fixed: String?
    public var reopened: Int

    public init(trackingNumber: String, serviceCode: String, department: String, jurisdiction: String, area: String?,
                locale: String, channel: String, status: TicketStatus, firstContact: Double, requestedAt: Double,
                expectedAt: Double?, closedAt: Double?, rating: Int? = nil, fixed: String? = nil, reopened: Int = 0) {
        self.trackingNumber = trackingNumber
        self.serviceCode = serviceCode
        self.department = department
        self.jurisdiction = jurisdiction
        self.area = area
        self.locale = locale
        self.channel = channel
        self.status = status
        self.firstContact = firstContact
        self.requestedAt = requestedAt
        self.expectedAt = expectedAt
        self.closedAt = closedAt
        self.rating = rating
        self.fixed = fixed
        self.reopened = reopened
    }

    /// The ticket's facts; the survey comes from elsewhere.
    public init(_ ticket: Ticket, rating: Int? = nil, fixed: String? = nil) {
        self.init(
            trackingNumber: ticket.trackingNumber.digits, serviceCode: ticket.draft.serviceCode, department: ticket.department,
            jurisdiction: ticket.draft.jurisdiction, area: ticket.draft.area, locale: ticket.draft.locale.description,
            channel: ticket.draft.channel.rawValue, status: ticket.status,
            firstContact: ticket.draft.firstContact.timeIntervalSince1970, requestedAt: ticket.draft.requestedAt.timeIntervalSince1970,
            expectedAt: ticket.draft.expectedAt.timeIntervalSince1970, closedAt: ticket.closedAt?.timeIntervalSince1970,
            rating: rating, fixed: fixed, reopened: ticket.reopenCount ?? 0
        )
    }

    /// Hours from the first contact to closing, for a closed ticket.
    public var hoursToClose: Double? { KPIFact(self).hoursToClose }

    /// Closed by the time the service promised (its SLA, counted from the filing); nil while open.
    public var metSLA: Bool? { KPIFact(self).metSLA }

    /// The value this ticket is grouped under (`unknown` where it has none, e.g. no point for an area).
    public func key(_ grouping: ReportGrouping) -> String {
        switch grouping {
        case .language: locale
        case .channel: channel
        case .service: serviceCode
        case .department: department
        case .jurisdiction: jurisdiction
        case .area: area ?? ReportKey.unknown
        }
    }
}

public enum ReportKey {
    /// The group of tickets without a value (no point, so no area).
    public static let unknown = "unknown"
}

/// One "call 911" (or 988) answer, as the KPIs count it.
public struct EmergencyFact: Hashable, Sendable {
    public var channel: String
    public var locale: String?
    public var at: Double
    public init(channel: String, locale: String?, at: Double) {
        self.channel = channel
        self.locale = locale
        self.at = at
    }
}

/// One request for a person: when it was made and when an operator first answered.
public struct HandoffFact: Hashable, Sendable {
    public var channel: String
    public var locale: String?
    public var department: String?
    public var openedAt: Double
    public var firstReplyAt: Double?
    public init(channel: String, locale: String?, department: String?, openedAt: Double, firstReplyAt: Double?) {
        self.channel = channel
        self.locale = locale
        self.department = department
        self.openedAt = openedAt
        self.firstReplyAt = firstReplyAt
    }
}

/// A report a resident started and left (cancelled, started over, or let expire) without a ticket.
public struct AbandonedFact: Hashable, Sendable {
    public var channel: String
    public var at: Double
    public init(channel: String, at: Double) {
        self.channel = channel
        self.at = at
    }
}
