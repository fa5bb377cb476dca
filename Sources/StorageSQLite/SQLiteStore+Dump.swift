import GRDB
import Storage

extension SQLiteStore {
    /// Reads `table` in batches of `batchSize` rows, in rowid order, handing each to `body` (`cityline db copy`).
    public func dump(_ table: String, batchSize: Int = 2_000, _ body: (TableBatch) async throws -> Void) async throws {
        precondition(StoredTables.all.contains(table))
        var after: Int64 = .min
        while true {
            let start = after
            let (batch, last) = try await read { db -> (TableBatch, Int64?) in
                let rows = try Row.fetchAll(db, sql: "SELECT rowid AS cityline_rowid, * FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                            arguments: [start, batchSize])
                let columns = rows.first.map { Array(Array($0.columnNames).dropFirst()) } ?? []
                let values = rows.map { row in
                    Array(row.databaseValues).dropFirst().map { value -> TableBatch.Value in
                        switch value.storage {
                        case .null: .null
                        case .int64(let value): .integer(value)
                        case .double(let value): .real(value)
                        case .string(let value): .text(value)
                        case .blob(let data): .text(String(decoding: data, as: UTF8.self))
                        }
                    }
                }
                return (TableBatch(table: table, columns: columns, rows: values), rows.last?["cityline_rowid"])
            }
            guard let last else { return }
            try await body(batch)
            after = last
        }
    }

    /// How many rows `table` has.
    public func rowCount(_ table: String) async throws -> Int {
        precondition(StoredTables.all.contains(table))
        return try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }
}
