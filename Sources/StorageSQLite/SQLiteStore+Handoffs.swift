import CityModel
import Conversation
import Foundation
import GRDB
import Localization
import Messaging
import Storage

/// The operators' queue as rows: plain writes of `Handoff.applying`, no rule of its own.
enum HandoffRows {
    static func save(_ write: HandoffWrite, _ db: Database) throws {
        let stored: Handoff?
        if let id = write.id {
            guard let open = try fetch(db, where: "id = ? AND state != 'closed'", [id]).first else { throw StoreError.handoffClosed }
            stored = open
        } else if let address = write.address {
            stored = try open(address, db)
        } else {
            stored = nil
        }
        if case .noted(let id, let note) = write {
            try db.run("INSERT INTO handoff_notes (handoff_id, author, text, created_at) VALUES (?, ?, ?, ?)",
                       [id, note.author, note.text, note.at.timeIntervalSince1970])
        }
        if let stored {
            let changed = stored.applying(write)
            if changed != stored { try update(changed, db) } // a note changes only its own table
        } else if case .open(let address, let locale, let department, let report, let at) = write {
            try db.run("""
                INSERT INTO handoffs (channel, address, locale, state, department, opened_at, last_message_at, report)
                VALUES (?, ?, ?, 'waiting', ?, ?, ?, ?)
                """, [address.channel.rawValue, address.address, locale?.code, department, at.timeIntervalSince1970, at.timeIntervalSince1970,
                      try report.map(StoredJSON.encode)])
        }
    }

    static func open(_ address: ChannelAddress, _ db: Database) throws -> Handoff? {
        try fetch(db, where: "channel = ? AND address = ? AND state != 'closed'", [address.channel.rawValue, address.address]).first
    }

    static func update(_ handoff: Handoff, _ db: Database) throws {
        try db.run("""
            UPDATE handoffs SET locale = ?, state = ?, department = ?, last_message_at = ?, assigned_to = ?, first_reply_at = ?,
                closed_at = ?, closed_by = ?, report = ? WHERE id = ?
            """, [handoff.locale?.code, handoff.state.rawValue, handoff.department, handoff.lastMessageAt.timeIntervalSince1970,
                  handoff.assignedTo, handoff.firstReplyAt?.timeIntervalSince1970, handoff.closedAt?.timeIntervalSince1970,
                  handoff.closedBy, try handoff.report.map(StoredJSON.encode), handoff.id])
    }

    static func fetch(_ db: Database, where condition: String, _ arguments: StatementArguments, suffix: String = "") throws -> [Handoff] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM handoffs WHERE \(condition) \(suffix)"), arguments: arguments).compactMap { row in
            guard let channel = Channel(rawValue: row["channel"]), let state = Handoff.State(rawValue: row["state"]) else { return nil }
            func date(_ column: String) -> Date? { (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
            return Handoff(id: row["id"], address: ChannelAddress(channel: channel, address: row["address"]),
                           locale: (row["locale"] as String?).map(LanguageTag.init), state: state, department: row["department"],
                           openedAt: date("opened_at") ?? .distantPast, lastMessageAt: date("last_message_at") ?? .distantPast,
                           assignedTo: row["assigned_to"], firstReplyAt: date("first_reply_at"), closedAt: date("closed_at"),
                           closedBy: row["closed_by"], report: try (row["report"] as String?).map { try StoredJSON.decode(ReportDraft.self, $0) })
        }
    }
}

extension SQLiteStore: HandoffStore {
    public func handoffs(states: Set<Handoff.State>?, departments: Set<String?>?, limit: Int) async throws -> [Handoff] {
        var conditions = ["1"]
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let states {
            conditions.append("state IN (\(states.map { _ in "?" }.joined(separator: ", ")))")
            arguments += states.map { $0.rawValue }
        }
        if let departments {
            var alternatives = ["0"]
            let named = departments.compactMap { $0 }
            if !named.isEmpty {
                alternatives.append("department IN (\(named.map { _ in "?" }.joined(separator: ", ")))")
                arguments += named
            }
            if departments.contains(nil) { alternatives.append("department IS NULL") }
            conditions.append("(\(alternatives.joined(separator: " OR ")))")
        }
        arguments.append(limit)
        let (condition, values) = (conditions.joined(separator: " AND "), StatementArguments(arguments))
        return try await read { db in
            try HandoffRows.fetch(db, where: condition, values, suffix: "ORDER BY opened_at, id LIMIT ?")
        }
    }

    public func handoff(_ id: Int64) async throws -> Handoff? {
        try await read { db in try HandoffRows.fetch(db, where: "id = ?", [id]).first }
    }

    public func notes(of id: Int64) async throws -> [HandoffNote] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT author, text, created_at FROM handoff_notes WHERE handoff_id = ? ORDER BY id", arguments: [id]).map {
                HandoffNote(author: $0["author"], text: $0["text"], at: Date(timeIntervalSince1970: $0["created_at"]))
            }
        }
    }

    public func openHandoff(for address: ChannelAddress) async throws -> Handoff? {
        try await read { db in try HandoffRows.open(address, db) }
    }

    public func transcript(of address: ChannelAddress, since date: Date, limit: Int) async throws -> [TranscriptLine] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT direction, data, created_at FROM messages
                WHERE channel = ? AND address = ? AND created_at >= ? ORDER BY id DESC LIMIT ?
                """, arguments: [address.channel.rawValue, address.address, date.timeIntervalSince1970, limit]).reversed().map { row in
                let at = Date(timeIntervalSince1970: row["created_at"])
                if row["direction"] as String == "in" {
                    return TranscriptLine(from: .resident, text: try StoredJSON.decode(InboundMessage.self, row["data"]).text, at: at)
                }
                let message = try StoredJSON.decode(RenderedMessage.self, row["data"])
                return TranscriptLine(from: message.kind == .operatorReply ? .operator : .bot, text: message.body, at: at)
            }
        }
    }
}
