import Foundation
import Storage
import StorageSQLite

/// Every storage port the application uses (conversations, tickets, outbox, staff tokens, jobs), in one store.
public typealias AppStorePorts = ConversationStore & TicketStore & OutboxStore & TokenStore & JobStore & TrackingNumberStore & PacingStore & HandoffStore & ReportStore & ExternalLinkStore & AlertStore

/// The store the application runs on, opened from `AppConfiguration.StorageSettings`.
struct AppStore {
    let ports: any AppStorePorts
    /// Where the data is, for the start-up summary.
    let location: String
    /// The SQLite store, when it is one: its leases are freed at start-up.
    let sqlite: SQLiteStore?
}

extension AppConfiguration.StorageSettings {
    /// Opens `cityline.sqlite` in the data directory (creating both), or throws an `AppError` saying why; a
    /// database URL is refused until PostgreSQL is available.
    public func openSQLiteStore() throws -> SQLiteStore {
        if databaseURL != nil {
            throw AppError("PostgreSQL (--database-url) is not available in this build yet; CityLine runs on SQLite in --data-dir")
        }
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            return try SQLiteStore(path: (dataDirectory as NSString).appendingPathComponent("cityline.sqlite"))
        } catch {
            throw AppError("cannot open the database in \(dataDirectory): \(error)")
        }
    }

    func open() throws -> AppStore {
        switch store {
        case .dataDirectory:
            let sqlite = try openSQLiteStore()
            return AppStore(ports: sqlite, location: sqlite.path, sqlite: sqlite)
        case .sqlite(let sqlite):
            return AppStore(ports: sqlite, location: sqlite.path, sqlite: sqlite)
        case .memory(let memory):
            return AppStore(ports: memory, location: "in memory (nothing is kept after the process ends)", sqlite: nil)
        }
    }
}
