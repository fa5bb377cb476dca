import CityModel
import Foundation
import Storage

/// Tickets as the staff API shows them.
enum TicketJSON {
    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    static func date(_ date: Date?) -> Any { date.map(iso) ?? NSNull() }

    static func summary(_ ticket: Ticket, city: City) -> [String: Any] {
        let draft = ticket.draft
        var location: Any = NSNull()
        if let place = draft.location {
            location = [
                "text": place.text, "kind": place.kind.rawValue, "matched": place.matched ?? NSNull(),
                "latitude": place.coordinate.map { $0.latitude as Any } ?? NSNull(),
                "longitude": place.coordinate.map { $0.longitude as Any } ?? NSNull(),
            ] as [String: Any]
        }
        return [
            "id": ticket.trackingNumber.digits,
            "service_code": draft.serviceCode,
            "service_name": city.service(draft.serviceCode)?.name.resolve(city.defaultLocale) ?? draft.serviceCode,
            "status": ticket.status.rawValue,
            "department": ticket.department,
            "jurisdiction": draft.jurisdiction,
            "description": draft.description,
            "location": location,
            "requested_at": date(draft.requestedAt),
            "updated_at": date(ticket.updatedAt),
            "expected_at": date(draft.expectedAt),
            "closed_at": date(ticket.closedAt),
            "resolution": ticket.resolution ?? NSNull(),
            "status_note": ticket.publicNote ?? NSNull(),
            "locale": draft.locale.code,
            "channel": draft.channel.rawValue,
        ]
    }

    /// `followers`: how many other residents follow it (most of them reported the same problem and were offered
    /// to follow instead); nil leaves it out.
    static func detail(_ ticket: Ticket, history: [TicketEvent], city: City, followers: Int? = nil,
                       survey: SurveyRecord? = nil) -> [String: Any] {
        var object = summary(ticket, city: city)
        if let followers { object["followers"] = followers }
        // The reporter's answers to "is it fixed?", the 1–5 rating and the comment, once asked.
        object["survey"] = survey.map { record -> [String: Any] in
            ["state": record.state.rawValue, "fixed": record.fixed?.rawValue ?? NSNull(), "rating": record.rating ?? NSNull(),
             "comment": record.comment ?? NSNull(), "asked_at": iso(record.startedAt), "updated_at": iso(record.updatedAt)]
        } ?? NSNull()
        var attributes: [String: Any] = [:]
        for answer in ticket.draft.attributes { attributes[answer.code] = value(answer.value) }
        object["attributes"] = attributes
        object["media"] = ticket.draft.media.map { media in
            // A photo sent through the web chat is fetched through the staff API, as the ticket is.
            let url = media.url.hasPrefix(ChatPhotos.scheme)
                ? "/api/v1/tickets/\(ticket.trackingNumber)/photos/" + media.url.dropFirst(ChatPhotos.scheme.count) : media.url
            return ["url": url, "content_type": media.contentType ?? NSNull()] as [String: Any]
        }
        // The reporter's address is personal: staff see the channel and a masked address only.
        object["reporter"] = ["channel": ticket.reporter.channel.rawValue, "address": ticket.reporter.masked]
        object["history"] = history.map(event)
        return object
    }

    static func event(_ event: TicketEvent) -> [String: Any] {
        [
            "kind": event.kind.rawValue, "at": date(event.at), "status": event.status?.rawValue ?? NSNull(),
            "department": event.department ?? NSNull(), "note": event.note ?? NSNull(), "public": event.isPublic, "actor": event.actor,
        ]
    }

    static func value(_ value: AttributeValue) -> Any {
        switch value {
        case .text(let text): text
        case .number(let number): number
        case .datetime(let date): iso(date)
        case .options(let keys): keys
        case .unreadable(let text): ["unreadable": text]
        case .skipped: NSNull()
        }
    }
}
