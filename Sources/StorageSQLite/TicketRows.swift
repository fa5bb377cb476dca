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

    /// Open tickets of a service near a point (the R*Tree finds those in the box around the circle), nearest first.
    static func open(near query: NearbyQuery, limit: Int, _ db: Database) throws -> [NearbyTicket] {
        let box = query.box
        let tickets = try String.fetchAll(db.cachedStatement(sql: """
            SELECT t.data FROM ticket_places p JOIN tickets t ON t.id = p.id
            WHERE p.south >= ? AND p.north <= ? AND p.west >= ? AND p.east <= ?
              AND t.service_code = ? AND t.status != 'closed' AND t.requested_at >= ?
            """), arguments: [box.south, box.north, box.west, box.east, query.serviceCode, query.since.timeIntervalSince1970])
            .map { try Coding.decode(Ticket.self, $0) }
        return tickets.compactMap { ticket -> NearbyTicket? in
            guard let point = ticket.draft.location?.coordinate else { return nil }
            let distance = point.distance(to: query.coordinate)
            return distance <= query.radius ? NearbyTicket(ticket: ticket.summary, distance: distance) : nil
        }.sorted { ($0.distance, $0.ticket.trackingNumber) < ($1.distance, $1.ticket.trackingNumber) }.prefix(limit).map { $0 }
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
        if let point = ticket.draft.location?.coordinate {
            try db.run("INSERT INTO ticket_places (id, south, north, west, east) VALUES (?, ?, ?, ?, ?)",
                       [db.lastInsertedRowID, point.latitude, point.latitude, point.longitude, point.longitude])
        }
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
