import CityModel
import Conversation
import Foundation
import Reports

/// Something the ticket facts of a report are poured into, one at a time (the KPIs, a trend, a CSV export): the
/// store streams them, so a million tickets never sit in memory as tickets.
public protocol TicketFactSink: Sendable {
    mutating func add(_ fact: TicketFact)
}

extension KPIAccumulator: TicketFactSink {}
extension TrendAccumulator: TicketFactSink {}

/// Every fact, in the store's order (the CSV export sorts them).
public struct TicketFactList: TicketFactSink {
    public var facts: [TicketFact] = []
    public init() {}
    public mutating func add(_ fact: TicketFact) { facts.append(fact) }
}

/// Two sinks fed in one pass.
public struct BothSinks<First: TicketFactSink, Second: TicketFactSink>: TicketFactSink {
    public var first: First
    public var second: Second
    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }
    public mutating func add(_ fact: TicketFact) {
        first.add(fact)
        second.add(fact)
    }
}

/// The contacts that are not tickets, for the KPIs: "call 911" answers, requests for a person, reports left
/// unfinished. Nothing personal: channel, language, times.
public struct ContactFacts: Hashable, Sendable {
    public var emergencies: [EmergencyFact]
    public var handoffs: [HandoffFact]
    public var abandoned: [AbandonedFact]
    public init(emergencies: [EmergencyFact] = [], handoffs: [HandoffFact] = [], abandoned: [AbandonedFact] = []) {
        self.emergencies = emergencies
        self.handoffs = handoffs
        self.abandoned = abandoned
    }
}

/// What the KPIs, the dashboard and the CSV export read.
public protocol ReportStore: Sendable {
    /// Pours the facts of every ticket the query covers (by first contact) into `sink`, in no particular order.
    func reduceTicketFacts<Sink: TicketFactSink>(_ query: ReportQuery, into sink: Sink) async throws -> Sink
    /// The emergencies, handoffs and abandoned reports of the query's period (departments: handoffs of those only,
    /// and no emergencies or abandoned reports, which belong to no department).
    func contactFacts(_ query: ReportQuery) async throws -> ContactFacts
    /// The KPIs of `query`, grouped (nil: the city-wide row only). Stores may read less than every fact to get
    /// them (SQLite reads the grouping's column and the times only); the result is the same.
    func kpis(_ query: ReportQuery, grouping: ReportGrouping?) async throws -> KPIReport
}

extension ReportStore {
    public func kpis(_ query: ReportQuery, grouping: ReportGrouping?) async throws -> KPIReport {
        try await addingContacts(query, to: reduceTicketFacts(query, into: KPIAccumulator(grouping: grouping)))
    }

    /// The report of `accumulator` once the contacts of `query` (emergencies, handoffs, abandoned reports) are in.
    public func addingContacts(_ query: ReportQuery, to accumulator: KPIAccumulator) async throws -> KPIReport {
        var accumulator = accumulator
        accumulator.add(try await contactFacts(query))
        return accumulator.report()
    }
}

extension KPIAccumulator {
    /// The contacts that are not tickets: emergencies, handoffs, abandoned reports.
    public mutating func add(_ contacts: ContactFacts) {
        for fact in contacts.emergencies { add(fact) }
        for fact in contacts.handoffs { add(fact) }
        for fact in contacts.abandoned { add(fact) }
    }
}

extension EndReason {
    /// A report the resident started and left without a ticket.
    public var abandonsReport: Bool { self == .cancelled || self == .restarted || self == .expired }
}
