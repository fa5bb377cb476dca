import Foundation
import Storage
import StoragePostgres
import StorageSQLite

/// `cityline db copy`: a city's SQLite database into an empty PostgreSQL one — tickets, conversations, consent,
/// outbox, jobs, tokens, notices, everything, and the data directory's `secret.key` — in one transaction, then checked table by table by counting rows on both sides.
/// Stop `cityline serve` first (a copy of a database still being written would miss what comes after it).
public enum DatabaseCopy {
    public struct Report: Sendable {
        /// Per table, in copy order: rows in the SQLite file and in PostgreSQL afterwards.
        public var counts: [(table: String, from: Int, to: Int)] = []
        public var matches: Bool { counts.allSatisfy { $0.from == $0.to } }
    }

    public static func run(from sqlitePath: String, to url: String) async throws -> Report {
        guard FileManager.default.fileExists(atPath: sqlitePath) else { throw AppError("no SQLite database at \(sqlitePath)") }
        let source = try SQLiteStore(path: sqlitePath)
        let target: PostgresStore
        do {
            target = try await PostgresStore(url: try DatabaseURL(url), maximumConnections: 2, leaseTimeout: .seconds(60))
        } catch let error as PostgresStoreError {
            throw AppError(error.description)
        }
        defer { Task { await target.close() } }
        do {
            try await target.load { insert in
                for table in StoredTables.all { try await source.dump(table) { try await insert($0) } }
            }
        } catch let error as PostgresStoreError {
            throw AppError("nothing was copied: \(error.description)")
        }
        // The deployment's secret (unsubscribe links already sent, console sign-ins) goes along, unless CITYLINE_SECRET
        // was used, which the new instances will be given too.
        let secretFile = ((sqlitePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("secret.key")
        if let secret = FileManager.default.contents(atPath: secretFile), secret.count >= 32 {
            try await target.replaceSharedSecret(Array(secret))
        }
        var report = Report()
        for table in StoredTables.all {
            report.counts.append((table, try await source.rowCount(table), try await target.rowCount(table)))
        }
        return report
    }
}
