import CityModel
import Conversation
import Foundation
import GRDB
import Messaging
import Storage

/// Outbox rows: the message as JSON plus the dispatch state.
enum OutboxRows {
    static func enqueue(_ message: RenderedMessage, at date: Date, encoded: String? = nil, _ db: Database) throws {
        try db.run("INSERT INTO outbox (channel, address, data, created_at, due_at) VALUES (?, ?, ?, ?, ?)",
                   [message.to.channel.rawValue, message.to.address, try encoded ?? StoredJSON.encode(message), date.timeIntervalSince1970,
                    date.timeIntervalSince1970])
    }

    static func entry(_ row: Row) throws -> OutboxEntry {
        var entry = OutboxEntry(
            id: row["id"], message: try StoredJSON.decode(RenderedMessage.self, row["data"]),
            createdAt: Date(timeIntervalSince1970: row["created_at"]), dueAt: Date(timeIntervalSince1970: row["due_at"]),
            attempts: row["attempts"], state: OutboxEntry.State(rawValue: row["state"]) ?? .pending, lastError: row["last_error"],
            providerID: row["provider_id"], deliveryStatus: row["delivery_status"]
        )
        entry.notice = row["notice_id"]
        return entry
    }
}

extension SQLiteStore {
    /// Queues a message outside a turn (e.g. a notice from staff actions).
    @discardableResult
    public func enqueue(_ message: RenderedMessage, at date: Date) async throws -> Int64 {
        try await pool.write { db in
            try OutboxRows.enqueue(message, at: date, db)
            return db.lastInsertedRowID
        }
    }

    public func claimDue(now: Date, limit: Int, leaseUntil: Date) async throws -> [OutboxEntry] {
        try await pool.write { db in
            // Pending entries that are due, and entries whose lease ran out (their dispatcher died) — but only the
            // oldest unfinished message of each recipient, so a message waiting for a retry holds back the later ones
            // (one held for quiet hours does not, until it is due).
            // The recipient's opt-out and time zone come along, so the dispatcher checks them without another read.
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT o.*, CASE WHEN a.opted_out = 1 THEN a.opted_out_at END AS recipient_opted_out_at,
                       c.time_zone AS recipient_time_zone
                FROM outbox o
                LEFT JOIN contact_addresses a ON a.channel = o.channel AND a.address = o.address
                LEFT JOIN contacts c ON c.id = a.contact_id
                WHERE o.state IN ('pending', 'sending', 'held') AND o.due_at <= ?1
                AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.channel = o.channel AND p.address = o.address AND p.id < o.id
                                AND (p.state IN ('pending', 'sending') OR (p.state = 'held' AND p.due_at <= ?1)))
                ORDER BY o.due_at, o.id LIMIT ?2
                """), arguments: [now.timeIntervalSince1970, limit])
            let entries = try rows.map { row in
                var entry = try OutboxRows.entry(row)
                entry.recipientOptedOutAt = (row["recipient_opted_out_at"] as Double?).map(Date.init(timeIntervalSince1970:))
                entry.recipientTimeZone = row["recipient_time_zone"]
                entry.state = .sending
                entry.attempts += 1
                entry.dueAt = leaseUntil
                return entry
            }
            try LeasedQueueRows.lease(.outbox, ids: entries.map(\.id), leaseUntil: leaseUntil, now: now, db)
            return entries
        }
    }

    public func markSent(_ id: Int64, providerID: String?, at date: Date) async throws {
        try await committer.submit { db in
            try db.run("UPDATE outbox SET state = 'sent', provider_id = ?, last_error = NULL WHERE id = ?",
                           [providerID, id])
            // A receipt that came before this id was recorded (see `recordDelivery`) lands now.
            guard let providerID,
                  let early = try Row.fetchOne(db, sql: "SELECT status, error_code, received_at FROM early_receipts WHERE provider_id = ?",
                                               arguments: [providerID]) else { return }
            try db.run("DELETE FROM early_receipts WHERE provider_id = ?", [providerID])
            guard early["received_at"] as Double > DeliveryStatus.earlyReceiptCutoff(at: date) else { return }
            try Self.applyReceipt(outboxID: id, current: nil, status: early["status"], errorCode: early["error_code"], db)
        }
    }

    public func markRetry(_ id: Int64, error: String, retryAt: Date, held: Bool) async throws {
        try await committer.submit { db in
            try db.run("UPDATE outbox SET state = ?, last_error = ?, due_at = ? WHERE id = ?",
                       [held ? "held" : "pending", error, retryAt.timeIntervalSince1970, id])
        }
    }

    public func postpone(_ id: Int64, to date: Date) async throws {
        try await committer.submit { db in
            try db.run("UPDATE outbox SET state = 'held', attempts = attempts - 1, due_at = ? WHERE id = ?",
                       [date.timeIntervalSince1970, id])
        }
    }

    public func outboxEntries(state: OutboxEntry.State, limit: Int) async throws -> [OutboxEntry] {
        try await read { db in
            try LeasedQueueRows.rows(.outbox, state: state.rawValue, limit: limit, db).map(OutboxRows.entry)
        }
    }

    public func outboxCounts() async throws -> [OutboxEntry.State: Int] {
        try await read { db in
            try LeasedQueueRows.counts(.outbox, db).reduce(into: [:]) { counts, row in
                if let state = OutboxEntry.State(rawValue: row.key) { counts[state] = row.value }
            }
        }
    }

    public func requeue(_ id: Int64, at date: Date) async throws -> Bool {
        try await pool.write { db in try LeasedQueueRows.requeueDead(.outbox, id: id, at: date, db) }
    }

    public func markDead(_ id: Int64, error: String, at date: Date) async throws {
        try await committer.submit { db in
            try db.run("UPDATE outbox SET state = 'dead', last_error = ? WHERE id = ?", [error, id])
        }
    }

    public func recordDelivery(providerID: String, status: String, errorCode: String?, at date: Date) async throws -> Bool {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, delivery_status FROM outbox WHERE provider_id = ?",
                                             arguments: [providerID]) else {
                try Self.keepEarly(providerID: providerID, status: status, errorCode: errorCode, at: date, db)
                return false
            }
            try Self.applyReceipt(outboxID: row["id"], current: row["delivery_status"], status: status, errorCode: errorCode, db)
            return true
        }
    }

    /// Moves an entry's delivery status forward (never back) and records the provider's error code.
    private static func applyReceipt(outboxID: Int64, current: String?, status: String, errorCode: String?, _ db: Database) throws {
        guard DeliveryStatus.advances(from: current, to: status) else { return }
        try db.run("UPDATE outbox SET delivery_status = ?, last_error = COALESCE(?, last_error) WHERE id = ?",
                   [status.lowercased(), errorCode.map { "provider error \($0)" }, outboxID])
    }

    /// Keeps a receipt for a provider id no entry has yet (the furthest status, the last error code), and drops
    /// those older than `DeliveryStatus.earlyReceiptRetention`.
    private static func keepEarly(providerID: String, status: String, errorCode: String?, at date: Date, _ db: Database) throws {
        try db.run("DELETE FROM early_receipts WHERE received_at < ?", [DeliveryStatus.earlyReceiptCutoff(at: date)])
        let kept = try Row.fetchOne(db, sql: "SELECT status, error_code FROM early_receipts WHERE provider_id = ?", arguments: [providerID])
            .map { DeliveryStatus.Early(status: $0["status"], errorCode: $0["error_code"]) }
        let receipt = kept?.merging(status: status, errorCode: errorCode) ?? DeliveryStatus.Early(status: status, errorCode: errorCode)
        try db.run("INSERT OR REPLACE INTO early_receipts (provider_id, status, error_code, received_at) VALUES (?, ?, ?, ?)",
                   [providerID, receipt.status, receipt.errorCode, date.timeIntervalSince1970])
    }

    public func outboxEntry(_ id: Int64) async throws -> OutboxEntry? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]).map(OutboxRows.entry) }
    }
}
