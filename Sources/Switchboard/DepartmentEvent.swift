import CityModel
import Foundation

/// What a department's system receives about a ticket (signed by the webhook transport):
///
/// ```json
/// {"event": "reopened", "at": "2026-11-24T15:00:00Z", "ticket": {"id": "1000002", "service_code": "pothole",
///  "department": "streets", "jurisdiction": "springfield", "status": "open", "location": "1423 oak st",
///  "matched_address": "1423 Oak St", "latitude": 39.79, "longitude": -89.65, "requested_at": "2026-11-23T16:00:00Z", "expected_at": "…", "description": "…"}}
/// ```
/// No resident contact details: the department works the ticket, the city talks to the resident.
struct DepartmentEvent: Encodable {
    struct TicketBody: Encodable {
        var id: String
        var service_code: String
        var department: String
        var jurisdiction: String
        var status: String
        /// The place in the resident's words.
        var location: String?
        /// The address the city's data matched (nil when the place stayed text).
        var matched_address: String?
        var latitude: Double?
        var longitude: Double?
        var requested_at: Date
        var expected_at: Date?
        var description: String
    }

    var event: String
    var at: Date
    var ticket: TicketBody

    init(event: String, ticket: Ticket, at: Date) {
        self.event = event
        self.at = at
        let draft = ticket.draft
        self.ticket = TicketBody(
            id: ticket.trackingNumber.digits, service_code: draft.serviceCode, department: ticket.department,
            jurisdiction: draft.jurisdiction, status: ticket.status.rawValue, location: draft.location?.text,
            matched_address: draft.location?.matched, latitude: draft.location?.coordinate?.latitude, longitude: draft.location?.coordinate?.longitude,
            requested_at: draft.requestedAt, expected_at: draft.expectedAt, description: draft.description
        )
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
