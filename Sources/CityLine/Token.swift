import ArgumentParser
import CityLineApp
import CityModel
import Crypto
import Foundation
import Storage
import WebAPI

/// `cityline token create`: a staff API token, printed once and stored only as its SHA-256 hash.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage staff API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; it is printed once and stored hashed.")

        @Option(help: "admin (every department), staff (one department) or open311 (an api_key for Open311 GeoReport v2 clients).")
        var role: String

        @Option(help: "The department a staff token is for (a code from the city configuration).")
        var department: String?

        @Option(help: "A note to recognise the token by (who or what uses it).")
        var label: String?

        @Option(help: "The languages an operator answers in, comma-separated (es,en): those conversations come first in their queue.")
        var languages: String?

        @OptionGroup var city: CityOptions
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            guard let role = StaffRole(rawValue: role) else { throw ValidationError("--role must be admin, staff or open311") }
            var flags = AppConfiguration.Flags()
            city.apply(to: &flags)
            storage.apply(to: &flags)
            let configuration = try AppConfiguration.commandLine(flags)
            let loaded = try LoadedCity.load(configuration.city)
            if role == .staff {
                guard let department else { throw ValidationError("a staff token needs --department") }
                guard loaded.city.department(department) != nil else {
                    throw ValidationError("unknown department '\(department)'; known: \(loaded.city.departments.map(\.code).joined(separator: ", "))")
                }
            }
            let spoken = try (languages ?? "").split(separator: ",").map { raw in
                let tag = LanguageTag(raw.trimmingCharacters(in: .whitespaces))
                guard let known = tag.match(among: loaded.city.locales) else {
                    throw ValidationError("unknown language '\(raw)'; the city's: \(loaded.city.locales.map(\.code).joined(separator: ", "))")
                }
                return known
            }
            let secret = "clt_" + Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let store = try await configuration.storage.openStore()
            let token = try await store.createToken(hash: StaffTokenHash.hash(secret), role: role,
                                                    department: role == .staff ? department : nil, label: label, languages: spoken, at: Date())
            print(secret)
            FileHandle.standardError.write(Data("token \(token.id) (\(role.rawValue)\(department.map { ", \($0)" } ?? "")) created; it is shown only once\n".utf8))
        }
    }
}
