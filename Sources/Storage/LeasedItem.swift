import Foundation

/// An item of a leased queue — an outbox entry or a job — as the one queue mechanism sees it: pending until due,
/// leased while being worked on (due again when the lease runs out), dead when given up.
public protocol LeasedItem: Sendable {
    var id: Int64 { get }
    var dueAt: Date { get set }
    var attempts: Int { get set }
    /// Waiting to be claimed (due or not yet).
    var isPending: Bool { get }
    /// Claimed by a worker; claimable again once `dueAt` (the lease's end) has passed.
    var isLeased: Bool { get }
    var isDead: Bool { get }
    /// Marks the item leased (its own state name).
    mutating func markLeased()
    /// Marks the item pending.
    mutating func markPending()
}

extension LeasedItem {
    /// This item claimed until `leaseUntil`: leased, one attempt more.
    public func leased(until leaseUntil: Date) -> Self {
        var item = self
        item.markLeased()
        item.attempts += 1
        item.dueAt = leaseUntil
        return item
    }

    /// A dead item put back: pending, due at `date`, attempts from zero; nil when it is not dead.
    public func requeued(at date: Date) -> Self? {
        guard isDead else { return nil }
        var item = self
        item.markPending()
        item.attempts = 0
        item.dueAt = date
        return item
    }

    /// Whether a worker may claim it at `now`: pending and due, or leased with the lease run out.
    public func isClaimable(at now: Date) -> Bool { (isPending || isLeased) && dueAt <= now }
}

extension OutboxEntry: LeasedItem {
    public var isPending: Bool { state == .pending }
    public var isLeased: Bool { state == .sending }
    public var isDead: Bool { state == .dead }
    public mutating func markLeased() { state = .sending }
    public mutating func markPending() { state = .pending }
}

extension Job: LeasedItem {
    public var isPending: Bool { state == .pending }
    public var isLeased: Bool { state == .running }
    public var isDead: Bool { state == .dead }
    public mutating func markLeased() { state = .running }
    public mutating func markPending() { state = .pending }
}
