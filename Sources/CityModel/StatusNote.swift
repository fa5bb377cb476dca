import Foundation

/// A public note on a ticket's status, as staff give it: one of the city's canned notes (`notes.<code>` in
/// `Locales/`, so every resident reads it in their own language), or free text in the crew's own words, which
/// residents see framed as such ("Crew's note: “Repaired”") since it is not translated.
///
/// Stored as the ticket's `publicNote`: a canned note as its key (`notes.repaired`), free text as written.
public enum StatusNote: Hashable, Sendable {
    case canned(String)
    case words(String)

    public static let keyPrefix = "notes."

    public init(_ stored: String) {
        let code = stored.dropFirst(Self.keyPrefix.count)
        if stored.hasPrefix(Self.keyPrefix), !code.isEmpty,
           code.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }) {
            self = .canned(stored)
        } else {
            self = .words(stored)
        }
    }

    /// The key of canned note `code` (`repaired` → `notes.repaired`).
    public static func key(_ code: String) -> String { keyPrefix + code }
}
