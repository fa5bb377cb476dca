import CityModel
import Foundation

/// What a department's Open311 server receives for a new ticket, as the outbox keeps it until it is sent: the
/// `POST requests` form fields (no `api_key`: the transport adds it from the environment, so no secret is ever in
/// the outbox) and the `Idempotency-Key` that makes a retry file nothing twice where the server honours it.
///
/// ```json
/// {"department": "streets", "idempotency_key": "cityline-1000002",
///  "fields": [["service_code", "PH01"], ["lat", "39.7666"], ["long", "-89.6781"], ["address_string", "1423 Oak St"], …]}
/// ```
/// No resident contact details: the department works the ticket; CityLine talks to the resident.
public struct Open311Filing: Codable, Hashable, Sendable {
    public var department: String
    public var idempotencyKey: String
    public var fields: [[String]]

    enum CodingKeys: String, CodingKey {
        case department, fields
        case idempotencyKey = "idempotency_key"
    }

    public init(department: String, idempotencyKey: String, fields: [[String]]) {
        self.department = department
        self.idempotencyKey = idempotencyKey
        self.fields = fields
    }

    /// The filing of `ticket` into `endpoint`: its service code as they call it, the point and matched address, the
    /// resident's description prefixed with our tracking number, the answers (when the service code is shared,
    /// so are the questions), the tracking number in their reference attribute when they have one.
    public init(_ ticket: Ticket, endpoint: Open311Endpoint) {
        let draft = ticket.draft
        let theirs = endpoint.serviceCodes[draft.serviceCode]
        var fields: [[String]] = [["service_code", theirs ?? draft.serviceCode]]
        if let id = endpoint.jurisdictionID { fields.append(["jurisdiction_id", id]) }
        if let point = draft.location?.coordinate {
            fields.append(["lat", String(format: "%.6f", point.latitude)])
            fields.append(["long", String(format: "%.6f", point.longitude)])
        }
        if let address = draft.location?.matched ?? draft.location?.text { fields.append(["address_string", String(address.prefix(200))]) }
        fields.append(["description", String("CityLine \(draft.trackingNumber.digits): \(draft.description)".prefix(4_000))])
        if theirs == nil {
            for answer in draft.attributes {
                switch answer.value {
                case .text(let text): fields.append(["attribute[\(answer.code)]", text])
                case .number(let number): fields.append(["attribute[\(answer.code)]", number == number.rounded() ? String(Int(number)) : String(number)])
                case .datetime(let date): fields.append(["attribute[\(answer.code)]", ISO8601DateFormatter().string(from: date)])
                case .options(let keys):
                    for key in keys { fields.append([keys.count == 1 ? "attribute[\(answer.code)]" : "attribute[\(answer.code)][]", key]) }
                case .unreadable, .skipped: break
                }
            }
        }
        if let attribute = endpoint.trackingAttribute { fields.append(["attribute[\(attribute)]", draft.trackingNumber.digits]) }
        for media in draft.media where media.url.hasPrefix("https://") || media.url.hasPrefix("http://") {
            fields.append(["media_url", media.url])
            break
        }
        self.init(department: ticket.department, idempotencyKey: "cityline-\(draft.trackingNumber.digits)", fields: fields)
    }

    /// The system a ticket filed this way is linked in (`ExternalLink.system`).
    public static func system(_ department: String) -> String { "open311:\(department)" }
}
