import CityModel
import Conversation
import Foundation
import GRDB
import Storage

/// Tickets as rows: the searchable columns plus the whole ticket as JSON in `data`.
enum TicketRows {
    static func fetch(_ db: Database, where condition: String, _ arguments: StatementArguments, order: String = "id",
                      limit: Int) throws -> [Ticket] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT data FROM tickets WHERE \(condition) ORDER BY \(order) LIMIT \(limit)"),
                            arguments: arguments).map { try Coding.decode(Ticket.self, $0) }
    }

    /// The tickets an address reported, newest first.
    static func reportedBy(_ address: ChannelAddress, _ db: Database) throws -> [Ticket] {
        try fetch(db, where: "reporter_channel = ? AND reporter_address = ?", [address.channel.rawValue, address.address],
                  order: "requested_at DESC", limit: 50)
    }

    static func insert(_ ticket: Ticket, actor: String = "resident", _ db: Database) throws {
        try db.run("""
            INSERT INTO tickets (tracking_number, service_code, department, jurisdiction, status, reporter_channel,
                reporter_address, latitude, longitude, requested_at, updated_at, expected_at, closed_at, data)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [
                ticket.trackingNumber.digits, ticket.draft.serviceCode, ticket.department, ticket.draft.jurisdiction,
                ticket.status.rawValue, ticket.reporter.channel.rawValue, ticket.reporter.address,
                ticket.draft.location?.coordinate?.latitude, ticket.draft.location?.coordinate?.longitude,
                ticket.draft.requestedAt.timeIntervalSince1970, ticket.updatedAt.timeIntervalSince1970,
                ticket.draft.expectedAt.timeIntervalSince1970, ticket.closedAt?.timeIntervalSince1970, try Coding.encode(ticket),
            ])
        try append(TicketEvent(kind: .created, at: ticket.draft.requestedAt, status: .open, actor: actor), to: ticket.trackingNumber, db)
    }

    static func save(_ ticket: Ticket, _ db: Database) throws {
        try db.run("""
            UPDATE tickets SET department = ?, status = ?, updated_at = ?, closed_at = ?, data = ? WHERE tracking_number = ?
            """, [
                ticket.department, ticket.status.rawValue, ticket.updatedAt.timeIntervalSince1970,
                ticket.closedAt?.timeIntervalSince1970, try Coding.encode(ticket), ticket.trackingNumber.digits,
            ])
    }

    static func append(_ event: TicketEvent, to number: TrackingNumber, _ db: Database) throws {
        try db.run("""
            INSERT INTO ticket_events (ticket_id, kind, at, data)
            SELECT id, ?, ?, ? FROM tickets WHERE tracking_number = ?
            """, [event.kind.rawValue, event.at.timeIntervalSince1970, try Coding.encode(event), number.digits])
    }
}

/// Sessions as rows: one per channel address, the session as JSON.
enum SessionRows {
    static func fetch(_ address: ChannelAddress, _ db: Database) throws -> Session? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT data FROM sessions WHERE channel = ? AND address = ?"),
                            arguments: [address.channel.rawValue, address.address]).map { try Coding.decode(Session.self, $0) }
    }

    static func save(_ session: Session, for address: ChannelAddress, at: Double, _ db: Database) throws {
        try db.run("""
            INSERT INTO sessions (channel, address, data, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (channel, address) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at
            """, [address.channel.rawValue, address.address, try Coding.encode(session), at])
    }
}

/// Writes everything one turn changed, inside the caller's transaction (a savepoint of a group commit).
enum TurnWriter {
    static func write(_ record: TurnRecord, _ db: Database) throws {
        let inbound = record.inbound
        let from = inbound.from
        let at = inbound.receivedAt.timeIntervalSince1970
        do {
            try db.run("""
                INSERT INTO messages (direction, channel, address, external_id, data, created_at) VALUES ('in', ?, ?, ?, ?, ?)
                """, [from.channel.rawValue, from.address, inbound.externalID, try Coding.encode(inbound), at])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreError.duplicateInbound
        }
        let inboundID = db.lastInsertedRowID
        try SessionRows.save(record.session, for: from, at: at, db)
        try saveContact(from, session: record.session, at: at, db)
        for ticket in record.tickets {
            do {
                try TicketRows.insert(ticket, db)
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StoreError.trackingNumberTaken
            }
        }
        for reply in record.replies { try logOutbound(reply, replyTo: inboundID, inline: true, at: at, db) }
        for message in record.outbox {
            let encoded = try Coding.encode(message)
            try logOutbound(message, replyTo: inboundID, inline: false, at: at, encoded: encoded, db)
            try OutboxRows.enqueue(message, at: inbound.receivedAt, encoded: encoded, db)
        }
        try JobRows.applyOutreach(record.events, from: from, at: inbound.receivedAt, db)
        try JobRows.schedule(record.jobs, at: inbound.receivedAt, db)
        for emergency in EmergencyRecord.of(record) {
            try db.run("INSERT INTO emergencies (trigger, channel, locale, created_at) VALUES (?, ?, ?, ?)",
                       [emergency.trigger, emergency.channel.rawValue, emergency.locale?.code, at])
        }
    }

    /// `encoded`: the message's JSON when the caller has it already (it is stored twice: log and outbox).
    static func logOutbound(_ message: RenderedMessage, replyTo: Int64?, inline: Bool, at: Double, encoded: String? = nil,
                            _ db: Database) throws {
        try db.run("""
            INSERT INTO messages (direction, channel, address, reply_to, inline, data, created_at) VALUES ('out', ?, ?, ?, ?, ?, ?)
            """, [message.to.channel.rawValue, message.to.address, replyTo, inline, try encoded ?? Coding.encode(message), at])
    }

    /// The contact behind an address: created on first contact; its language follows the session's; the
    /// address's consent follows STOP/START.
    static func saveContact(_ address: ChannelAddress, session: Session, at: Double, _ db: Database) throws {
        let existing = try Row.fetchOne(db, sql: "SELECT contact_id, opted_out FROM contact_addresses WHERE channel = ? AND address = ?",
                                        arguments: [address.channel.rawValue, address.address])
        let contactID: Int64
        if let existing {
            contactID = existing["contact_id"]
            let wasOptedOut: Bool = existing["opted_out"]
            if wasOptedOut != session.optedOut {
                try db.run("UPDATE contact_addresses SET opted_out = ?, opted_out_at = ? WHERE channel = ? AND address = ?",
                               [session.optedOut, session.optedOut ? at : nil, address.channel.rawValue, address.address])
            }
        } else {
            try db.run("INSERT INTO contacts (locale, created_at) VALUES (?, ?)", [session.locale?.code, at])
            contactID = db.lastInsertedRowID
            try db.run("INSERT INTO contact_addresses (channel, address, contact_id, opted_out, opted_out_at) VALUES (?, ?, ?, ?, ?)",
                           [address.channel.rawValue, address.address, contactID, session.optedOut, session.optedOut ? at : nil])
        }
        if let locale = session.locale {
            try db.run("UPDATE contacts SET locale = ? WHERE id = ? AND (locale IS NULL OR locale != ?)",
                           [locale.code, contactID, locale.code])
        }
    }
}
