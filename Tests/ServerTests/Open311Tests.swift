import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Outreach
import Switchboard
import NIOCore
import Storage
import StorageSQLite
import Testing
import WebAPI

/// Open311 GeoReport v2 at /open311/v2: the shapes clients parse (lists even of one, XML wrapped, ids as strings,
/// errors as lists), filing with an api_key through the same path as any report, and nothing stored on bad input.
@Suite struct Open311Tests {
    static let key = "open311-key"

    func app() async throws -> (some ApplicationProtocol, SQLiteStore) {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        _ = try await store.createToken(hash: StaffTokenHash.hash(Self.key), role: .open311, department: nil, label: "work orders", at: Date())
        return (try await buildApplication(try .testing(store: .sqlite(store), clock: { t0 })), store)
    }

    static func json(_ response: TestResponse) -> Any? { try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(string: fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&"))
    }

    static let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    @Test func discoveryServicesAndDefinitionsInJSONAndXML() async throws {
        let (app, _) = try await app()
        try await app.test(.router) { client in
            try await client.execute(uri: "/open311/v2/discovery.json", method: .get) { response in
                let object = Self.json(response) as? [String: Any]
                let endpoint = (object?["endpoints"] as? [[String: Any]])?.first
                #expect(endpoint?["specification"] as? String == "http://wiki.open311.org/GeoReport_v2")
                #expect(endpoint?["formats"] as? [String] == ["application/json", "text/xml"])
            }
            try await client.execute(uri: "/open311/v2/services.json?jurisdiction_id=", method: .get) { response in
                let services = Self.json(response) as? [[String: Any]] ?? []
                let pothole = try #require(services.first { $0["service_code"] as? String == "pothole" })
                #expect(pothole["service_name"] as? String == "Pothole" && pothole["metadata"] as? Bool == true && pothole["type"] as? String == "realtime")
                #expect(services.count == 18, "the demo catalog")
            }
            // Names, questions and answers in a resident-facing language.
            try await client.execute(uri: "/open311/v2/services.json?locale=es", method: .get) { response in
                let services = Self.json(response) as? [[String: Any]] ?? []
                #expect(services.first { $0["service_code"] as? String == "pothole" }?["service_name"] as? String == "Bache")
            }
            try await client.execute(uri: "/open311/v2/services.xml", method: .get) { response in
                let xml = String(buffer: response.body)
                #expect(response.headers[.contentType]?.hasPrefix("text/xml") == true)
                #expect(xml.hasPrefix(#"<?xml version="1.0" encoding="utf-8"?><services><service><service_code>"#))
                #expect(xml.contains("<service_code>pothole</service_code><service_name>Pothole</service_name>"))
            }
            try await client.execute(uri: "/open311/v2/services/pothole.json?locale=es", method: .get) { response in
                let definition = Self.json(response) as? [String: Any]
                let size = (definition?["attributes"] as? [[String: Any]])?.first
                #expect(definition?["service_code"] as? String == "pothole" && size?["code"] as? String == "size")
                #expect(size?["datatype"] as? String == "singlevaluelist" && size?["required"] as? Bool == false && size?["order"] as? Int == 1)
                #expect((size?["values"] as? [[String: String]])?.first == ["key": "small", "name": "Más chico que un plato"])
            }
            try await client.execute(uri: "/open311/v2/services/pothole.xml", method: .get) { response in
                let xml = String(buffer: response.body)
                #expect(xml.contains("<service_definition><service_code>pothole</service_code><attributes><attribute><variable>true</variable>"))
                #expect(xml.contains("<values><value><key>small</key><name>Smaller than a dinner plate</name></value>"))
            }
            // Errors are a list, in both formats.
            try await client.execute(uri: "/open311/v2/services/unicorns.json", method: .get) { response in
                #expect(response.status == .notFound)
                let errors = Self.json(response) as? [[String: Any]]
                #expect(errors?.first?["code"] as? Int == 404 && (errors?.first?["description"] as? String)?.contains("unicorns") == true)
            }
            try await client.execute(uri: "/open311/v2/services.xml?locale=fr", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("<errors><error><code>400</code><description>locale must be one of"))
            }
        }
    }

    @Test func aRequestFiledWithAnAPIKeyIsRoutedAcknowledgedAndListed() async throws {
        let (app, store) = try await app()
        try await app.test(.router) { client in
            let good: [(String, String)] = [
                ("api_key", Self.key), ("service_code", "pothole"), ("address_string", "1423 Oak St"),
                ("description", "Deep pothole in the bike lane"), ("attribute[size]", "large"), ("attribute[position]", "bike_lane"),
                ("phone", "+12175550142"), ("locale", "es"), ("first_name", ""), ("media_url", "https://photos.example/p/1.jpg"),
            ]
            // Bad input: the spec's error list, nothing stored.
            let bad: [([(String, String)], HTTPResponse.Status, String)] = [
                (good.filter { $0.0 != "api_key" }, .forbidden, "api_key"),
                (good.map { $0.0 == "api_key" ? ("api_key", "wrong") : $0 }, .forbidden, "api_key"),
                (good.filter { $0.0 != "service_code" }, .badRequest, "service_code is required"),
                (good.map { $0.0 == "service_code" ? ("service_code", "unicorns") : $0 }, .badRequest, "not a service"),
                (good.filter { $0.0 != "address_string" }, .badRequest, "a location is required"),
                (good.map { $0.0 == "attribute[size]" ? ("attribute[size]", "huge") : $0 }, .badRequest, "must be one of"),
                (good + [("attribute[colour]", "red")], .badRequest, "is not a question"),
                (good.map { $0.0 == "description" ? ("description", String(repeating: "x", count: 4_001)) : $0 }, .badRequest, "longer than 4000"),
                (good + [("lat", "95"), ("long", "-89.6")], .badRequest, "lat must be"),
                (good.map { $0.0 == "phone" ? ("phone", "555") : $0 }, .badRequest, "phone"),
            ]
            for (fields, status, words) in bad {
                try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: Self.formHeaders, body: Self.form(fields)) { response in
                    #expect(response.status == status, "\(words)")
                    let errors = Self.json(response) as? [[String: Any]]
                    #expect((errors?.first?["description"] as? String)?.contains(words) == true, "\(String(buffer: response.body))")
                }
            }
            #expect(try await store.tickets(TicketFilter()).isEmpty)

            let id = try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: Self.formHeaders,
                                              body: Self.form(good)) { response -> String in
                #expect(response.status == .ok)
                let created = Self.json(response) as? [[String: Any]]
                #expect(created?.count == 1 && created?.first?["account_id"] is NSNull)
                return created?.first?["service_request_id"] as? String ?? ""
            }
            let number = try #require(TrackingNumber(parsing: id))
            let ticket = try #require(try await store.ticket(number))
            #expect(ticket.department == "streets" && ticket.draft.location?.matched == "1423 Oak St" && ticket.draft.locale == LanguageTag("es"))
            #expect(ticket.draft.attributes.map(\.code) == ["size", "position"] && ticket.draft.media.map(\.url) == ["https://photos.example/p/1.jpg"])
            #expect(ticket.reporter == ChannelAddress(channel: .sms, address: "+12175550142"))

            // Read back: by id (a list of one), in XML wrapped, by filters, and its token.
            try await client.execute(uri: "/open311/v2/requests/\(id).json", method: .get) { response in
                let requests = Self.json(response) as? [[String: Any]]
                #expect(requests?.count == 1 && requests?.first?["status"] as? String == "open" && requests?.first?["address"] as? String == "1423 Oak St")
                #expect(requests?.first?["agency_responsible"] as? String == "Public Works – Streets")
                #expect((requests?.first?["requested_datetime"] as? String)?.hasSuffix("-06:00") == true, "the city's offset")
                #expect(abs((requests?.first?["lat"] as? Double ?? 0) - 39.7666) < 0.001)
            }
            try await client.execute(uri: "/open311/v2/requests/\(id).xml?locale=es", method: .get) { response in
                let xml = String(buffer: response.body)
                #expect(xml.contains("<service_requests><request><service_request_id>\(id)</service_request_id><status>open</status>"))
                #expect(xml.contains("<service_name>Bache</service_name>") && xml.contains("<address_id/>"))
            }
            try await client.execute(uri: "/open311/v2/requests.json?service_code=pothole,graffiti&status=open", method: .get) { response in
                #expect((Self.json(response) as? [[String: Any]])?.map { $0["service_request_id"] as? String } == [id])
            }
            try await client.execute(uri: "/open311/v2/requests.json?status=closed", method: .get) { response in
                #expect((Self.json(response) as? [[String: Any]])?.isEmpty == true)
            }
            try await client.execute(uri: "/open311/v2/requests.json?start_date=yesterday", method: .get) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/open311/v2/requests/1234.json", method: .get) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/open311/v2/tokens/\(id).json", method: .get) { response in
                #expect((Self.json(response) as? [[String: String]]) == [["service_request_id": id, "token": id]])
            }
            // An api_key is not a staff token.
            try await client.execute(uri: "/api/v1/tickets", method: .get, headers: [.authorization: "Bearer \(Self.key)"]) { response in
                #expect(response.status == .forbidden)
            }
        }
        // The reporter is acknowledged in Spanish, by text, like any report (the scheduler, at a daytime hour).
        let scheduler = Scheduler(switchboard: try Demo.switchboard(store), jobs: store, policy: OutreachPolicy(city: try Demo.city),
                                  logger: Logger(label: "test"), clock: { t0.addingTimeInterval(3_600) })
        while try await scheduler.runDue() > 0 {}
        let acks = try await outboxEntries(store).filter { $0.message.kind == .acknowledgement }
        #expect(acks.map { [$0.message.to.address, $0.message.locale.code] } == [["+12175550142", "es"]])
        #expect(acks.first?.message.body.hasPrefix("Springfield 311: recibimos su reporte #") == true)
    }

    /// mySociety's servicerequestupdates: a back end's status changes and notes reach the ticket and its reporter
    /// (once per update_id), and every change is listed back; Chicago-style paging.
    @Test func aBackEndsUpdatesReachTheResidentOnceAndAreListed() async throws {
        let (app, store) = try await app()
        try await app.test(.router) { client in
            let filed: [(String, String)] = [("api_key", Self.key), ("service_code", "pothole"), ("address_string", "1423 Oak St"),
                                             ("description", "Deep pothole"), ("phone", "+12175550142"), ("locale", "es")]
            let id = try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: Self.formHeaders,
                                              body: Self.form(filed)) { response -> String in
                (Self.json(response) as? [[String: Any]])?.first?["service_request_id"] as? String ?? ""
            }
            let number = try #require(TrackingNumber(parsing: id))
            func update(_ fields: [(String, String)]) async throws -> (HTTPResponse.Status, Any?) {
                try await client.execute(uri: "/open311/v2/servicerequestupdates.json", method: .post, headers: Self.formHeaders,
                                         body: Self.form(fields)) { ($0.status, Self.json($0)) }
            }
            let scheduled: [(String, String)] = [("api_key", Self.key), ("service_request_id", id), ("update_id", "wo-1"),
                                                 ("status", "ACTION_SCHEDULED"), ("description", "A crew is scheduled for Friday."),
                                                 ("updated_datetime", "2026-11-23T11:00:00-06:00")]
            // Bad input changes nothing.
            #expect(try await update(scheduled.filter { $0.0 != "api_key" }).0 == .forbidden)
            #expect(try await update(scheduled.map { $0.0 == "status" ? ("status", "DANCING") : $0 }).0 == .badRequest)
            #expect(try await update(scheduled.map { $0.0 == "service_request_id" ? ("service_request_id", "1000028") : $0 }).0 == .notFound)
            #expect(try await update(scheduled.filter { $0.0 != "update_id" }).0 == .badRequest)
            #expect(try await store.history(of: number).count == 1, "only created")

            let (status, body) = try await update(scheduled)
            #expect(status == .ok && (body as? [[String: String]]) == [["update_id": "wo-1"]])
            #expect(try await update(scheduled).0 == .ok, "the same update again")
            #expect(try await store.history(of: number).count == 2, "applied once")
            var ticket = try #require(try await store.ticket(number))
            #expect(ticket.status == .inProgress && ticket.publicNote == "A crew is scheduled for Friday.")
            _ = try await update([("api_key", Self.key), ("service_request_id", id), ("update_id", "wo-2"), ("status", "FIXED")])
            ticket = try #require(try await store.ticket(number))
            #expect(ticket.status == .closed && ticket.resolution == "fixed")

            try await client.execute(uri: "/open311/v2/servicerequestupdates.json?start_date=2026-11-23T00:00:00Z", method: .get) { response in
                let updates = Self.json(response) as? [[String: Any]] ?? []
                #expect(updates.map { $0["update_id"] as? String } == ["\(id)-2", "\(id)-3"])
                #expect(updates.map { $0["external_status_code"] as? String } == ["in_progress", "closed"])
                #expect(updates.first?["description"] as? String == "A crew is scheduled for Friday.")
            }
            try await client.execute(uri: "/open311/v2/servicerequestupdates.xml?start_date=2026-11-23T00:00:00Z", method: .get) { response in
                #expect(String(buffer: response.body).contains("<service_request_updates><request_update><update_id>\(id)-2</update_id>"))
            }
            try await client.execute(uri: "/open311/v2/requests.json?extensions=true", method: .get) { response in
                let extended = (Self.json(response) as? [[String: Any]])?.first?["extended_attributes"] as? [String: Any]
                #expect(extended?["channel"] as? String == "sms" && extended?["resolution"] as? String == "fixed")
                #expect((extended?["notes"] as? [[String: Any]])?.first?["description"] as? String == "A crew is scheduled for Friday.")
            }
            try await client.execute(uri: "/open311/v2/requests.json?page_size=1&page=2", method: .get) { response in
                #expect((Self.json(response) as? [Any])?.isEmpty == true)
            }
            try await client.execute(uri: "/open311/v2/requests.json?page=0", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
        // The reporter hears both, in Spanish, as status updates.
        let scheduler = Scheduler(switchboard: try Demo.switchboard(store), jobs: store, policy: OutreachPolicy(city: try Demo.city),
                                  logger: Logger(label: "test"), clock: { t0.addingTimeInterval(3_600) })
        while try await scheduler.runDue() > 0 {}
        let updates = try await outboxEntries(store).filter { $0.message.kind == .statusUpdate }
        #expect(updates.count == 2 && updates.allSatisfy { $0.message.locale == LanguageTag("es") && $0.message.to.address == "+12175550142" })
        #expect(updates.first?.message.body.contains("A crew is scheduled for Friday.") == true)
    }

    /// Every datatype of the catalog's questions, filed as clients send them, and each read back as it was meant;
    /// a wrong value of each datatype is the spec's error list and stores nothing.
    @Test func everyAttributeDatatype() async throws {
        let (app, store) = try await app()
        try await app.test(.router) { client in
            let base: [(String, String)] = [("api_key", Self.key), ("lat", "39.7666"), ("long", "-89.6781")]
            let filings: [(String, [(String, String)])] = [
                ("bulky-item", [("attribute[item_types][]", "mattress"), ("attribute[item_types][]", "appliance"), ("attribute[item_count]", "3")]),
                ("missed-pickup", [("attribute[collection]", "recycling"), ("attribute[pickup_day]", "2026-11-23T07:00:00-06:00")]),
                ("illegal-dumping", [("attribute[what][]", "tires"), ("attribute[witness]", "A white van, twice this week")]),
                ("streetlight", [("attribute[pole_number]", "SL-1042")]),
            ]
            let wrong: [(String, [(String, String)], String)] = [
                ("bulky-item", [("attribute[item_types][]", "piano"), ("attribute[item_count]", "3")], "must be one of"),
                ("bulky-item", [("attribute[item_count]", "three")], "must be a number"),
                ("bulky-item", [], "attribute[item_count] is required"),
                ("missed-pickup", [("attribute[collection]", "trash"), ("attribute[pickup_day]", "last tuesday")], "attribute[pickup_day]"),
                ("illegal-dumping", [("attribute[witness]", String(repeating: "w", count: 2_001))], "too long"),
            ]
            for (code, fields, words) in wrong {
                try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: Self.formHeaders,
                                         body: Self.form(base + [("service_code", code)] + fields)) { response in
                    #expect(response.status == .badRequest, "\(code) \(words)")
                    #expect(String(buffer: response.body).contains(words), "\(String(buffer: response.body))")
                }
            }
            #expect(try await store.tickets(TicketFilter()).isEmpty)
            for (code, fields) in filings {
                try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: Self.formHeaders,
                                         body: Self.form(base + [("service_code", code)] + fields)) { #expect($0.status == .ok, "\(code)") }
            }
            let tickets = Dictionary(uniqueKeysWithValues: try await store.tickets(TicketFilter()).map { ($0.draft.serviceCode, $0.draft.attributes) })
            #expect(tickets["bulky-item"] == [AttributeAnswer(code: "item_types", value: .options(["mattress", "appliance"])),
                                              AttributeAnswer(code: "item_count", value: .number(3))])
            #expect(tickets["missed-pickup"] == [AttributeAnswer(code: "collection", value: .options(["recycling"])), AttributeAnswer(code: "pickup_day", value: .datetime(ISO8601DateFormatter().date(from: "2026-11-23T13:00:00Z")!))])
            #expect(tickets["illegal-dumping"] == [AttributeAnswer(code: "what", value: .options(["tires"])),
                                                   AttributeAnswer(code: "witness", value: .text("A white van, twice this week"))])
            #expect(tickets["streetlight"] == [AttributeAnswer(code: "pole_number", value: .text("SL-1042"))])
        }
    }
}
