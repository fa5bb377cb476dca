import CityModel
import Foundation
import GRDB
import Storage

extension SQLiteStore: ExternalLinkStore {
    public func saveLink(_ link: ExternalLink, at date: Date) async throws {
        try await pool.write { db in
            guard let id = try JobRows.ticketID(link.ticket, db) else { return }
            try db.run("""
                INSERT INTO ticket_links (ticket_id, system, external_id, token, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (ticket_id, system) DO UPDATE SET external_id = coalesce(excluded.external_id, external_id),
                    token = coalesce(excluded.token, token), updated_at = excluded.updated_at
                """, [id, link.system, link.externalID, link.token, date.timeIntervalSince1970])
        }
    }

    public func openLinks(system: String, limit: Int) async throws -> [ExternalLink] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT t.tracking_number, l.external_id, l.token FROM ticket_links l JOIN tickets t ON t.id = l.ticket_id
                WHERE l.system = ? AND t.status != 'closed' ORDER BY t.id LIMIT ?
                """, arguments: [system, limit]).compactMap { row in
                TrackingNumber(parsing: row[0]).map { ExternalLink(ticket: $0, system: system, externalID: row[1], token: row[2]) }
            }
        }
    }

    public func ticket(system: String, externalID: String) async throws -> TrackingNumber? {
        try await read { db in
            try String.fetchOne(db, sql: """
                SELECT t.tracking_number FROM ticket_links l JOIN tickets t ON t.id = l.ticket_id WHERE l.system = ? AND l.external_id = ?
                """, arguments: [system, externalID]).flatMap(TrackingNumber.init(parsing:))
        }
    }
}
