import Foundation
import GRDB

/// The one leased-queue mechanism behind the outbox and the job queue, over their tables.
///
/// An item is `pending` until due; claiming leases it (`sending` / `running`, due again at the lease's end, one
/// attempt more), so an item whose worker died comes back by itself when the lease runs out — in this process or
/// another one. Each queue adds only what is its own: the outbox hands out one message per recipient at a time and
/// may hold one for quiet hours; a job may be postponed without counting an attempt.
enum LeasedQueueRows {
    /// The two queues' tables and the name each gives to an item being worked on.
    enum Queue {
        case outbox, jobs

        var table: String {
            switch self {
            case .outbox: "outbox"
            case .jobs: "jobs"
            }
        }

        var leasedState: String {
            switch self {
            case .outbox: "sending"
            case .jobs: "running"
            }
        }
    }

    /// Leases claimed items: leased state, one attempt more, due again when the lease ends.
    static func lease(_ queue: Queue, ids: [Int64], leaseUntil: Date, now: Date, _ db: Database) throws {
        let touch = queue == .jobs ? ", updated_at = \(now.timeIntervalSince1970)" : ""
        for id in ids {
            try db.run("UPDATE \(queue.table) SET state = '\(queue.leasedState)', attempts = attempts + 1, due_at = ?\(touch) WHERE id = ?",
                       [leaseUntil.timeIntervalSince1970, id])
        }
    }

    /// Puts a dead-lettered item back: pending, due at `date`, attempts from zero. False when it is not dead.
    static func requeueDead(_ queue: Queue, id: Int64, at date: Date, _ db: Database) throws -> Bool {
        let touch = queue == .jobs ? ", updated_at = \(date.timeIntervalSince1970)" : ""
        try db.run("UPDATE \(queue.table) SET state = 'pending', attempts = 0, due_at = ?\(touch) WHERE id = ? AND state = 'dead'",
                   [date.timeIntervalSince1970, id])
        return db.changesCount > 0
    }

    /// Items in `state`, newest first (the dead letters, the held ones, for operators).
    static func rows(_ queue: Queue, state: String, limit: Int, _ db: Database) throws -> [Row] {
        try Row.fetchAll(db, sql: "SELECT * FROM \(queue.table) WHERE state = ? ORDER BY id DESC LIMIT ?", arguments: [state, limit])
    }

    /// How many items are in each state (`state` is indexed first in both tables).
    static func counts(_ queue: Queue, _ db: Database) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM \(queue.table) GROUP BY state") {
            counts[row["state"]] = row["n"]
        }
        return counts
    }

    /// Frees every lease (only for a process that is alone with the database); returns how many.
    static func releaseAll(_ queue: Queue, at date: Date, _ db: Database) throws -> Int {
        try db.run("UPDATE \(queue.table) SET state = 'pending', due_at = MIN(due_at, ?) WHERE state = '\(queue.leasedState)'",
                   [date.timeIntervalSince1970])
        return db.changesCount
    }
}
