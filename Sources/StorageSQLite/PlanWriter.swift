import CityModel
import Conversation
import Foundation
import GRDB
import Messaging
import Storage

/// Sessions as rows: one per channel address, the session as JSON, and the version each write names.
enum SessionRows {
    static func fetch(_ address: ChannelAddress, _ db: Database) throws -> Session? {
        try stored(address, db).session
    }

    static func stored(_ address: ChannelAddress, _ db: Database) throws -> StoredSession {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT data, version FROM sessions WHERE channel = ? AND address = ?"),
                                         arguments: [address.channel.rawValue, address.address]) else { return StoredSession(nil, version: 0) }
        return StoredSession(try StoredJSON.decode(Session.self, row["data"]), version: row["version"])
    }

    /// Writes `write` if its condition holds; throws `StoreError.sessionChanged` when a version does not match.
    static func save(_ write: SessionWrite, at: Double, _ db: Database) throws {
        let (channel, address) = (write.address.channel.rawValue, write.address.address)
        let data = try StoredJSON.encode(write.session)
        switch write.condition {
        case .version(0):
            try db.run("INSERT INTO sessions (channel, address, data, updated_at, version) VALUES (?, ?, ?, ?, 1) ON CONFLICT DO NOTHING",
                       [channel, address, data, at])
        case .version(let version):
            try db.run("UPDATE sessions SET data = ?, updated_at = ?, version = version + 1 WHERE channel = ? AND address = ? AND version = ?",
                       [data, at, channel, address, version])
        case .absent:
            try db.run("INSERT INTO sessions (channel, address, data, updated_at, version) VALUES (?, ?, ?, ?, 1) ON CONFLICT DO NOTHING",
                       [channel, address, data, at])
            return
        }
        if db.changesCount == 0 { throw StoreError.sessionChanged }
    }
}

/// Contacts as rows: made on first contact; language and consent per the plan.
enum ContactRows {
    static func save(_ write: ContactWrite, at: Double, _ db: Database) throws {
        let (channel, address) = (write.address.channel.rawValue, write.address.address)
        let contactID: Int64
        if let existing = try Int64.fetchOne(db.cachedStatement(sql: "SELECT contact_id FROM contact_addresses WHERE channel = ? AND address = ?"),
                                             arguments: [channel, address]) {
            contactID = existing
            if let optedOut = write.optedOut {
                try db.run("UPDATE contact_addresses SET opted_out = ?, opted_out_at = ? WHERE channel = ? AND address = ?",
                           [optedOut, optedOut ? at : nil, channel, address])
            }
        } else {
            try db.run("INSERT INTO contacts (locale, created_at) VALUES (?, ?)", [write.locale?.code, at])
            contactID = db.lastInsertedRowID
            let optedOut = write.optedOut ?? false
            try db.run("INSERT INTO contact_addresses (channel, address, contact_id, opted_out, opted_out_at) VALUES (?, ?, ?, ?, ?)",
                       [channel, address, contactID, optedOut, optedOut ? at : nil])
        }
        if let locale = write.locale {
            try db.run("UPDATE contacts SET locale = ? WHERE id = ? AND (locale IS NULL OR locale != ?)", [locale.code, contactID, locale.code])
        }
    }
}

/// Persists a `WritePlan` inside the caller's transaction (a savepoint of a group commit): plain writes in a
/// fixed order, no rule of its own.
enum PlanWriter {
    /// `messageID`: the inbound message the plan answers, if any (its events and outbound messages point to it).
    static func write(_ plan: WritePlan, messageID: Int64?, channel: Channel?, _ db: Database) throws {
        let at = plan.at.timeIntervalSince1970
        // The session first: a version that does not match stops the plan before anything else is written.
        if let session = plan.session { try SessionRows.save(session, at: at, db) }
        if let contact = plan.contact { try ContactRows.save(contact, at: at, db) }
        for ticket in plan.tickets {
            do {
                try TicketRows.insert(ticket, db)
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StoreError.trackingNumberTaken
            }
        }
        for update in plan.ticketUpdates {
            guard let stored = try TicketRows.fetch(db, where: "tracking_number = ?", [update.ticket.digits], limit: 1).first,
                  let (changed, history) = WritePlan.applying(update, to: stored, at: plan.at) else { continue }
            try TicketRows.save(changed, db)
            for event in history { try TicketRows.append(event, to: update.ticket, db) }
            try JobRows.schedule(update.jobs, at: plan.at, db)
        }
        for follow in plan.follows {
            try db.run("""
                INSERT INTO ticket_followers (ticket_id, channel, address, created_at)
                SELECT id, ?, ?, ? FROM tickets WHERE tracking_number = ? ON CONFLICT DO NOTHING
                """, [follow.follower.channel.rawValue, follow.follower.address, at, follow.ticket.digits])
        }
        for survey in plan.surveys {
            try db.run("""
                INSERT INTO surveys (ticket_id, state, fixed, rating, comment, started_at, updated_at)
                SELECT id, ?, ?, ?, ?, ?, ? FROM tickets WHERE tracking_number = ?
                ON CONFLICT (ticket_id) DO UPDATE SET state = excluded.state, fixed = excluded.fixed, rating = excluded.rating,
                    comment = excluded.comment, updated_at = excluded.updated_at
                """, [survey.state.rawValue, survey.fixed?.rawValue, survey.rating, survey.comment,
                      survey.startedAt.timeIntervalSince1970, survey.updatedAt.timeIntervalSince1970, survey.ticket.digits])
        }
        for message in plan.outbox {
            let encoded = try StoredJSON.encode(message)
            try TurnWriter.logOutbound(message, replyTo: messageID, inline: false, at: at, encoded: encoded, db)
            try OutboxRows.enqueue(message, at: plan.at, encoded: encoded, db)
        }
        try JobRows.schedule(plan.jobs, at: plan.at, db)
        for emergency in plan.emergencies {
            try db.run("INSERT INTO emergencies (trigger, channel, locale, created_at) VALUES (?, ?, ?, ?)",
                       [emergency.trigger, emergency.channel.rawValue, emergency.locale?.code, emergency.at.timeIntervalSince1970])
        }
        for write in plan.handoffs { try HandoffRows.save(write, db) }
        for write in plan.alerts { try AlertRows.save(write, db) }
        for event in plan.events {
            try db.run("INSERT INTO events (message_id, channel, kind, data, created_at) VALUES (?, ?, ?, ?, ?)",
                       [messageID, channel?.rawValue, event.name, try StoredJSON.encode(event), at])
        }
    }
}

/// Writes a turn: the inbound message, the inline replies, then the plan.
enum TurnWriter {
    static func write(_ record: TurnRecord, _ db: Database) throws {
        let inbound = record.inbound
        let from = inbound.from
        let at = inbound.receivedAt.timeIntervalSince1970
        do {
            try db.run("""
                INSERT INTO messages (direction, channel, address, external_id, data, created_at) VALUES ('in', ?, ?, ?, ?, ?)
                """, [from.channel.rawValue, from.address, inbound.externalID, try StoredJSON.encode(inbound), at])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StoreError.duplicateInbound
        }
        let inboundID = db.lastInsertedRowID
        for reply in record.replies { try logOutbound(reply, replyTo: inboundID, inline: true, at: at, db) }
        try PlanWriter.write(record.plan, messageID: inboundID, channel: from.channel, db)
    }

    /// `encoded`: the message's JSON when the caller has it already (it is stored twice: log and outbox).
    static func logOutbound(_ message: RenderedMessage, replyTo: Int64?, inline: Bool, at: Double, encoded: String? = nil,
                            _ db: Database) throws {
        try db.run("""
            INSERT INTO messages (direction, channel, address, reply_to, inline, data, created_at) VALUES ('out', ?, ?, ?, ?, ?, ?)
            """, [message.to.channel.rawValue, message.to.address, replyTo, inline, try encoded ?? StoredJSON.encode(message), at])
    }
}
