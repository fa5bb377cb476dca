import CityModel
import Conversation
import Foundation
import GRDB
import Reports
import Storage

extension SQLiteStore: ReportStore {
    public func reduceTicketFacts<Sink: TicketFactSink>(_ query: ReportQuery, into sink: Sink) async throws -> Sink {
        try await pool.read { db in
            var sink = sink
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let from = query.from {
                conditions.append("t.first_contact_at >= ?")
                arguments += [from.timeIntervalSince1970]
            }
            if let to = query.to {
                conditions.append("t.first_contact_at < ?")
                arguments += [to.timeIntervalSince1970]
            }
            if let departments = query.departments {
                conditions.append("t.department IN (\(departments.map { _ in "?" }.joined(separator: ", ")))")
                arguments += StatementArguments(departments.sorted())
            }
            let statement = try db.makeStatement(sql: """
                SELECT t.tracking_number, t.service_code, t.department, t.jurisdiction, t.area, t.locale, t.channel,
                       t.status, t.first_contact_at, t.requested_at, t.expected_at, t.closed_at, s.rating, s.fixed, t.reopened
                FROM tickets t LEFT JOIN surveys s ON s.ticket_id = t.id
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                ORDER BY t.first_contact_at, t.id
                """)
            let rows = try Row.fetchCursor(statement, arguments: arguments)
            while let row = try rows.next() {
                sink.add(TicketFact(
                    trackingNumber: row[0], serviceCode: row[1], department: row[2], jurisdiction: row[3], area: row[4],
                    locale: row[5], channel: row[6], status: TicketStatus(rawValue: row[7]) ?? .open, firstContact: row[8],
                    requestedAt: row[9], expectedAt: row[10], closedAt: row[11], rating: row[12], fixed: row[13], reopened: row[14]
                ))
            }
            return sink
        }
    }

    public func contactFacts(_ query: ReportQuery) async throws -> ContactFacts {
        try await pool.read { db in
            let from = query.from?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude
            let to = query.to?.timeIntervalSince1970 ?? Double.greatestFiniteMagnitude
            var facts = ContactFacts()
            let handoffs = try Row.fetchAll(db, sql: """
                SELECT channel, locale, department, opened_at, first_reply_at FROM handoffs
                WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at
                """, arguments: [from, to])
            facts.handoffs = handoffs.map {
                HandoffFact(channel: $0[0], locale: $0[1], department: $0[2], openedAt: $0[3], firstReplyAt: $0[4])
            }.filter { query.covers(department: $0.department) }
            guard query.departments == nil else { return facts }
            facts.emergencies = try Row.fetchAll(db, sql: """
                SELECT channel, locale, created_at FROM emergencies WHERE created_at >= ? AND created_at < ? ORDER BY created_at
                """, arguments: [from, to]).map { EmergencyFact(channel: $0[0], locale: $0[1], at: $0[2]) }
            let ended = try Row.fetchAll(db, sql: """
                SELECT channel, data, created_at FROM events
                WHERE kind = 'session_ended' AND created_at >= ? AND created_at < ? ORDER BY created_at
                """, arguments: [from, to])
            for row in ended {
                guard case .sessionEnded(let reason) = try Coding.decode(Event.self, row[1]), reason.abandonsReport else { continue }
                facts.abandoned.append(AbandonedFact(channel: row[0] ?? "unknown", at: row[2]))
            }
            return facts
        }
    }
}
