import AsyncHTTPClient
import ChannelSMS
import ChannelWebhook
import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import Storage
import StorageSQLite
import Switchboard
import Testing
import Transport
import WebAPI

/// CityLine as an Open311 client: a department's tickets filed into its work-order system and its status changes
/// brought home to the resident.
@Suite(.serialized) struct Open311ClientTests {
    /// A copy of the demo city whose streets department files into `endpoint`, polled every second.
    static func city(filingInto endpoint: String, extra: String = "") throws -> AppConfiguration.CitySettings {
        let directory = try temporaryDirectory() + "/city"
        try FileManager.default.copyItem(atPath: Demo.root.appendingPathComponent("DemoCity").path, toPath: directory)
        let yaml = directory + "/city.yaml"
        let text = try String(contentsOfFile: yaml, encoding: .utf8)
        let streets = "  - code: streets\n"
        guard let range = text.range(of: streets) else { throw ConfigError(file: yaml, line: 0, message: "no streets department") }
        let entry = streets + "    open311: {endpoint: \"\(endpoint)\", api_key_env: STREETS_OPEN311_KEY, poll: 1s\(extra)}\n"
        try text.replacingCharacters(in: range, with: entry).write(toFile: yaml, atomically: true, encoding: .utf8)
        var settings = Demo.settings
        settings.configDirectory = directory
        return settings
    }

    static func post(_ url: String, form: String, method: HTTPMethod = .POST, headers: [(String, String)] = []) async throws -> (UInt, String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Content-Type", value: headers.isEmpty ? "application/x-www-form-urlencoded" : "application/json")
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// A clock running at real speed but at 14:00 in Springfield today, so updates are not held for quiet hours.
    static func afternoon() -> @Sendable () -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Chicago")!
        let target = calendar.date(bySettingHour: 14, minute: 0, second: 0, of: Date()) ?? Date()
        let shift = target.timeIntervalSinceNow
        return { Date().addingTimeInterval(shift) }
    }

    @Test func aReportFiledIntoAnotherCityLineAndClosedThereReachesTheResident() async throws {
        let clock = Self.afternoon()
        // The department's system: another CityLine, with an api_key for the front line and a token for its crew.
        let back = try SQLiteStore(path: try temporaryDirectory() + "/back.sqlite")
        _ = try await back.createToken(hash: StaffTokenHash.hash("front-line-key"), role: .open311, department: nil, label: "311", at: Date())
        _ = try await back.createToken(hash: StaffTokenHash.hash("crew"), role: .admin, department: nil, label: "crew", at: Date())
        var backConfiguration = try AppConfiguration.testing(store: .sqlite(back), clock: clock)
        backConfiguration.runsBackgroundWork = true
        try await withRunningApplication(backConfiguration) { backPort in
            // The residents' line, filing the streets department's tickets into it.
            let front = try SQLiteStore(path: try temporaryDirectory() + "/front.sqlite")
            var configuration = try AppConfiguration.testing(store: .sqlite(front), environment: ["STREETS_OPEN311_KEY": "front-line-key"],
                                                             clock: clock)
            configuration.city = try Self.city(filingInto: "http://127.0.0.1:\(backPort)/open311/v2")
            configuration.runsBackgroundWork = true
            let outbox = configuration.storage.dataDirectory + "/outbox.jsonl"
            try await withRunningApplication(configuration) { frontPort in
                let resident = "+12175550161"
                for (index, text) in ["Hay un bache enorme en la calle Oak", "Calle Oak 1423", "3", "1", "omitir", "sí"].enumerated() {
                    let form = FormBody.encode([("MessageSid", "SMC\(index)"), ("From", resident), ("To", "+12175550311"), ("Body", text), ("NumMedia", "0")])
                    let (status, _) = try await Self.post("http://127.0.0.1:\(frontPort)/webhooks/twilio/sms", form: form)
                    #expect(status == 200)
                }
                let ours = try #require(try await front.tickets(TicketFilter()).first)
                #expect(try await eventually { try await back.tickets(TicketFilter()).count == 1 }, "filed into the department's system")
                let theirs = try #require(try await back.tickets(TicketFilter()).first)
                #expect(theirs.draft.serviceCode == "pothole" && theirs.draft.description.hasPrefix("CityLine \(ours.trackingNumber.digits): "))
                #expect(theirs.draft.attributes.map(\.code) == ["size", "position"])
                #expect(theirs.reporter.channel == .webhook, "no resident contact details leave the city")
                #expect(try await eventually {
                    try await front.openLinks(system: "open311:streets", limit: 10).first?.externalID == theirs.trackingNumber.digits
                })

                // The crew closes it in their system; the front line hears within a poll and tells the resident.
                let (status, _) = try await Self.post("http://127.0.0.1:\(backPort)/api/v1/tickets/\(theirs.trackingNumber.digits)",
                                                      form: #"{"status": "closed", "status_note": "Bache rellenado", "resolution": "fixed"}"#,
                                                      method: .PATCH, headers: [("Authorization", "Bearer crew")])
                #expect(status == 200)
                #expect(try await eventually { try await front.ticket(ours.trackingNumber)?.status == .closed }, "closed at home")
                let history = try await front.history(of: ours.trackingNumber)
                #expect(history.filter { $0.actor.hasPrefix("open311:streets:") }.map(\.status) == [.closed])
                #expect(try await eventually {
                    let lines = (try? String(contentsOfFile: outbox, encoding: .utf8)) ?? ""
                    return lines.split(separator: "\n").contains { $0.contains("\"status_update\"") && $0.contains(resident) && $0.contains("Bache rellenado") }
                }, "the resident's update, in Spanish, with the crew's words")
                // Polls go on: still one ticket there, one closing here.
                try await Task.sleep(for: .seconds(2))
                #expect(try await back.tickets(TicketFilter()).count == 1)
                let applied = try await front.history(of: ours.trackingNumber).filter { $0.actor.hasPrefix("open311:") }
                #expect(applied.count == 1, "\(applied.map { "\($0.kind) \($0.status?.rawValue ?? "-") \($0.actor) \($0.note ?? "")" })")
            }
        }
    }

    /// A server as FixMyStreet's Open311 code expects one (in XML: lists forced even with one element) or its JSON
    /// twin: it answers a POST with a token, gives the id later through `tokens/`, has no `servicerequestupdates`,
    /// and says a request is closed only through `requests`.
    final class TokenServer: Sendable {
        let xml: Bool
        let state = Locked<(posts: [String], id: String?, closed: Bool)>(([], nil, false))
        init(xml: Bool = false) { self.xml = xml }

        func list(_ root: String, _ element: String, _ records: [[(String, String)]]) -> Response {
            if xml {
                let body = records.map { record in
                    "<\(element)>" + record.map { "<\($0.0)>\($0.1)</\($0.0)>" }.joined() + "</\(element)>"
                }.joined()
                return Response(status: .ok, headers: [.contentType: "text/xml; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<\(root)>\(body)</\(root)>")))
            }
            let body = records.map { record in "{" + record.map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",") + "}" }.joined(separator: ",")
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "[\(body)]")))
        }

        /// Runs on a free port of loopback until the task is cancelled.
        func start() async throws -> (Task<Void, any Error>, Int) {
            let port = Locked(0)
            let app = Application(router: router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                  onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port ?? 0 } })
            let running = Task { try await app.runService() }
            guard try await eventually({ port.withLock { $0 } != 0 }) else { throw ServerDidNotStart() }
            return (running, port.withLock { $0 })
        }

        func router() -> Router<BasicRequestContext> {
            let router = Router(context: BasicRequestContext.self)
            let format = xml ? "xml" : "json"
            router.post("/v2/requests.\(format)") { request, _ in
                let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
                self.state.withLock { $0.posts.append(body) }
                guard body.contains("api_key=fms-key") else {
                    var response = self.list("errors", "error", [[("code", "403"), ("description", "Invalid api_key")]])
                    response.status = .forbidden
                    return response
                }
                return self.list("service_requests", "request", [[("token", "tok-77")]])
            }
            router.get("/v2/tokens/:token") { _, context in
                let id = self.state.withLock { $0.id }
                guard context.parameters.get("token") == "tok-77.\(format)", let id else { return Response(status: .notFound) }
                return self.list("service_requests", "request", [[("service_request_id", id), ("token", "tok-77")]])
            }
            router.get("/v2/requests.\(format)") { _, _ in
                let (id, closed) = self.state.withLock { ($0.id, $0.closed) }
                guard let id else { return self.list("service_requests", "request", []) }
                return self.list("service_requests", "request", [[("service_request_id", id), ("status", closed ? "closed" : "open"),
                    ("status_notes", "Done by the crew"), ("updated_datetime", "2026-12-01T10:00:00-06:00")]])
            }
            return router
        }
    }

    @Test(arguments: ["json", "xml"])
    func aServerThatAnswersWithATokenAndKnowsNoUpdates(format: String) async throws {
        let server = TokenServer(xml: format == "xml")
        let (running, port) = try await server.start()
        defer { running.cancel() }
        let base = "http://127.0.0.1:\(port)/v2"

        let store = try SQLiteStore(path: try temporaryDirectory() + "/front.sqlite")
        var configuration = try AppConfiguration.testing(store: .sqlite(store), environment: ["STREETS_OPEN311_KEY": "fms-key"])
        configuration.city = try Self.city(filingInto: base, extra: ", service_codes: {pothole: PH-01}, tracking_attribute: external_ref, jurisdiction_id: springfield.example, format: \(format)")
        configuration.runsBackgroundWork = true
        try await withRunningApplication(configuration) { frontPort in
            for (index, text) in ["There's a huge pothole at 1423 Oak St", "3", "1", "skip", "yes"].enumerated() {
                let form = FormBody.encode([("MessageSid", "SMT\(index)"), ("From", "+12175550162"), ("To", "+12175550311"), ("Body", text), ("NumMedia", "0")])
                _ = try await Self.post("http://127.0.0.1:\(frontPort)/webhooks/twilio/sms", form: form)
            }
            let ours = try #require(try await store.tickets(TicketFilter()).first)
            #expect(try await eventually { server.state.withLock { !$0.posts.isEmpty } })
            let post = try #require(server.state.withLock { $0.posts.first })
            let fields = Dictionary(post.split(separator: "&").map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }, uniquingKeysWith: { first, _ in first })
            #expect(fields["service_code"] == "PH-01" && fields["jurisdiction_id"] == "springfield.example")
            #expect(fields["attribute[external_ref]"] == ours.trackingNumber.digits && fields["attribute[size]"] == nil)
            #expect(fields["address_string"] == "1423 Oak St" && fields["lat"] != nil && fields["phone"] == nil)
            #expect(try await eventually { try await store.openLinks(system: "open311:streets", limit: 5).first?.token == "tok-77" })

            // The server gives the id, then closes the request: found through tokens/ and requests.
            server.state.withLock { $0.id = "4455" }
            #expect(try await eventually { try await store.openLinks(system: "open311:streets", limit: 5).first?.externalID == "4455" })
            server.state.withLock { $0.closed = true }
            #expect(try await eventually { try await store.ticket(ours.trackingNumber)?.status == .closed })
            #expect(try await store.ticket(ours.trackingNumber)?.publicNote == "Done by the crew")
            #expect(server.state.withLock { $0.posts.count } == 1, "filed once")
        }
    }

    @Test func aWrongKeyIsDeadLetteredWithTheServersWords() async throws {
        let server = TokenServer()
        let (running, port) = try await server.start()
        defer { running.cancel() }
        let store = try SQLiteStore(path: try temporaryDirectory() + "/front.sqlite")
        var configuration = try AppConfiguration.testing(store: .sqlite(store), environment: ["STREETS_OPEN311_KEY": "wrong"])
        configuration.city = try Self.city(filingInto: "http://127.0.0.1:\(port)/v2")
        configuration.runsBackgroundWork = true
        try await withRunningApplication(configuration) { frontPort in
            for (index, text) in ["There's a huge pothole at 1423 Oak St", "3", "1", "skip", "yes"].enumerated() {
                let form = FormBody.encode([("MessageSid", "SMW\(index)"), ("From", "+12175550163"), ("To", "+12175550311"), ("Body", text), ("NumMedia", "0")])
                _ = try await Self.post("http://127.0.0.1:\(frontPort)/webhooks/twilio/sms", form: form)
            }
            #expect(try await eventually {
                try await store.outboxEntries(state: .dead, limit: 5).contains { $0.lastError?.contains("Invalid api_key") == true }
            })
        }
        // Without the key in the environment the server does not start, saying which variable is missing.
        var missing = try AppConfiguration.testing(store: .memory(MemoryStore()))
        missing.city = try Self.city(filingInto: "http://127.0.0.1:9/v2")
        await #expect(throws: AppError.self) { _ = try await buildApplication(missing) }
    }
}
