import CityModel
import Conversation
import Foundation
import Logging
import Messaging
import Outreach
import PostgresNIO
import Storage

/// Sessions as rows: one per channel address, the session as JSON, and the version each write names.
enum SessionRows {
    static func stored(_ address: ChannelAddress, _ db: PostgresConnection, _ logger: Logger) async throws -> StoredSession {
        guard let row = try await db.rows("""
            SELECT data, version FROM sessions WHERE channel = \(address.channel.rawValue) AND address = \(address.address)
            """, logger).first else { return StoredSession(nil, version: 0) }
        let (data, version) = try row.decode((String, Int).self)
        return StoredSession(try StoredJSON.decode(Session.self, data), version: version)
    }

    /// Writes `write` if its condition holds; throws `StoreError.sessionChanged` when a version does not match. A
    /// concurrent writer of the same row (another instance) holds its lock until it commits; this one then sees the
    /// new version and changes nothing.
    static func save(_ write: SessionWrite, at: Double, _ db: PostgresConnection, _ logger: Logger) async throws {
        let (channel, address) = (write.address.channel.rawValue, write.address.address)
        let data = try StoredJSON.encode(write.session)
        let written: Bool
        switch write.condition {
        case .version(0), .absent:
            written = try await !db.rows("""
                INSERT INTO sessions (channel, address, data, updated_at, version) VALUES (\(channel), \(address), \(data), \(at), 1)
                ON CONFLICT (channel, address) DO NOTHING RETURNING 1
                """, logger).isEmpty
            if case .absent = write.condition { return }
        case .version(let version):
            written = try await !db.rows("""
                UPDATE sessions SET data = \(data), updated_at = \(at), version = version + 1
                WHERE channel = \(channel) AND address = \(address) AND version = \(version) RETURNING 1
                """, logger).isEmpty
        }
        if !written { throw StoreError.sessionChanged }
    }
}

/// Contacts as rows: made on first contact; language and consent per the plan.
enum ContactRows {
    static func save(_ write: ContactWrite, at: Double, _ db: PostgresConnection, _ logger: Logger) async throws {
        let (channel, address) = (write.address.channel.rawValue, write.address.address)
        var contactID = try await db.rows("""
            SELECT contact_id FROM contact_addresses WHERE channel = \(channel) AND address = \(address)
            """, logger).first?.decode(Int64.self)
        if let id = contactID {
            if let optedOut = write.optedOut {
                let when: Double? = optedOut ? at : nil
                try await db.run("""
                    UPDATE contact_addresses SET opted_out = \(optedOut), opted_out_at = \(when) WHERE channel = \(channel) AND address = \(address)
                    """, logger)
            }
            contactID = id
        } else {
            let id = try await db.rows("INSERT INTO contacts (locale, created_at) VALUES (\(write.locale?.code), \(at)) RETURNING id", logger)[0]
                .decode(Int64.self)
            let optedOut = write.optedOut ?? false
            let when: Double? = optedOut ? at : nil
            let added = try await db.rows("""
                INSERT INTO contact_addresses (channel, address, contact_id, opted_out, opted_out_at)
                VALUES (\(channel), \(address), \(id), \(optedOut), \(when)) ON CONFLICT (channel, address) DO NOTHING RETURNING 1
                """, logger)
            if added.isEmpty {
                // Another transaction made this address's contact first: use it, then write as for a known address.
                try await db.run("DELETE FROM contacts WHERE id = \(id)", logger)
                try await save(write, at: at, db, logger)
                return
            }
            contactID = id
        }
        if let locale = write.locale?.code, let contactID {
            try await db.run("UPDATE contacts SET locale = \(locale) WHERE id = \(contactID) AND locale IS DISTINCT FROM \(locale)", logger)
        }
    }
}

/// Tickets as rows: the searchable columns plus the whole ticket as JSON in `data`.
enum TicketRows {
    static func fetch(_ number: TrackingNumber, forUpdate: Bool = false, _ db: PostgresConnection, _ logger: Logger) async throws -> Ticket? {
        let lock = forUpdate ? " FOR UPDATE" : ""
        return try await db.rows("SELECT data FROM tickets WHERE tracking_number = \(number.digits)\(unescaped: lock)", logger).first.map {
            try StoredJSON.decode(Ticket.self, try $0.decode(String.self))
        }
    }

    /// The tickets an address reported, newest first.
    static func reportedBy(_ address: ChannelAddress, _ db: PostgresConnection, _ logger: Logger) async throws -> [Ticket] {
        try await db.rows("""
            SELECT data FROM tickets WHERE reporter_channel = \(address.channel.rawValue) AND reporter_address = \(address.address)
            ORDER BY requested_at DESC LIMIT 50
            """, logger).map { try StoredJSON.decode(Ticket.self, try $0.decode(String.self)) }
    }

    /// Inserts `ticket` and its "created" history entry; returns its row id. Throws `StoreError.trackingNumberTaken`
    /// when the number is in use.
    @discardableResult
    static func insert(_ ticket: Ticket, actor: String = "resident", _ db: PostgresConnection, _ logger: Logger) async throws -> Int64 {
        let draft = ticket.draft
        let point = draft.location?.coordinate
        guard let id = try await db.rows("""
            INSERT INTO tickets (tracking_number, service_code, department, jurisdiction, status, reporter_channel,
                reporter_address, latitude, longitude, requested_at, updated_at, expected_at, closed_at, data,
                first_contact_at, locale, channel, area, reopened)
            VALUES (\(ticket.trackingNumber.digits), \(draft.serviceCode), \(ticket.department), \(draft.jurisdiction),
                \(ticket.status.rawValue), \(ticket.reporter.channel.rawValue), \(ticket.reporter.address), \(point?.latitude),
                \(point?.longitude), \(draft.requestedAt.timeIntervalSince1970), \(ticket.updatedAt.timeIntervalSince1970),
                \(draft.expectedAt.timeIntervalSince1970), \(ticket.closedAt?.timeIntervalSince1970), \(try StoredJSON.encode(ticket)),
                \(draft.firstContact.timeIntervalSince1970), \(draft.locale.code), \(draft.channel.rawValue), \(draft.area),
                \(ticket.reopenCount ?? 0))
            ON CONFLICT (tracking_number) DO NOTHING RETURNING id
            """, logger).first?.decode(Int64.self) else { throw StoreError.trackingNumberTaken }
        let created = TicketEvent(kind: .created, at: draft.requestedAt, status: .open, actor: actor)
        try await db.run("""
            INSERT INTO ticket_events (ticket_id, kind, at, data)
            VALUES (\(id), \(created.kind.rawValue), \(created.at.timeIntervalSince1970), \(try StoredJSON.encode(created)))
            """, logger)
        return id
    }

    static func save(_ ticket: Ticket, _ db: PostgresConnection, _ logger: Logger) async throws {
        try await db.run("""
            UPDATE tickets SET department = \(ticket.department), status = \(ticket.status.rawValue),
                updated_at = \(ticket.updatedAt.timeIntervalSince1970), closed_at = \(ticket.closedAt?.timeIntervalSince1970),
                data = \(try StoredJSON.encode(ticket)), reopened = \(ticket.reopenCount ?? 0)
            WHERE tracking_number = \(ticket.trackingNumber.digits)
            """, logger)
    }

    static func append(_ event: TicketEvent, to number: TrackingNumber, _ db: PostgresConnection, _ logger: Logger) async throws {
        try await db.run("""
            INSERT INTO ticket_events (ticket_id, kind, at, data)
            SELECT id, \(event.kind.rawValue), \(event.at.timeIntervalSince1970), \(try StoredJSON.encode(event))
            FROM tickets WHERE tracking_number = \(number.digits)
            """, logger)
    }

    /// Open tickets of a service near a point, nearest first: one range of the open-points index (service, then the
    /// box's latitudes), the longitudes and the circle checked on the way; only the nearest `limit` are read whole.
    static func open(near query: NearbyQuery, limit: Int, _ db: PostgresConnection, _ logger: Logger) async throws -> [NearbyTicket] {
        let box = query.box
        var near: [(id: Int64, distance: Double)] = []
        for row in try await db.rows("""
            SELECT id, latitude, longitude FROM tickets
            WHERE service_code = \(query.serviceCode) AND status <> 'closed' AND latitude IS NOT NULL AND longitude IS NOT NULL
              AND latitude BETWEEN \(box.south) AND \(box.north) AND longitude BETWEEN \(box.west) AND \(box.east)
              AND requested_at >= \(query.since.timeIntervalSince1970)
            """, logger) {
            let (id, latitude, longitude) = try row.decode((Int64, Double, Double).self)
            let distance = Coordinate(latitude: latitude, longitude: longitude).distance(to: query.coordinate)
            if distance <= query.radius { near.append((id, distance)) }
        }
        near.sort { ($0.distance, $0.id) < ($1.distance, $1.id) }
        var found: [NearbyTicket] = []
        for entry in near.prefix(limit) {
            guard let data = try await db.rows("SELECT data FROM tickets WHERE id = \(entry.id)", logger).first?.decode(String.self) else { continue }
            found.append(NearbyTicket(ticket: try StoredJSON.decode(Ticket.self, data).summary, distance: entry.distance))
        }
        return found
    }
}

/// Persists a `WritePlan` inside the caller's transaction: plain writes in a fixed order, no rule of its own.
enum PlanWriter {
    static func write(_ plan: WritePlan, messageID: Int64?, channel: CityModel.Channel?, _ db: PostgresConnection, _ logger: Logger) async throws {
        let at = plan.at.timeIntervalSince1970
        // The session first: a version that does not match stops the plan before anything else is written.
        if let session = plan.session { try await SessionRows.save(session, at: at, db, logger) }
        if let contact = plan.contact { try await ContactRows.save(contact, at: at, db, logger) }
        for ticket in plan.tickets { try await TicketRows.insert(ticket, db, logger) }
        for update in plan.ticketUpdates {
            guard let stored = try await TicketRows.fetch(update.ticket, forUpdate: true, db, logger),
                  let (changed, history) = WritePlan.applying(update, to: stored, at: plan.at) else { continue }
            try await TicketRows.save(changed, db, logger)
            for event in history { try await TicketRows.append(event, to: update.ticket, db, logger) }
            try await JobRows.schedule(update.jobs, at: plan.at, db, logger)
        }
        for follow in plan.follows {
            try await db.run("""
                INSERT INTO ticket_followers (ticket_id, channel, address, created_at)
                SELECT id, \(follow.follower.channel.rawValue), \(follow.follower.address), \(at) FROM tickets
                WHERE tracking_number = \(follow.ticket.digits) ON CONFLICT DO NOTHING
                """, logger)
        }
        for survey in plan.surveys {
            try await db.run("""
                INSERT INTO surveys (ticket_id, state, fixed, rating, comment, started_at, updated_at)
                SELECT id, \(survey.state.rawValue), \(survey.fixed?.rawValue), \(survey.rating), \(survey.comment),
                    \(survey.startedAt.timeIntervalSince1970), \(survey.updatedAt.timeIntervalSince1970)
                FROM tickets WHERE tracking_number = \(survey.ticket.digits)
                ON CONFLICT (ticket_id) DO UPDATE SET state = excluded.state, fixed = excluded.fixed, rating = excluded.rating,
                    comment = excluded.comment, updated_at = excluded.updated_at
                """, logger)
        }
        for message in plan.outbox {
            let encoded = try StoredJSON.encode(message)
            try await TurnWriter.logOutbound(message, replyTo: messageID, inline: false, at: at, encoded: encoded, db, logger)
            try await OutboxRows.enqueue(message, at: plan.at, encoded: encoded, db, logger)
        }
        try await JobRows.schedule(plan.jobs, at: plan.at, db, logger)
        for emergency in plan.emergencies {
            try await db.run("""
                INSERT INTO emergencies (trigger, channel, locale, created_at)
                VALUES (\(emergency.trigger), \(emergency.channel.rawValue), \(emergency.locale?.code), \(emergency.at.timeIntervalSince1970))
                """, logger)
        }
        for write in plan.handoffs { try await HandoffRows.save(write, db, logger) }
        for write in plan.alerts { try await AlertRows.save(write, db, logger) }
        for event in plan.events {
            try await db.run("""
                INSERT INTO events (message_id, channel, kind, data, created_at)
                VALUES (\(messageID), \(channel?.rawValue), \(event.name), \(try StoredJSON.encode(event)), \(at))
                """, logger)
        }
    }
}

/// Writes a turn: the inbound message, the inline replies, then the plan.
enum TurnWriter {
    static func write(_ record: TurnRecord, _ db: PostgresConnection, _ logger: Logger) async throws {
        let inbound = record.inbound
        let from = inbound.from
        let at = inbound.receivedAt.timeIntervalSince1970
        // A message stored before (by this instance or another) is refused here; one being stored right now by
        // another transaction makes this one wait for it, then refuses too.
        guard let inboundID = try await db.rows("""
            INSERT INTO messages (direction, channel, address, external_id, data, created_at)
            VALUES ('in', \(from.channel.rawValue), \(from.address), \(inbound.externalID), \(try StoredJSON.encode(inbound)), \(at))
            ON CONFLICT (channel, external_id) DO NOTHING RETURNING id
            """, logger).first?.decode(Int64.self) else { throw StoreError.duplicateInbound }
        for reply in record.replies { try await logOutbound(reply, replyTo: inboundID, inline: true, at: at, db, logger) }
        try await PlanWriter.write(record.plan, messageID: inboundID, channel: from.channel, db, logger)
    }

    static func logOutbound(_ message: RenderedMessage, replyTo: Int64?, inline: Bool, at: Double, encoded: String? = nil,
                            _ db: PostgresConnection, _ logger: Logger) async throws {
        let data = try encoded ?? StoredJSON.encode(message)
        try await db.run("""
            INSERT INTO messages (direction, channel, address, reply_to, inline, data, created_at)
            VALUES ('out', \(message.to.channel.rawValue), \(message.to.address), \(replyTo), \(inline), \(data), \(at))
            """, logger)
    }
}
