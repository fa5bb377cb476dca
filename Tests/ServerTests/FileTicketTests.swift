import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Outreach
import Storage
import StorageSQLite
import Switchboard
import Testing
import WebAPI

/// `POST /api/v1/tickets`: a 311 operator files a report for a caller, who then hears from CityLine by text.
extension StaffAPITests {
    static let caller = "+12175550142"
    static let filed = #"{"service_code": "pothole", "description": "Caller: deep pothole in the bike lane", "address": "1423 Oak St", "phone": "(217) 555-0142", "locale": "es"}"#

    func post(_ client: some TestClientProtocol, _ body: String, token: String, key: String? = nil) async throws -> TestResponse {
        var headers = Self.auth(token)
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(uri: "/api/v1/tickets", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func aFiledTicketIsAcknowledgedToTheCallerInTheirLanguageOnce() async throws {
        let h = try await harness()
        let id = try await h.app.test(.live) { client -> String in
            let first = try await post(client, Self.filed, token: h.streets, key: "call-42")
            #expect(first.status == .created)
            let id = Self.json(first)["id"] as? String ?? ""
            #expect(first.headers[.location] == "/api/v1/tickets/\(id)")
            #expect(Self.json(first)["department"] as? String == "streets")
            #expect((Self.json(first)["reporter"] as? [String: Any])?["address"] as? String != Self.caller, "staff see a masked number")
            // The client retries (a timeout): the same ticket, nothing new.
            let again = try await post(client, Self.filed, token: h.streets, key: "call-42")
            #expect(again.status == .ok)
            #expect(Self.json(again)["id"] as? String == id)
            return id
        }
        let number = try #require(TrackingNumber(parsing: id))
        let ticket = try #require(try await h.store.ticket(number))
        #expect(ticket.reporter == ChannelAddress(channel: .sms, address: Self.caller))
        #expect(ticket.draft.locale == LanguageTag("es") && ticket.draft.location?.text == "1423 Oak St")
        // The address is placed from the city's own data: a point and the matched address, routed by where it is.
        #expect(ticket.draft.location?.matched == "1423 Oak St" && ticket.draft.location?.coordinate != nil)
        #expect(try await h.store.history(of: number).first?.actor.hasPrefix("staff:") == true)
        #expect(try await h.store.tickets(TicketFilter()).count == 3, "two fixtures and one filed ticket, not two")

        // The scheduler acknowledges it in Spanish, in daytime, once; the department hears of it.
        let afternoon = t0.addingTimeInterval(3_600)
        let scheduler = Scheduler(switchboard: try Demo.switchboard(h.store), jobs: h.store, policy: OutreachPolicy(city: try Demo.city),
                                  logger: Logger(label: "test"), clock: { afternoon })
        while try await scheduler.runDue() > 0 {}
        let entries = try await outboxEntries(h.store)
        let acks = entries.filter { $0.message.kind == .acknowledgement }
        #expect(acks.count == 1)
        let ack = try #require(acks.first?.message)
        #expect(ack.to == ticket.reporter && ack.locale == LanguageTag("es") && ack.ticket == number)
        #expect(ack.body.hasPrefix("Springfield 311: recibimos su reporte #\(id) (Bache)."), "\(ack.body)")
        #expect(entries.contains { $0.message.to.channel == .webhook && $0.message.body.contains("\"created\"") })

        // The caller answers the text: the conversation already speaks Spanish, and knows the ticket.
        let reply = try await Demo.switchboard(h.store).receive(sms(Self.caller, "ESTADO \(id)", at: afternoon.addingTimeInterval(60)))
        #expect(reply.replies.first?.body.hasPrefix("#\(id) Bache") == true, "\(reply.replies.map(\.body))")
    }

    @Test func badRequestsAndOtherDepartmentsChangeNothing() async throws {
        let h = try await harness()
        try await h.app.test(.live) { client in
            let cases: [(String, String, HTTPResponse.Status, String)] = [
                (Self.filed, h.parks, .forbidden, "forbidden"),
                (#"{"service_code": "unicorns", "description": "x", "address": "1 Main St"}"#, h.admin, .badRequest, "invalid_service_code"),
                (#"{"service_code": "pothole", "description": "  ", "address": "1 Main St"}"#, h.admin, .badRequest, "invalid_description"),
                (#"{"service_code": "pothole", "description": "hole"}"#, h.admin, .badRequest, "missing_location"),
                (#"{"service_code": "pothole", "description": "hole", "lat": 91, "long": 0}"#, h.admin, .badRequest, "invalid_coordinates"),
                (#"{"service_code": "pothole", "description": "hole", "lat": "39.8", "long": -89.6}"#, h.admin, .badRequest, "invalid_coordinates"),
                (#"{"service_code": "pothole", "description": "hole", "address": "1 Main St", "phone": "555-0142"}"#, h.admin, .badRequest, "invalid_phone"),
                (#"{"service_code": "pothole", "description": "hole", "address": "1 Main St", "email": "maria@"}"#, h.admin, .badRequest, "invalid_email"),
                (#"{"service_code": "pothole", "description": "hole", "address": "1 Main St", "phone": "+12175550142", "email": "m@example.org"}"#,
                 h.admin, .badRequest, "invalid_contact"),
                (#"{"service_code": "pothole", "description": "hole", "address": "1 Main St", "locale": "fr"}"#, h.admin, .badRequest, "invalid_locale"),
                (#"{"service_code": "pothole", "description": "hole", "address": "1 Main St", "priority": "high"}"#, h.admin, .badRequest, "unknown_field"),
                (#"{"service_code": "pothole", "#, h.admin, .badRequest, "invalid_json"),
            ]
            for (body, token, status, code) in cases {
                let response = try await post(client, body, token: token)
                #expect(response.status == status, "\(body)")
                #expect(Self.errorCode(response) == code, "\(body)")
            }
            let key = try await post(client, Self.filed, token: h.admin, key: "bad key with spaces")
            #expect(Self.errorCode(key) == "invalid_idempotency_key")
        }
        #expect(try await h.store.tickets(TicketFilter()).count == 2)
        #expect(try await h.store.jobCounts().values.reduce(0, +) == 0)
    }

    /// No resident to inform: the department still hears of it, and nothing is ever addressed to the filer.
    @Test func aTicketWithoutAResidentGetsNoAcknowledgementUpdatesOrSurvey() async throws {
        let h = try await harness()
        let id = try await h.app.test(.live) { client -> String in
            let response = try await post(client, #"{"service_code": "pothole", "description": "Seen on patrol", "lat": 39.7817, "long": -89.6501}"#,
                                          token: h.admin)
            #expect(response.status == .created)
            let id = Self.json(response)["id"] as? String ?? ""
            let close = try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: Self.auth(h.admin),
                                                 body: ByteBuffer(string: #"{"status": "closed", "resolution": "fixed"}"#))
            #expect(close.status == .ok)
            return id
        }
        let later = t0.addingTimeInterval(30 * 86_400)
        let scheduler = Scheduler(switchboard: try Demo.switchboard(h.store), jobs: h.store, policy: OutreachPolicy(city: try Demo.city),
                                  logger: Logger(label: "test"), clock: { later })
        while try await scheduler.runDue() > 0 {}
        let entries = try await outboxEntries(h.store)
        #expect(entries.map(\.message.to.channel) == [.webhook, .webhook], "only the department's events: \(entries.map(\.message))")
        #expect(entries.compactMap { try? JSONSerialization.jsonObject(with: Data($0.message.body.utf8)) as? [String: Any] }
            .compactMap { $0["event"] as? String } == ["created", "status_changed"], "in the order they happened")
        #expect(try await h.store.job(dedupeKey: "survey:\(id)") == nil)
        let number = try #require(TrackingNumber(parsing: id))
        #expect(try await h.store.ticket(number)?.draft.location?.kind == .coordinates)
    }

    /// A caller who texted STOP earlier is not written to.
    @Test func anOptedOutCallerGetsNoAcknowledgement() async throws {
        let h = try await harness()
        _ = try await Demo.switchboard(h.store).receive(sms(Self.caller, "STOP", at: t0))
        try await h.app.test(.live) { client in
            let response = try await post(client, Self.filed, token: h.streets)
            #expect(response.status == .created)
        }
        let scheduler = Scheduler(switchboard: try Demo.switchboard(h.store), jobs: h.store, policy: OutreachPolicy(city: try Demo.city),
                                  logger: Logger(label: "test"), clock: { t0.addingTimeInterval(3_600) })
        while try await scheduler.runDue() > 0 {}
        #expect(try await outboxEntries(h.store).filter { $0.message.to.channel == .sms }.isEmpty)
        #expect(try await h.store.session(for: ChannelAddress(channel: .sms, address: Self.caller))?.optedOut == true)
    }
}
