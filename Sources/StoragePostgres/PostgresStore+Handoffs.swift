import CityModel
import Conversation
import Foundation
import Localization
import Logging
import Messaging
import PostgresNIO
import Reports
import Storage

/// The operators' queue as rows: plain writes of `Handoff.applying`, no rule of its own.
enum HandoffRows {
    static let columns = """
        id, channel, address, locale, state, department, opened_at, last_message_at, assigned_to, first_reply_at, closed_at, closed_by, report
        """

    static func handoff(_ row: PostgresRow) throws -> Handoff? {
        let (id, channel, address, locale, state, department, opened, last, assigned, firstReply, closed, closedBy, report) =
            try row.decode((Int64, String, String, String?, String, String?, Double, Double, String?, Double?, Double?, String?, String?).self)
        guard let channel = CityModel.Channel(rawValue: channel), let state = Handoff.State(rawValue: state) else { return nil }
        return Handoff(id: id, address: ChannelAddress(channel: channel, address: address), locale: locale.map(LanguageTag.init), state: state,
                       department: department, openedAt: Date(timeIntervalSince1970: opened), lastMessageAt: Date(timeIntervalSince1970: last),
                       assignedTo: assigned, firstReplyAt: firstReply.map(Date.init(timeIntervalSince1970:)),
                       closedAt: closed.map(Date.init(timeIntervalSince1970:)), closedBy: closedBy,
                       report: try report.map { try StoredJSON.decode(ReportDraft.self, $0) })
    }

    /// The open handoff of `address`, locked for this transaction.
    static func open(_ address: ChannelAddress, lock: Bool, _ db: PostgresConnection, _ logger: Logger) async throws -> Handoff? {
        try await db.rows("""
            SELECT \(unescaped: columns) FROM handoffs
            WHERE channel = \(address.channel.rawValue) AND address = \(address.address) AND state <> 'closed'\(unescaped: lock ? " FOR UPDATE" : "")
            """, logger).first.flatMap(handoff)
    }

    static func save(_ write: HandoffWrite, _ db: PostgresConnection, _ logger: Logger) async throws {
        let stored: Handoff?
        if let id = write.id {
            guard let open = try await db.rows("""
                SELECT \(unescaped: columns) FROM handoffs WHERE id = \(id) AND state <> 'closed' FOR UPDATE
                """, logger).first.flatMap(handoff) else { throw StoreError.handoffClosed }
            stored = open
        } else if let address = write.address {
            stored = try await open(address, lock: true, db, logger)
        } else {
            stored = nil
        }
        if case .noted(let id, let note) = write {
            try await db.run("""
                INSERT INTO handoff_notes (handoff_id, author, text, created_at)
                VALUES (\(id), \(note.author), \(note.text), \(note.at.timeIntervalSince1970))
                """, logger)
        }
        if let stored {
            let changed = stored.applying(write)
            if changed != stored { try await update(changed, db, logger) }
        } else if case .open(let address, let locale, let department, let report, let at) = write {
            let encoded = try report.map(StoredJSON.encode)
            // A second request for a person arriving at another instance at the same moment finds this one open.
            try await db.run("""
                INSERT INTO handoffs (channel, address, locale, state, department, opened_at, last_message_at, report)
                VALUES (\(address.channel.rawValue), \(address.address), \(locale?.code), 'waiting', \(department),
                    \(at.timeIntervalSince1970), \(at.timeIntervalSince1970), \(encoded))
                ON CONFLICT (channel, address) WHERE state <> 'closed' DO NOTHING
                """, logger)
        }
    }

    static func update(_ handoff: Handoff, _ db: PostgresConnection, _ logger: Logger) async throws {
        let report = try handoff.report.map(StoredJSON.encode)
        try await db.run("""
            UPDATE handoffs SET locale = \(handoff.locale?.code), state = \(handoff.state.rawValue), department = \(handoff.department),
                last_message_at = \(handoff.lastMessageAt.timeIntervalSince1970), assigned_to = \(handoff.assignedTo),
                first_reply_at = \(handoff.firstReplyAt?.timeIntervalSince1970), closed_at = \(handoff.closedAt?.timeIntervalSince1970),
                closed_by = \(handoff.closedBy), report = \(report)
            WHERE id = \(handoff.id)
            """, logger)
    }
}

extension PostgresStore: HandoffStore {
    public func handoffs(states: Set<Handoff.State>?, departments: Set<String?>?, limit: Int) async throws -> [Handoff] {
        let states = states.map { $0.map(\.rawValue).sorted() }
        let named = departments.map { $0.compactMap { $0 }.sorted() }
        let unassigned = departments?.contains(nil) ?? true
        return try await read { db in
            try await db.rows("""
                SELECT \(unescaped: HandoffRows.columns) FROM handoffs
                WHERE (\(states)::text[] IS NULL OR state = ANY(\(states)))
                  AND (\(named)::text[] IS NULL OR department = ANY(\(named)) OR (\(unassigned) AND department IS NULL))
                ORDER BY opened_at, id LIMIT \(limit)
                """, logger).compactMap(HandoffRows.handoff)
        }
    }

    public func handoff(_ id: Int64) async throws -> Handoff? {
        try await read { db in
            try await db.rows("SELECT \(unescaped: HandoffRows.columns) FROM handoffs WHERE id = \(id)", logger).first.flatMap(HandoffRows.handoff)
        }
    }

    public func openHandoff(for address: ChannelAddress) async throws -> Handoff? {
        try await read { db in try await HandoffRows.open(address, lock: false, db, logger) }
    }

    public func notes(of id: Int64) async throws -> [HandoffNote] {
        try await read { db in
            try await db.rows("SELECT author, text, created_at FROM handoff_notes WHERE handoff_id = \(id) ORDER BY id", logger).map { row in
                let (author, text, at) = try row.decode((String, String, Double).self)
                return HandoffNote(author: author, text: text, at: Date(timeIntervalSince1970: at))
            }
        }
    }

    public func transcript(of address: ChannelAddress, since date: Date, limit: Int) async throws -> [TranscriptLine] {
        try await read { db in
            try await db.rows("""
                SELECT direction, data, created_at FROM messages
                WHERE channel = \(address.channel.rawValue) AND address = \(address.address) AND created_at >= \(date.timeIntervalSince1970)
                ORDER BY id DESC LIMIT \(limit)
                """, logger).reversed().map { row in
                let (direction, data, created) = try row.decode((String, String, Double).self)
                let at = Date(timeIntervalSince1970: created)
                if direction == "in" { return TranscriptLine(from: .resident, text: try StoredJSON.decode(InboundMessage.self, data).text, at: at) }
                let message = try StoredJSON.decode(RenderedMessage.self, data)
                return TranscriptLine(from: message.kind == .operatorReply ? .operator : .bot, text: message.body, at: at)
            }
        }
    }
}

extension PostgresStore: ExternalLinkStore {
    public func saveLink(_ link: ExternalLink, at date: Date) async throws {
        try await read { db in
            try await db.run("""
                INSERT INTO ticket_links (ticket_id, system, external_id, token, updated_at)
                SELECT id, \(link.system), \(link.externalID), \(link.token), \(date.timeIntervalSince1970)
                FROM tickets WHERE tracking_number = \(link.ticket.digits)
                ON CONFLICT (ticket_id, system) DO UPDATE SET external_id = coalesce(excluded.external_id, ticket_links.external_id),
                    token = coalesce(excluded.token, ticket_links.token), updated_at = excluded.updated_at
                """, logger)
        }
    }

    public func openLinks(system: String, limit: Int) async throws -> [ExternalLink] {
        try await read { db in
            try await db.rows("""
                SELECT t.tracking_number, l.external_id, l.token FROM ticket_links l JOIN tickets t ON t.id = l.ticket_id
                WHERE l.system = \(system) AND t.status <> 'closed' ORDER BY t.id LIMIT \(limit)
                """, logger).compactMap { row in
                let (number, external, token) = try row.decode((String, String?, String?).self)
                return TrackingNumber(parsing: number).map { ExternalLink(ticket: $0, system: system, externalID: external, token: token) }
            }
        }
    }

    public func ticket(system: String, externalID: String) async throws -> TrackingNumber? {
        try await read { db in
            try await db.rows("""
                SELECT t.tracking_number FROM ticket_links l JOIN tickets t ON t.id = l.ticket_id
                WHERE l.system = \(system) AND l.external_id = \(externalID)
                """, logger).first.flatMap { TrackingNumber(parsing: try $0.decode(String.self)) }
        }
    }
}

extension PostgresStore: ReportStore {
    /// Streams the facts of the query's tickets (by first contact) into `sink`, the survey answers joined in.
    public func reduceTicketFacts<Sink: TicketFactSink>(_ query: ReportQuery, into sink: Sink) async throws -> Sink {
        let (from, to) = (query.from?.timeIntervalSince1970, query.to?.timeIntervalSince1970)
        let departments = query.departments.map { $0.sorted() }
        let logger = logger
        return try await read { db in
            var sink = sink
            let rows = try await db.query("""
                SELECT t.tracking_number, t.service_code, t.department, t.jurisdiction, t.area, t.locale, t.channel, t.status,
                       coalesce(t.first_contact_at, t.requested_at), t.requested_at, t.expected_at, t.closed_at, s.rating, s.fixed, t.reopened
                FROM tickets t LEFT JOIN surveys s ON s.ticket_id = t.id
                WHERE (\(from)::float8 IS NULL OR t.first_contact_at >= \(from))
                  AND (\(to)::float8 IS NULL OR t.first_contact_at < \(to))
                  AND (\(departments)::text[] IS NULL OR t.department = ANY(\(departments)))
                """, logger: logger)
            for try await row in rows {
                let (number, service, department, jurisdiction, area, locale, channel, status, first, requested, expected, closed, rating, fixed,
                     reopened) = try row.decode((String, String, String, String, String?, String, String, String, Double, Double, Double?,
                                                 Double?, Int?, String?, Int).self)
                sink.add(TicketFact(trackingNumber: number, serviceCode: service, department: department, jurisdiction: jurisdiction, area: area,
                                    locale: locale, channel: channel, status: TicketStatus(rawValue: status) ?? .open, firstContact: first,
                                    requestedAt: requested, expectedAt: expected, closedAt: closed, rating: rating, fixed: fixed,
                                    reopened: reopened))
            }
            return sink
        }
    }

    public func contactFacts(_ query: ReportQuery) async throws -> ContactFacts {
        let from = query.from?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude
        let to = query.to?.timeIntervalSince1970 ?? Double.greatestFiniteMagnitude
        return try await read { db in
            var facts = ContactFacts()
            facts.handoffs = try await db.rows("""
                SELECT channel, locale, department, opened_at, first_reply_at FROM handoffs
                WHERE opened_at >= \(from) AND opened_at < \(to) ORDER BY opened_at
                """, logger).map { row in
                let (channel, locale, department, opened, reply) = try row.decode((String, String?, String?, Double, Double?).self)
                return HandoffFact(channel: channel, locale: locale, department: department, openedAt: opened, firstReplyAt: reply)
            }.filter { query.covers(department: $0.department) }
            guard query.departments == nil else { return facts }
            facts.emergencies = try await db.rows("""
                SELECT channel, locale, created_at FROM emergencies WHERE created_at >= \(from) AND created_at < \(to) ORDER BY created_at
                """, logger).map { row in
                let (channel, locale, at) = try row.decode((String, String?, Double).self)
                return EmergencyFact(channel: channel, locale: locale, at: at)
            }
            for row in try await db.rows("""
                SELECT channel, data, created_at FROM events
                WHERE kind = 'session_ended' AND created_at >= \(from) AND created_at < \(to) ORDER BY created_at
                """, logger) {
                let (channel, data, at) = try row.decode((String?, String, Double).self)
                guard case .sessionEnded(let reason) = try StoredJSON.decode(Event.self, data), reason.abandonsReport else { continue }
                facts.abandoned.append(AbandonedFact(channel: channel ?? "unknown", at: at))
            }
            return facts
        }
    }
}
