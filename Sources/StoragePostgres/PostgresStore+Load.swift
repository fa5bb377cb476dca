import Foundation
import Logging
import PostgresNIO
import Storage

extension PostgresStore {
    /// Loads rows into an empty database in one transaction — all of them or, on any error, none: `fill` hands
    /// batches to the `insert` it is given (columns this schema lacks are dropped; values are converted to the
    /// column's type). Identity counters are moved past the loaded ids. Throws when the database already holds a
    /// city's data.
    public func load(_ fill: (_ insert: (TableBatch) async throws -> Void) async throws -> Void) async throws {
        let logger = logger
        try await transaction { db in
            for table in ["contacts", "messages", "tickets", "outbox", "jobs", "staff_tokens", "handoffs"] {
                let rows = try await db.rows(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) LIMIT 1"), logger)
                if !rows.isEmpty { throw PostgresStoreError("the database at \(url.redacted) already holds data (\(table)): copy into an empty one") }
            }
            // The migration's own starting row is replaced by the copied one.
            try await db.run("DELETE FROM sequences", logger)
            var types: [String: [String: String]] = [:]
            for row in try await db.rows("""
                SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()
                """, logger) {
                let (table, column, type) = try row.decode((String, String, String).self)
                types[table, default: [:]][column] = type
            }
            try await fill { batch in try await Self.insert(batch, types: types[batch.table] ?? [:], db, logger) }
            for table in StoredTables.all where types[table]?["id"] != nil {
                try await db.run(PostgresQuery(unsafeSQL: """
                    SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce(max(id), 0) + 1, false) FROM \(table)
                    """), logger)
            }
        }
    }

    private static func insert(_ batch: TableBatch, types: [String: String], _ db: PostgresConnection, _ logger: Logger) async throws {
        let kept = batch.columns.enumerated().filter { types[$0.element] != nil }
        guard !kept.isEmpty, !batch.rows.isEmpty else { return }
        let perStatement = max(1, 30_000 / kept.count)
        for start in stride(from: 0, to: batch.rows.count, by: perStatement) {
            let rows = batch.rows[start..<min(start + perStatement, batch.rows.count)]
            var bindings = PostgresBindings(capacity: rows.count * kept.count)
            var tuples: [String] = []
            for row in rows {
                var marks: [String] = []
                for (index, column) in kept {
                    try bind(row[index], as: types[column] ?? "text", column: "\(batch.table).\(column)", into: &bindings)
                    marks.append("$\(bindings.count)")
                }
                tuples.append("(" + marks.joined(separator: ", ") + ")")
            }
            let columns = kept.map(\.element).joined(separator: ", ")
            try await db.run(PostgresQuery(unsafeSQL: "INSERT INTO \(batch.table) (\(columns)) VALUES " + tuples.joined(separator: ", "),
                                           binds: bindings), logger)
        }
    }

    /// Binds `value` as the column's PostgreSQL type (SQLite keeps flags as integers and may keep a whole REAL as one).
    private static func bind(_ value: TableBatch.Value, as type: String, column: String, into bindings: inout PostgresBindings) throws {
        func wrong() -> PostgresStoreError { PostgresStoreError("\(column): \(value) does not fit a \(type) column") }
        switch (value, type) {
        case (.null, "boolean"): bindings.append(Bool?.none)
        case (.null, "bigint"), (.null, "integer"): bindings.append(Int64?.none)
        case (.null, "double precision"): bindings.append(Double?.none)
        case (.null, _): bindings.append(String?.none)
        case (.integer(let number), "boolean"): bindings.append(number != 0)
        case (.integer(let number), "bigint"): bindings.append(number)
        case (.integer(let number), "integer"): bindings.append(Int32(clamping: number))
        case (.integer(let number), "double precision"): bindings.append(Double(number))
        case (.integer(let number), "text"): bindings.append(String(number))
        case (.real(let number), "double precision"): bindings.append(number)
        case (.real(let number), "bigint") where number == number.rounded(): bindings.append(Int64(number))
        case (.real(let number), "text"): bindings.append("\(number)")
        case (.text(let text), "text"): bindings.append(text)
        case (.text(let text), "double precision"):
            guard let number = Double(text) else { throw wrong() }
            bindings.append(number)
        case (.text(let text), "bigint"):
            guard let number = Int64(text) else { throw wrong() }
            bindings.append(number)
        default: throw wrong()
        }
    }

    /// How many rows `table` has.
    public func rowCount(_ table: String) async throws -> Int {
        precondition(StoredTables.all.contains(table))
        return try await read { db in try await db.rows(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table)"), logger)[0].decode(Int.self) }
    }
}
