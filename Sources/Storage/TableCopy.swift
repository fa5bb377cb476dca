/// Rows of one table as the stores hold them, for moving a city's data from one engine to another
/// (`cityline db copy`): the column names and, per row, each column's value in SQLite's four storage classes.
public struct TableBatch: Sendable {
    public enum Value: Sendable, Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
    }

    public var table: String
    public var columns: [String]
    public var rows: [[Value]]

    public init(table: String, columns: [String], rows: [[Value]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }
}

/// The tables every store keeps, parents before children (the order a copy writes them in).
public enum StoredTables {
    public static let all = [
        "contacts", "contact_addresses", "sessions", "messages", "tickets", "ticket_events", "notices", "outbox", "staff_tokens", "jobs",
        "ticket_followers", "surveys", "ticket_requests", "emergencies", "events", "sequences", "pacing", "handoffs", "handoff_notes",
        "ticket_links", "alert_subscriptions", "early_receipts",
    ]
}
