import AsyncHTTPClient
import ChannelSMS
import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Storage
import StorageSQLite
import Switchboard
import Testing
import WebAPI

/// `GET /openapi.json` kept true: every route `buildRouter` registers under `/api/v1` and `/open311/v2` is a path
/// and method of the document and every path of the document is a route; then the running server, probed by
/// Schemathesis, answers only what the document allows, and real GeoReport v2 clients from PyPI file and read.
@Suite struct OpenAPITests {
    /// The document as the server serves it.
    static func document() async throws -> [String: Any] {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        let app = try await buildApplication(try .testing(store: .sqlite(store)))
        let body = try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                return Data(buffer: response.body)
            }
        }
        let document = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        return try #require(document, "GET /openapi.json is a JSON object")
    }

    /// The router with every optional part given (operations, handoff, reports, console, photos, metrics), so every
    /// route there is.
    static func routes() throws -> [(method: String, path: String)] {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        let switchboard = try Demo.switchboard(store)
        var dependencies = WebAPIDependencies(
            city: try Demo.city, switchboard: switchboard, tickets: store, tokens: store, outbox: store, jobs: store,
            desk: OperatorDesk(switchboard: switchboard, store: store), reports: store,
            console: ConsoleSessions(secret: Data(repeating: 7, count: 32), secure: false),
            twilioAuthToken: nil, publicURL: nil,
            chatPhotos: ChatPhotos(directory: try temporaryDirectory(), maxBytes: 1 << 20, store: store, limiter: ChatLimiter()),
            metrics: MetricsEndpoint { [] }, logger: Logger(label: "test")
        )
        let (city, _, composer) = try Demo.loaded
        dependencies.notices = NoticeDesk(city: city, store: store, composer: composer)
        let router = buildRouter(dependencies)
        return router.routes.map { (method: $0.method.rawValue, path: $0.path.description) }
    }

    static let documented = ["/api/v1/", "/open311/v2/"]
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// A path's shape, to compare a route with the document's path: every parameter is `{}`; an Open311 path is
    /// written in its `.json` form, so `/open311/v2/services/{service_code}.json` is the route `…/services/{file}`
    /// (which reads the format from the file name), and `discovery.xml` is the twin of `discovery.json`.
    static func shape(_ path: String) -> String {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            if segment.hasPrefix(":") { return "{}" }
            if segment.hasPrefix("{"), let close = segment.firstIndex(of: "}") { return "{}" + segment[segment.index(after: close)...] }
            return String(segment)
        }
        if path.hasPrefix("/open311/"), let last = segments.last {
            if last.hasPrefix("{}") {
                segments[segments.count - 1] = "{}"
            } else if last.hasSuffix(".xml") {
                segments[segments.count - 1] = String(last.dropLast(4)) + ".json"
            }
        }
        return segments.joined(separator: "/")
    }

    @Test func theShapeOfAPath() {
        #expect(Self.shape("/api/v1/tickets/{id}/photos/{name}") == "/api/v1/tickets/{}/photos/{}")
        #expect(Self.shape("/api/v1/tickets/:id/notes") == "/api/v1/tickets/{}/notes")
        #expect(Self.shape("/api/v1/reports/tickets.csv") == "/api/v1/reports/tickets.csv")
        #expect(Self.shape("/open311/v2/services/{service_code}.json") == "/open311/v2/services/{}")
        #expect(Self.shape("/open311/v2/services/{file}") == "/open311/v2/services/{}")
        #expect(Self.shape("/open311/v2/discovery.xml") == "/open311/v2/discovery.json")
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedPathIsARoute() async throws {
        let document = try await Self.document()
        #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
        let paths = try #require(document["paths"] as? [String: [String: Any]])

        let routes = try Self.routes().filter { route in Self.documented.contains { route.path.hasPrefix($0) } }
        #expect(routes.count >= 30, "the staff API and Open311 in JSON and XML: \(routes.count) routes")
        let served = Set(routes.map { "\($0.method) \(Self.shape($0.path))" })
        var described: Set<String> = []
        for (path, item) in paths {
            #expect(Self.documented.contains { path.hasPrefix($0) }, "\(path): only the staff API and Open311 are described")
            for method in Self.methods {
                guard let operation = item[method] as? [String: Any] else { continue }
                described.insert("\(method.uppercased()) \(Self.shape(path))")
                let responses = operation["responses"] as? [String: Any] ?? [:]
                if path.hasPrefix("/api/v1/") {
                    #expect(responses["401"] != nil && responses["403"] != nil, "\(method.uppercased()) \(path) documents 401 and 403")
                } else {
                    // Open311 paths are written in their .json form; each says it answers as .xml too.
                    #expect(path.hasSuffix(".json"), "\(path): the .json form")
                    let xml = String(path.dropLast(5)) + ".xml"
                    #expect((operation["description"] as? String)?.contains(xml) == true, "\(method.uppercased()) \(path) names \(xml)")
                }
            }
        }
        #expect(served.subtracting(described).sorted() == [], "routes buildRouter registers that /openapi.json does not describe")
        #expect(described.subtracting(served).sorted() == [], "paths /openapi.json describes that no route serves")

        // Every static Open311 path answers in both formats.
        let open311 = routes.filter { $0.path.hasPrefix("/open311/") && !$0.path.contains("{") }
        #expect(Set(open311.filter { $0.path.hasSuffix(".xml") }.map { "\($0.method) \(Self.shape($0.path))" })
                == Set(open311.filter { $0.path.hasSuffix(".json") }.map { "\($0.method) \($0.path)" }))
    }

    /// The router above is built by hand; the application `cityline serve` runs must serve the same paths: each
    /// documented operation reaches a handler there (a 401 without a token, an Open311 answer), never the router's
    /// empty 404 for a path it does not know.
    @Test func theApplicationServesEveryDocumentedOperation() async throws {
        let document = try await Self.document()
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let operations = paths.sorted { $0.key < $1.key }.flatMap { path, item in
            Self.methods.filter { item[$0] != nil }.map { (path: path, method: $0) }
        }
        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        let app = try await buildApplication(try .testing(store: .sqlite(store)))
        try await app.test(.router) { client in
            for (path, method) in operations {
                let concrete = path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "1", options: .regularExpression)
                try await client.execute(uri: concrete, method: HTTPRequest.Method(method.uppercased())!) { response in
                    #expect(response.status != .notFound || response.body.readableBytes > 0, "\(method.uppercased()) \(concrete)")
                    #expect(response.status != .methodNotAllowed, "\(method.uppercased()) \(concrete)")
                }
            }
        }
    }

    /// What writing the schemas' bounds turned up: inputs in the documented ranges that crashed the server or were
    /// refused. `page` far past the end overflowed `(page - 1) * page_size` (a trap: the whole server stopped); a
    /// `limit` below 1 trapped the memory store (`prefix` of a negative length) and lifted SQLite's 1,000 cap;
    /// `updated_since` with fractional seconds, an RFC 3339 `date-time`, was a 400.
    @Test func edgesOfTheDocumentedRanges() async throws {
        let store = MemoryStore()
        _ = await store.createToken(hash: StaffTokenHash.hash("clt_edges"), role: .admin, department: nil, label: nil, languages: [], at: Date())
        let app = try await buildApplication(try .testing(store: .memory(store)))
        try await app.test(.router) { client in
            try await client.execute(uri: "/open311/v2/requests.json?page=9223372036854775807", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body) == "[]")
            }
            for query in ["limit=-5", "limit=0", "updated_since=2026-11-23T00:00:00.25-06:00"] {
                try await client.execute(uri: "/api/v1/tickets?" + query, method: .get, headers: [.authorization: "Bearer clt_edges"]) { response in
                    #expect(response.status == .ok, "\(query)")
                }
            }
        }
    }
}

/// Programs from PyPI against the running server, the way `ConsoleBrowserTests` runs its scripts: Schemathesis
/// (property-based: no 5xx, nothing the document does not allow) and GeoReport v2 clients (`georeport`,
/// `civicbot`). Skipped, saying why, when the packages are missing (`.ci/run` installs them).
@Suite(.serialized) struct OpenAPIClientTests {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("OpenAPI")
    static let hasSchemathesis = ConsoleBrowserTests.runs(["python3", "-c", "import schemathesis"])
    static let hasClients = ConsoleBrowserTests.runs(["python3", "-c", "import georeport, civicbot"])

    static func run(_ script: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32, String) {
        try await runToEnd(["python3", scripts.appendingPathComponent(script).path] + arguments, environment: environment)
    }

    /// A store with an Open311 api_key.
    static func seeded() async throws -> SQLiteStore {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/cityline.sqlite")
        _ = try await store.createToken(hash: StaffTokenHash.hash("open311-openapi"), role: .open311, department: nil, label: "work orders", at: Date())
        return store
    }

    /// Schemathesis sends well over a thousand requests, so the server is the real `cityline serve` in a process of its
    /// own (as `CrashTests` starts it), not one more application inside the test process, and the script lowers its
    /// own and the server's priority: the rest of the suite, timing-sensitive in places, goes first.
    @Test(.enabled(if: hasSchemathesis, "needs schemathesis from PyPI"))
    func schemathesisFindsNoServerErrorAndNothingOutsideTheDocument() async throws {
        let directory = try temporaryDirectory()
        do {
            let store = try SQLiteStore(path: directory + "/cityline.sqlite")
            _ = try await store.createToken(hash: StaffTokenHash.hash("clt_openapi-admin"), role: .admin, department: nil, label: "Schemathesis", at: Date())
            _ = try await store.createToken(hash: StaffTokenHash.hash("open311-openapi"), role: .open311, department: nil, label: "work orders", at: Date())
        }
        let (twilioToken, publicURL) = ("openapi-twilio-token", "https://311.springfield.example")
        // Every generated request comes from one address: the limit per address would answer most of them 429.
        let (server, base) = try await CrashTests.startServer(dataDirectory: directory, token: twilioToken, publicURL: publicURL,
                                                              extra: ["CITYLINE_PUBLIC_REQUESTS_PER_IP_PER_MINUTE": "1000000"])
        try await stopping(server) {

            // Something to find: a ticket filed through the staff API, and a resident who asked for a person.
            var file = HTTPClientRequest(url: base + "/api/v1/tickets")
            file.method = .POST
            file.headers.add(name: "Authorization", value: "Bearer clt_openapi-admin")
            file.body = .bytes(ByteBuffer(string: #"{"service_code":"pothole","description":"Deep pothole","address":"1423 Oak St","phone":"+12175550170"}"#))
            let filed = try await HTTPClient.shared.execute(file, timeout: .seconds(30))
            #expect(filed.status == .created)
            let ticket = try #require(filed.headers.first(name: "Location")?.split(separator: "/").last.map(String.init))
            let agent = CrashTests.signedWebhook(base: base, publicURL: publicURL, form: [("MessageSid", "SMopenapi1"), ("From", "+12175550171"),
                                                                                       ("To", "+12175550000"), ("Body", "AGENT")],
                                                 signer: TwilioSignature(authToken: twilioToken))
            #expect(try await HTTPClient.shared.execute(agent, timeout: .seconds(30)).status == .ok)
            var queue = HTTPClientRequest(url: base + "/api/v1/conversations")
            queue.headers.add(name: "Authorization", value: "Bearer clt_openapi-admin")
            let listed = try await HTTPClient.shared.execute(queue, timeout: .seconds(30)).body.collect(upTo: 1 << 20)
            let conversations = (try JSONSerialization.jsonObject(with: Data(buffer: listed)) as? [String: Any])?["conversations"] as? [[String: Any]]
            let conversation = try #require(conversations?.first?["id"] as? String)

            let (status, output) = try await Self.run("schemathesis_test.py", [base, "clt_openapi-admin", "open311-openapi", ticket, conversation],
                                                      environment: ["CITYLINE_SERVER_PID": String(server.processIdentifier)])
            #expect(status == 0, "schemathesis_test.py:\n\(output)")
        }
    }

    @Test(.enabled(if: hasClients, "needs georeport and civicbot from PyPI"))
    func georeportClientsListDefineFileAndReadBack() async throws {
        let store = try await Self.seeded()
        let (status, output) = try await withRunningApplication(try .testing(store: .sqlite(store))) { port in
            try await Self.run("georeport_test.py", ["http://127.0.0.1:\(port)", "open311-openapi"])
        }
        #expect(status == 0, "georeport_test.py:\n\(output)")
        // The one request filed is in the store as the client sent it; the refused one is not.
        let tickets = try await store.tickets(TicketFilter())
        #expect(tickets.map(\.draft.serviceCode) == ["pothole"])
        let ticket = try #require(tickets.first)
        #expect(output.contains("FILED \(ticket.trackingNumber.digits)"))
        #expect(ticket.draft.description == "Deep pothole in the bike lane, filed by civicbot")
        #expect(ticket.draft.attributes.map(\.code) == ["size"])
        #expect(ticket.reporter == ChannelAddress(channel: .email, address: "maria@example.org"))
    }
}
