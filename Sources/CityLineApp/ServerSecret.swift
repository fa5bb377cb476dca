import Crypto
import Foundation

/// The server's secret (signs unsubscribe links and console sign-ins): `CITYLINE_SECRET`, else the one the store
/// keeps for every instance sharing it (PostgreSQL), else a random key kept in the data directory (`secret.key`,
/// readable by the owner only), made on first start.
enum ServerSecret {
    static func key(_ configuration: AppConfiguration, store: AppStore) async throws -> Data {
        if let secret = configuration.serverSecret { return Data(secret.utf8) }
        if let shared = store.sharedSecret {
            return Data(try await shared(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }))
        }
        let path = (configuration.storage.dataDirectory as NSString).appendingPathComponent("secret.key")
        if let existing = FileManager.default.contents(atPath: path), existing.count >= 32 { return existing }
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: path, contents: key, attributes: [.posixPermissions: 0o600]) else {
            throw AppError("cannot write \(path)")
        }
        return key
    }
}
