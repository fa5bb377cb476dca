import CityModel
import Foundation

/// A ticket as another system knows it: the department's work-order system it was filed into (`open311:streets`),
/// its id there, or until the system gives one, the token it answered with.
public struct ExternalLink: Hashable, Sendable {
    public var ticket: TrackingNumber
    public var system: String
    public var externalID: String?
    public var token: String?

    public init(ticket: TrackingNumber, system: String, externalID: String?, token: String?) {
        self.ticket = ticket
        self.system = system
        self.externalID = externalID
        self.token = token
    }
}

/// Where tickets are linked to their copies in departments' systems (Open311 client).
public protocol ExternalLinkStore: Sendable {
    /// Records (or completes: a token's id) the link of `link.ticket` in `link.system`.
    func saveLink(_ link: ExternalLink, at date: Date) async throws
    /// The links of `system` whose ticket is not closed: what a poll asks about.
    func openLinks(system: String, limit: Int) async throws -> [ExternalLink]
    /// The ticket `system` calls `externalID`.
    func ticket(system: String, externalID: String) async throws -> TrackingNumber?
}
