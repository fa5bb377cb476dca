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
                            arguments: arguments).map { try StoredJSON.decode(Ticket.self, $0) }
    }

    /// The tickets an address reported, newest first.
    static func reportedBy(_ address: ChannelAddress, _ db: Database) throws -> [Ticket] {
        try fetch(db, where: "reporter_channel = ? AND reporter_address = ?", [address.channel.rawValue, address.address],
                  order: "requested_at DESC", limit: 50)
    }

    static func insert(_ ticket: Ticket, actor: String = "resident", _ db: Database) throws {
        try db.run("""
            INSERT INTO tickets (tracking_number, service_code, department, jurisdiction, status, reporter_channel,
                reporter_address, latitude, longitude, requested_at, updated_at, expected_at, closed_at, data,
                first_contact_at, locale, channel, area, reopened)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [
                ticket.trackingNumber.digits, ticket.draft.serviceCode, ticket.department, ticket.draft.jurisdiction,
                ticket.status.rawValue, ticket.reporter.channel.rawValue, ticket.reporter.address,
                ticket.draft.location?.coordinate?.latitude, ticket.draft.location?.coordinate?.longitude,
                ticket.draft.requestedAt.timeIntervalSince1970, ticket.updatedAt.timeIntervalSince1970,
                ticket.draft.expectedAt.timeIntervalSince1970, ticket.closedAt?.timeIntervalSince1970, try StoredJSON.encode(ticket),
                ticket.draft.firstContact.timeIntervalSince1970, ticket.draft.locale.code, ticket.draft.channel.rawValue,
                ticket.draft.area, ticket.reopenCount ?? 0,
            ])
        try place(ticket, id: db.lastInsertedRowID, db)
        try append(TicketEvent(kind: .created, at: ticket.draft.requestedAt, status: .open, actor: actor), to: ticket.trackingNumber, db)
    }

    static func save(_ ticket: Ticket, _ db: Database) throws {
        try db.run("""
            UPDATE tickets SET department = ?, status = ?, updated_at = ?, closed_at = ?, data = ?, reopened = ?
            WHERE tracking_number = ?
            """, [
                ticket.department, ticket.status.rawValue, ticket.updatedAt.timeIntervalSince1970,
                ticket.closedAt?.timeIntervalSince1970, try StoredJSON.encode(ticket), ticket.reopenCount ?? 0, ticket.trackingNumber.digits,
            ])
        if let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM tickets WHERE tracking_number = ?"),
                                       arguments: [ticket.trackingNumber.digits]) {
            try place(ticket, id: id, db)
        }
    }

    /// Keeps the map of open tickets: an open ticket with a point has its cell, a closed one none.
    static func place(_ ticket: Ticket, id: Int64, _ db: Database) throws {
        var cell: Int64?
        if ticket.status != .closed, let point = ticket.draft.location?.coordinate {
            try db.run("INSERT OR IGNORE INTO ticket_services (code) VALUES (?)", [ticket.draft.serviceCode])
            let service = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM ticket_services WHERE code = ?"),
                                             arguments: [ticket.draft.serviceCode]) ?? 0
            cell = TicketCells.cell(service: service, point)
        }
        try db.run("UPDATE tickets SET open_cell = ? WHERE id = ?", [cell, id])
    }

    /// Open tickets of a service near a point, nearest first: the index ranges of the cells around the circle give
    /// that service's open tickets there with their points and days; only the nearest `limit` within the radius
    /// are read whole.
    static func open(near query: NearbyQuery, limit: Int, _ db: Database) throws -> [NearbyTicket] {
        guard let service = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM ticket_services WHERE code = ?"),
                                               arguments: [query.serviceCode]) else { return [] }
        let since = query.since.timeIntervalSince1970
        var near: [(id: Int64, distance: Double)] = []
        let statement = try db.cachedStatement(sql: "SELECT id, latitude, longitude, requested_at FROM tickets WHERE open_cell = ?")
        for cell in TicketCells.cells(service: service, around: query) {
            let rows = try Row.fetchCursor(statement, arguments: [cell])
            while let row = try rows.next() {
                guard (row[3] as Double) >= since else { continue }
                let distance = Coordinate(latitude: row[1], longitude: row[2]).distance(to: query.coordinate)
                if distance <= query.radius { near.append((row[0], distance)) }
            }
        }
        near.sort { ($0.distance, $0.id) < ($1.distance, $1.id) }
        return try near.prefix(limit).compactMap { entry -> NearbyTicket? in
            guard let data = try String.fetchOne(db.cachedStatement(sql: "SELECT data FROM tickets WHERE id = ?"), arguments: [entry.id]) else {
                return nil
            }
            return NearbyTicket(ticket: try StoredJSON.decode(Ticket.self, data).summary, distance: entry.distance)
        }
    }

    static func append(_ event: TicketEvent, to number: TrackingNumber, _ db: Database) throws {
        try db.run("""
            INSERT INTO ticket_events (ticket_id, kind, at, data)
            SELECT id, ?, ?, ? FROM tickets WHERE tracking_number = ?
            """, [event.kind.rawValue, event.at.timeIntervalSince1970, try StoredJSON.encode(event), number.digits])
    }
}
