import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import Localization
import NIOCore
import Rendering
import Storage
import Switchboard

/// Open311 GeoReport v2 at `/open311/v2/`, in JSON and XML (`.json`, `.xml` on every path): `discovery`, `services`,
/// `services/{code}` (the catalog's questions as attributes), `POST requests` (an `api_key` from
/// `cityline token create --role open311`), `GET requests`, `GET requests/{id}`, `tokens/{token}`.
///
/// The quirks clients depend on: lists are top-level JSON arrays and XML lists are wrapped (`<services><service>`,
/// `<service_requests><request>`) even with one element; ids and codes are strings; errors are a list of
/// `{code, description}` with 400, 403 or 404; an empty parameter is an absent one; `jurisdiction_id` is accepted;
/// times are ISO 8601 with the city's offset. `locale` (one of the city's languages) gives service names,
/// questions and status notes in that language. A request filed here goes the way of any other (routing, the
/// reporter's acknowledgement in their language, `Idempotency-Key`).
struct Open311API: Sendable {
    let dependencies: WebAPIDependencies

    enum Format: String {
        case json, xml
    }

    struct Failure: Error {
        let status: HTTPResponse.Status
        let description: String
    }

    func register(on router: Router<WebContext>) {
        for format in [Format.json, .xml] {
            let ext = format.rawValue
            router.get("/open311/v2/discovery.\(ext)") { request, _ in await answer(format, root: "discovery") { try discovery(request) } }
            router.get("/open311/v2/services.\(ext)") { request, _ in await answer(format) { try services(request) } }
            router.get("/open311/v2/requests.\(ext)") { request, _ in await answer(format) { try await requests(request) } }
            router.post("/open311/v2/requests.\(ext)") { request, _ in await answer(format) { try await create(request) } }
            router.get("/open311/v2/servicerequestupdates.\(ext)") { request, _ in await answer(format) { try await updates(request) } }
            router.post("/open311/v2/servicerequestupdates.\(ext)") { request, _ in await answer(format) { try await postUpdate(request) } }
        }
        router.get("/open311/v2/services/:file") { request, context in
            let (code, format) = Self.split(context.parameters.get("file") ?? "")
            return await answer(format) { try definition(code, request) }
        }
        router.get("/open311/v2/requests/:file") { request, context in
            let (id, format) = Self.split(context.parameters.get("file") ?? "")
            return await answer(format) { try await requests(request, ids: [id]) }
        }
        router.get("/open311/v2/tokens/:file") { request, context in
            let (token, format) = Self.split(context.parameters.get("file") ?? "")
            return await answer(format) { try await requestForToken(token) }
        }
    }

    /// "pothole.json" → ("pothole", .json); no known extension: JSON.
    static func split(_ file: String) -> (String, Format) {
        for format in [Format.json, .xml] where file.hasSuffix("." + format.rawValue) {
            return (String(file.dropLast(format.rawValue.count + 1)), format)
        }
        return (file, .json)
    }

    // MARK: - Answers

    /// Runs `body` and writes its value, or its failure as the spec's error list, in `format`.
    func answer(_ format: Format, root: String = "service_definition", _ body: () async throws -> Open311Value) async -> Response {
        do {
            return Self.render(try await body(), format, status: .ok, root: root)
        } catch let failure as Failure {
            return Self.render(Self.errors(failure), format, status: failure.status)
        } catch {
            dependencies.logger.error("open311 request failed", metadata: ["error": "\(type(of: error))"])
            return Self.render(Self.errors(Failure(status: .internalServerError, description: "the request could not be answered")), format,
                               status: .internalServerError)
        }
    }

    static func errors(_ failure: Failure) -> Open311Value {
        .list("errors", "error", [.object([("code", .number(Double(failure.status.code))), ("description", .string(failure.description))])])
    }

    static func render(_ value: Open311Value, _ format: Format, status: HTTPResponse.Status, root: String = "service_definition") -> Response {
        let text = format == .json ? value.json() : value.xml(root: root)
        return Response(status: status, headers: [.contentType: format == .json ? "application/json; charset=utf-8" : "text/xml; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: - Parameters

    /// The query's parameters, an empty one counted as absent.
    static func query(_ request: Request) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters where !value.isEmpty { values[String(key)] = String(value) }
        return values
    }

    /// The `locale` parameter matched to the city's languages (default: the city's first).
    func locale(_ parameters: [String: String]) throws -> LanguageTag { try Self.locale(parameters, city: dependencies.city) }

    static func locale(_ parameters: [String: String], city: City) throws -> LanguageTag {
        guard let raw = parameters["locale"] else { return city.defaultLocale }
        guard let locale = LanguageTag(raw).match(among: city.locales) else {
            throw Failure(status: .badRequest, description: "locale must be one of \(city.locales.map(\.code).joined(separator: ", "))")
        }
        return locale
    }

    func checkJurisdiction(_ parameters: [String: String]) throws { try Self.checkJurisdiction(parameters, city: dependencies.city) }

    static func checkJurisdiction(_ parameters: [String: String], city: City) throws {
        guard let id = parameters["jurisdiction_id"] else { return }
        guard id == city.id || city.jurisdictions.contains(where: { $0.id == id }) else {
            throw Failure(status: .notFound, description: "jurisdiction_id '\(id.prefix(60))' is not served here")
        }
    }

    // MARK: - Discovery and services

    func discovery(_ request: Request) throws -> Open311Value {
        let base = (dependencies.publicURL ?? "") + "/open311/v2"
        let changeset = Open311Value.string(TicketJSON.iso(Date(timeIntervalSince1970: 1_795_000_000)))
        return .object([
            ("changeset", changeset),
            ("contact", .string("\(dependencies.city.program.resolve(dependencies.city.defaultLocale)) — call \(dependencies.city.phone)")),
            ("key_service", .string("Ask the city for an api_key (cityline token create --role open311).")),
            ("endpoints", .list("endpoints", "endpoint", [.object([
                ("specification", .string("http://wiki.open311.org/GeoReport_v2")), ("url", .string(base)), ("changeset", changeset),
                ("type", .string("production")),
                ("formats", .list("formats", "format", [.string("application/json"), .string("text/xml")])),
            ])])),
        ])
    }

    func services(_ request: Request) throws -> Open311Value {
        let parameters = Self.query(request)
        try checkJurisdiction(parameters)
        let locale = try locale(parameters)
        let city = dependencies.city
        return .list("services", "service", city.services.map { service in
            .object([
                ("service_code", .string(service.code)),
                ("service_name", .string(service.name.resolve(locale, fallbacks: city.fallbackLocales))),
                ("description", .string(service.description.resolve(locale, fallbacks: city.fallbackLocales))),
                ("metadata", .bool(!service.attributes.isEmpty)),
                ("type", .string("realtime")),
                ("keywords", .string((service.keywords.values[locale] ?? service.keywords.values[city.defaultLocale] ?? []).joined(separator: ", "))),
                ("group", .string(city.groups.first { $0.code == service.group }?.name.resolve(locale, fallbacks: city.fallbackLocales) ?? service.group)),
            ])
        })
    }

    func definition(_ code: String, _ request: Request) throws -> Open311Value {
        let parameters = Self.query(request)
        try checkJurisdiction(parameters)
        let locale = try locale(parameters)
        let city = dependencies.city
        guard let service = city.service(code) else { throw Failure(status: .notFound, description: "no service '\(code.prefix(60))'") }
        return .object([
            ("service_code", .string(service.code)),
            ("attributes", .list("attributes", "attribute", service.attributes.enumerated().map { index, attribute in
                .object([
                    ("variable", .bool(true)), ("code", .string(attribute.code)), ("datatype", .string(attribute.datatype.rawValue)),
                    ("required", .bool(attribute.required)), ("datatype_description", .null), ("order", .number(Double(index + 1))),
                    ("description", .string(attribute.question.resolve(locale, fallbacks: city.fallbackLocales))),
                    ("values", .list("values", "value", attribute.values.map { option in
                        .object([("key", .string(option.key)), ("name", .string(option.name.resolve(locale, fallbacks: city.fallbackLocales)))])
                    })),
                ])
            })),
        ])
    }
}

/// What an Open311 answer holds, written as JSON or as XML with the element names clients expect.
indirect enum Open311Value {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    /// A list: in XML `<name><item>…</item>…</name>`; in JSON an array.
    case list(String, String, [Open311Value])
    /// Fields in order.
    case object([(String, Open311Value)])

    func json() -> String {
        switch self {
        case .string(let text): return Self.quote(text)
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .list(_, _, let items): return "[" + items.map { $0.json() }.joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.map { Self.quote($0.0) + ":" + $0.1.json() }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    /// The document: a list is its own root (`<services>`), an object is wrapped in `root`.
    func xml(root: String = "service_definition") -> String {
        let head = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
        switch self {
        case .list(let name, let item, let items): return head + "<\(name)>" + items.map { $0.element(item) }.joined() + "</\(name)>"
        default: return head + element(root)
        }
    }

    func element(_ name: String) -> String {
        switch self {
        case .string(let text): return "<\(name)>\(HTMLText.escape(text))</\(name)>"
        case .number: return "<\(name)>\(json())</\(name)>"
        case .bool(let value): return "<\(name)>\(value)</\(name)>"
        case .null: return "<\(name)/>"
        case .list(_, let item, let items): return "<\(name)>" + items.map { $0.element(item) }.joined() + "</\(name)>"
        case .object(let fields): return "<\(name)>" + fields.map { $0.1.element($0.0) }.joined() + "</\(name)>"
        }
    }
}
