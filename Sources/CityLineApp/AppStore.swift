import Foundation
import Logging
import Storage
import StoragePostgres
import StorageSQLite

/// Every storage port the application uses (conversations, tickets, outbox, staff tokens, jobs), in one store.
public typealias AppStorePorts = ConversationStore & TicketStore & OutboxStore & TokenStore & JobStore & TrackingNumberStore & PacingStore & HandoffStore & ReportStore & ExternalLinkStore & AlertStore

/// The store the application runs on, opened from `AppConfiguration.StorageSettings`.
struct AppStore {
    let ports: any AppStorePorts
    /// Where the data is, for the start-up summary (a PostgreSQL URL without its password).
    let location: String
    /// Frees the leases a stopped process left when this one is alone with the database (nil: another process
    /// uses it, or the store keeps no leases across processes).
    let releaseLeasesIfAlone: @Sendable (Date) async throws -> (jobs: Int, outbox: Int)?
    /// The secret every instance on the store shares, given a new one to keep if there is none (nil: the store is
    /// one process's; the secret lives in the data directory).
    var sharedSecret: (@Sendable ([UInt8]) async throws -> [UInt8])? = nil
}

extension AppConfiguration.StorageSettings {
    /// Opens `cityline.sqlite` in the data directory (creating both), or throws an `AppError` saying why.
    public func openSQLiteStore() throws -> SQLiteStore {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            return try SQLiteStore(path: (dataDirectory as NSString).appendingPathComponent("cityline.sqlite"))
        } catch {
            throw AppError("cannot open the database in \(dataDirectory): \(error)")
        }
    }

    /// Connects to the PostgreSQL database of `databaseURL` (migrating its schema), or throws an `AppError` naming the
    /// URL without its password.
    public func openPostgresStore(_ url: String, logger: Logger = Logger(label: "cityline.postgres")) async throws -> PostgresStore {
        do {
            return try await PostgresStore(url: try DatabaseURL(url), logger: logger)
        } catch let error as PostgresStoreError {
            throw AppError(error.description)
        }
    }

    /// The store the commands use: PostgreSQL with a database URL, else the SQLite file in the data directory.
    public func openStore() async throws -> any AppStorePorts {
        try await open().ports
    }

    func open() async throws -> AppStore {
        switch store {
        case .dataDirectory:
            if let databaseURL {
                let postgres = try await openPostgresStore(databaseURL)
                return AppStore(ports: postgres, location: postgres.location, releaseLeasesIfAlone: { try await postgres.releaseLeasesIfAlone(at: $0) },
                                sharedSecret: { try await postgres.sharedSecret(candidate: $0) })
            }
            let sqlite = try openSQLiteStore()
            return AppStore(ports: sqlite, location: sqlite.path, releaseLeasesIfAlone: { try await sqlite.releaseLeasesIfAlone(at: $0) })
        case .sqlite(let sqlite):
            return AppStore(ports: sqlite, location: sqlite.path, releaseLeasesIfAlone: { try await sqlite.releaseLeasesIfAlone(at: $0) })
        case .postgres(let postgres):
            return AppStore(ports: postgres, location: postgres.location, releaseLeasesIfAlone: { try await postgres.releaseLeasesIfAlone(at: $0) },
                            sharedSecret: { try await postgres.sharedSecret(candidate: $0) })
        case .memory(let memory):
            return AppStore(ports: memory, location: "in memory (nothing is kept after the process ends)", releaseLeasesIfAlone: { _ in (0, 0) })
        }
    }
}
