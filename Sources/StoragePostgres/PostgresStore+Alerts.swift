import CityModel
import Foundation
import Localization
import Logging
import Messaging
import PostgresNIO
import Storage

/// Area-notice subscriptions as rows (migration 2).
enum AlertRows {
    static func save(_ write: AlertWrite, _ db: PostgresConnection, _ logger: Logger) async throws {
        switch write {
        case .subscribe(let subscription):
            let place = subscription.place
            let (channel, address) = (subscription.address.channel.rawValue, subscription.address.address)
            try await db.run("""
                INSERT INTO alert_subscriptions (channel, address, matched, latitude, longitude, topic, locale, source, consented_at)
                VALUES (\(channel), \(address), \(place.matched), \(place.point.latitude), \(place.point.longitude), \(place.topic ?? ""),
                    \(subscription.locale?.code), \(subscription.source), \(subscription.consentedAt.timeIntervalSince1970))
                ON CONFLICT (channel, address, matched, topic) DO UPDATE SET latitude = excluded.latitude, longitude = excluded.longitude,
                    locale = excluded.locale, source = excluded.source, consented_at = excluded.consented_at
                """, logger)
        case .unsubscribeAll(let address):
            try await db.run("""
                DELETE FROM alert_subscriptions WHERE channel = \(address.channel.rawValue) AND address = \(address.address)
                """, logger)
        }
    }
}

extension PostgresStore: AlertStore {
    public func alertSubscriptions(of address: ChannelAddress) async throws -> [AlertSubscription] {
        try await read { db in
            try await db.rows("""
                SELECT matched, latitude, longitude, topic, locale, source, consented_at FROM alert_subscriptions
                WHERE channel = \(address.channel.rawValue) AND address = \(address.address) ORDER BY id
                """, logger).map { row in
                let (matched, latitude, longitude, topic, locale, source, consented) =
                    try row.decode((String, Double, Double, String, String?, String, Double).self)
                return AlertSubscription(address: address, place: AlertPlace(matched: matched, point: Coordinate(latitude: latitude, longitude: longitude),
                                                                             topic: topic.isEmpty ? nil : topic),
                                         locale: locale.map(LanguageTag.init), source: source, consentedAt: Date(timeIntervalSince1970: consented))
            }
        }
    }

    /// The box is a range on the indexed latitude, then longitude: the exact area is the caller's to test.
    public func alertSubscribers(in box: GeoBox?, topic: String?) async throws -> [AlertSubscriber] {
        let logger = logger
        return try await read { db in
            let rows = try await db.query("""
                SELECT s.channel, s.address, s.latitude, s.longitude, s.topic, COALESCE(c.locale, s.locale), COALESCE(a.opted_out, false), c.time_zone
                FROM alert_subscriptions s
                LEFT JOIN contact_addresses a ON a.channel = s.channel AND a.address = s.address
                LEFT JOIN contacts c ON c.id = a.contact_id
                WHERE (\(box == nil) OR (s.latitude BETWEEN \(box?.minLatitude ?? 0) AND \(box?.maxLatitude ?? 0)
                                          AND s.longitude BETWEEN \(box?.minLongitude ?? 0) AND \(box?.maxLongitude ?? 0)))
                  AND (\(topic)::text IS NULL OR s.topic IN ('', \(topic)))
                """, logger: logger)
            var found: [AlertSubscriber] = []
            for try await (channel, address, latitude, longitude, topic, locale, optedOut, timeZone)
                in rows.decode((String, String, Double, Double, String, String?, Bool, String?).self) {
                guard let channel = CityModel.Channel(rawValue: channel) else { continue }
                found.append(AlertSubscriber(address: ChannelAddress(channel: channel, address: address),
                                             point: Coordinate(latitude: latitude, longitude: longitude), topic: topic.isEmpty ? nil : topic,
                                             locale: locale.map(LanguageTag.init), optedOut: optedOut, timeZone: timeZone))
            }
            return found
        }
    }

    /// The notice and every recipient's copy (a message-log row and an outbox row each) in one transaction, the
    /// copies written as arrays, 10,000 per statement.
    public func createNotice(_ notice: NewNotice, deliveries: [NoticeDelivery]) async throws -> Int64 {
        let messages = try StoredJSON.encode(Dictionary(uniqueKeysWithValues: notice.messages.map { ($0.key.code, $0.value) }))
        let encoded = try NoticeEncoding.encode(deliveries.map(\.message))
        let at = notice.createdAt.timeIntervalSince1970
        return try await transaction { db in
            let id = try await db.rows("""
                INSERT INTO notices (area, messages, emergency, topic, created_by, created_at, suppressed_opt_out)
                VALUES (\(notice.area), \(messages), \(notice.emergency), \(notice.topic), \(notice.createdBy), \(at), \(notice.suppressedOptOut))
                RETURNING id
                """, logger)[0].decode(Int64.self)
            for start in stride(from: 0, to: deliveries.count, by: 10_000) {
                let range = start..<min(start + 10_000, deliveries.count)
                let channels = range.map { deliveries[$0].message.to.channel.rawValue }
                let addresses = range.map { deliveries[$0].message.to.address }
                let data = Array(encoded[range])
                let due = range.map { deliveries[$0].dueAt.timeIntervalSince1970 }
                let states = range.map { deliveries[$0].held ? "held" : "pending" }
                try await db.run("""
                    INSERT INTO messages (direction, channel, address, inline, data, created_at)
                    SELECT 'out', channel, address, false, data, \(at) FROM unnest(\(channels)::text[], \(addresses)::text[], \(data)::text[])
                        AS m(channel, address, data)
                    """, logger)
                try await db.run("""
                    INSERT INTO outbox (channel, address, data, created_at, due_at, state, notice_id)
                    SELECT channel, address, data, \(at), due, state, \(id)
                    FROM unnest(\(channels)::text[], \(addresses)::text[], \(data)::text[], \(due)::float8[], \(states)::text[])
                        AS o(channel, address, data, due, state)
                    """, logger)
            }
            return id
        }
    }

    public func notice(_ id: Int64) async throws -> NoticeRecord? {
        try await read { db in
            guard let row = try await db.rows("SELECT \(unescaped: Self.noticeColumns) FROM notices WHERE id = \(id)", logger).first else { return nil }
            return try await Self.noticeRecord(row, db, logger)
        }
    }

    public func notices(limit: Int) async throws -> [NoticeRecord] {
        try await read { db in
            var records: [NoticeRecord] = []
            for row in try await db.rows("SELECT \(unescaped: Self.noticeColumns) FROM notices ORDER BY id DESC LIMIT \(limit)", logger) {
                records.append(try await Self.noticeRecord(row, db, logger))
            }
            return records
        }
    }

    /// Withdraws the copies not yet handed to a transport (pending or held); those being sent still go.
    public func cancelNotice(_ id: Int64, at date: Date) async throws -> Int? {
        try await transaction { db in
            guard try await !db.rows("SELECT 1 FROM notices WHERE id = \(id) FOR UPDATE", logger).isEmpty else { return nil }
            try await db.run("UPDATE notices SET cancelled_at = \(date.timeIntervalSince1970) WHERE id = \(id) AND cancelled_at IS NULL", logger)
            return try await db.rows("""
                UPDATE outbox SET state = 'cancelled' WHERE notice_id = \(id) AND state IN ('pending', 'held') RETURNING 1
                """, logger).count
        }
    }

    static let noticeColumns = "id, area, messages, emergency, topic, created_by, created_at, suppressed_opt_out, cancelled_at"

    private static func noticeRecord(_ row: PostgresRow, _ db: PostgresConnection, _ logger: Logger) async throws -> NoticeRecord {
        let (id, area, messages, emergency, topic, createdBy, createdAt, suppressed, cancelledAt) =
            try row.decode((Int64, String, String, Bool, String?, String, Double, Int, Double?).self)
        let texts = try StoredJSON.decode([String: String].self, messages)
        let notice = NewNotice(area: area, messages: Dictionary(uniqueKeysWithValues: texts.map { (LanguageTag($0.key), $0.value) }),
                               emergency: emergency, topic: topic, createdBy: createdBy, createdAt: Date(timeIntervalSince1970: createdAt),
                               suppressedOptOut: suppressed)
        var counts = NoticeCounts()
        counts.suppressedOptOut = suppressed
        counts.targeted = suppressed
        let reason = NoticeCounts.optOutReason
        for state in try await db.rows("""
            SELECT state, state = 'dead' AND coalesce(starts_with(last_error, \(reason)), false), count(*)
            FROM outbox WHERE notice_id = \(id) GROUP BY 1, 2
            """, logger) {
            let (name, optedOut, entries) = try state.decode((String, Bool, Int).self)
            guard let value = OutboxEntry.State(rawValue: name) else { continue }
            counts.count(value, error: optedOut ? reason : nil, entries: entries)
        }
        return NoticeRecord(id: id, notice: notice, cancelledAt: cancelledAt.map(Date.init(timeIntervalSince1970:)), counts: counts)
    }
}
