import CityModel
import Foundation
import GRDB
import Localization
import Messaging
import Storage

/// Area-notice subscriptions as rows (see the `v13: area notices` migration).
enum AlertRows {
    static func save(_ write: AlertWrite, _ db: Database) throws {
        switch write {
        case .subscribe(let subscription):
            let place = subscription.place
            try db.run("""
                INSERT INTO alert_subscriptions (channel, address, matched, latitude, longitude, topic, locale, source, consented_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (channel, address, matched, topic) DO UPDATE SET latitude = excluded.latitude,
                    longitude = excluded.longitude, locale = excluded.locale, source = excluded.source, consented_at = excluded.consented_at
                """, [subscription.address.channel.rawValue, subscription.address.address, place.matched, place.point.latitude,
                      place.point.longitude, place.topic ?? "", subscription.locale?.code, subscription.source,
                      subscription.consentedAt.timeIntervalSince1970])
        case .unsubscribeAll(let address):
            try db.run("DELETE FROM alert_subscriptions WHERE channel = ? AND address = ?", [address.channel.rawValue, address.address])
        }
    }
}

extension SQLiteStore: AlertStore {
    public func alertSubscriptions(of address: ChannelAddress) async throws -> [AlertSubscription] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM alert_subscriptions WHERE channel = ? AND address = ? ORDER BY id",
                             arguments: [address.channel.rawValue, address.address]).map { row in
                let topic: String = row["topic"]
                return AlertSubscription(
                    address: address,
                    place: AlertPlace(matched: row["matched"], point: Coordinate(latitude: row["latitude"], longitude: row["longitude"]),
                                      topic: topic.isEmpty ? nil : topic),
                    locale: (row["locale"] as String?).map(LanguageTag.init), source: row["source"],
                    consentedAt: Date(timeIntervalSince1970: row["consented_at"])
                )
            }
        }
    }

    public func alertSubscribers(in box: GeoBox?, topic: String?) async throws -> [AlertSubscriber] {
        try await read { db in
            // The box is a range on the indexed latitude, then longitude: the exact area is the caller's to test.
            var sql = """
                SELECT s.channel, s.address, s.latitude, s.longitude, s.topic, COALESCE(c.locale, s.locale) AS locale,
                       COALESCE(a.opted_out, 0) AS opted_out, c.time_zone
                FROM alert_subscriptions s
                LEFT JOIN contact_addresses a ON a.channel = s.channel AND a.address = s.address
                LEFT JOIN contacts c ON c.id = a.contact_id
                WHERE 1
                """
            var arguments: StatementArguments = []
            if let box {
                sql += " AND s.latitude BETWEEN ? AND ? AND s.longitude BETWEEN ? AND ?"
                arguments += [box.minLatitude, box.maxLatitude, box.minLongitude, box.maxLongitude]
            }
            if let topic {
                sql += " AND s.topic IN ('', ?)"
                arguments += [topic]
            }
            var found: [AlertSubscriber] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                guard let channel = Channel(rawValue: row[0]) else { continue }
                let topic: String = row[4]
                found.append(AlertSubscriber(
                    address: ChannelAddress(channel: channel, address: row[1]), point: Coordinate(latitude: row[2], longitude: row[3]),
                    topic: topic.isEmpty ? nil : topic, locale: (row[5] as String?).map(LanguageTag.init), optedOut: row[6],
                    timeZone: row[7]
                ))
            }
            return found
        }
    }

    public func createNotice(_ notice: NewNotice, deliveries: [NoticeDelivery]) async throws -> Int64 {
        let messages = Dictionary(uniqueKeysWithValues: notice.messages.map { ($0.key.code, $0.value) })
        let messagesJSON = try StoredJSON.encode(messages)
        let encoded = try NoticeEncoding.encode(deliveries.map(\.message))
        return try await pool.write { db in
            try db.run("""
                INSERT INTO notices (area, messages, emergency, topic, created_by, created_at, suppressed_opt_out)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [notice.area, messagesJSON, notice.emergency, notice.topic, notice.createdBy, notice.createdAt.timeIntervalSince1970,
                      notice.suppressedOptOut])
            let id = db.lastInsertedRowID
            let at = notice.createdAt.timeIntervalSince1970
            // One prepared statement each, reused for every recipient, in this one transaction.
            let outbox = try db.cachedStatement(sql: """
                INSERT INTO outbox (channel, address, data, created_at, due_at, state, notice_id) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            let log = try db.cachedStatement(sql: """
                INSERT INTO messages (direction, channel, address, inline, data, created_at) VALUES ('out', ?, ?, 0, ?, ?)
                """)
            for (delivery, json) in zip(deliveries, encoded) {
                let to = delivery.message.to
                try log.execute(arguments: [to.channel.rawValue, to.address, json, at])
                try outbox.execute(arguments: [to.channel.rawValue, to.address, json, at, delivery.dueAt.timeIntervalSince1970,
                                               delivery.held ? "held" : "pending", id])
            }
            return id
        }
    }

    public func notice(_ id: Int64) async throws -> NoticeRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM notices WHERE id = ?", arguments: [id]).map { try Self.noticeRecord($0, db) }
        }
    }

    public func notices(limit: Int) async throws -> [NoticeRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notices ORDER BY id DESC LIMIT ?", arguments: [limit]).map { try Self.noticeRecord($0, db) }
        }
    }

    public func cancelNotice(_ id: Int64, at date: Date) async throws -> Int? {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM notices WHERE id = ?", arguments: [id]) != nil else { return nil }
            try db.run("UPDATE notices SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL", [date.timeIntervalSince1970, id])
            try db.run("UPDATE outbox SET state = 'cancelled' WHERE notice_id = ? AND state IN ('pending', 'held')", [id])
            return db.changesCount
        }
    }

    private static func noticeRecord(_ row: Row, _ db: Database) throws -> NoticeRecord {
        let id: Int64 = row["id"]
        let texts = try StoredJSON.decode([String: String].self, row["messages"])
        let notice = NewNotice(
            area: row["area"], messages: Dictionary(uniqueKeysWithValues: texts.map { (LanguageTag($0.key), $0.value) }),
            emergency: row["emergency"], topic: row["topic"], createdBy: row["created_by"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]), suppressedOptOut: row["suppressed_opt_out"]
        )
        var counts = NoticeCounts()
        counts.suppressedOptOut = notice.suppressedOptOut
        counts.targeted = notice.suppressedOptOut
        let states = try Row.fetchAll(db, sql: """
            SELECT state, state = 'dead' AND last_error LIKE ? || '%' AS opted_out, count(*) AS n
            FROM outbox WHERE notice_id = ? GROUP BY 1, 2
            """, arguments: [NoticeCounts.optOutReason, id])
        for state in states {
            guard let value = OutboxEntry.State(rawValue: state["state"]) else { continue }
            let optedOut: Bool = state["opted_out"]
            counts.count(value, error: optedOut ? NoticeCounts.optOutReason : nil, entries: state["n"])
        }
        return NoticeRecord(id: id, notice: notice, cancelledAt: (row["cancelled_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                            counts: counts)
    }
}
