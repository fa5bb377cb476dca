import AsyncHTTPClient
import CityModel
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import NIOCore
import Storage
import Switchboard
import Transport

/// Files new tickets into departments' Open311 GeoReport v2 servers: `POST <endpoint>/requests.json`, form-encoded,
/// with the department's `api_key` (from the environment; never in the outbox) and `Idempotency-Key: cityline-<number>`.
/// The answer's `service_request_id` (or `token`, until the server gives an id) is linked to the ticket, so status
/// changes fetched later find it. 2xx is filed; 408, 429, 5xx and network errors are retried by the outbox with
/// backoff; other 4xx (the server's error list, e.g. an unknown service code) are dead-lettered with its words.
/// A message for a department without an endpoint goes to `fallback` (the outbox file): nothing is dropped silently.
public struct Open311ClientTransport: Transport {
    let endpoints: [String: (endpoint: Open311Endpoint, apiKey: String)]
    let client: HTTPClient
    let links: any ExternalLinkStore
    let fallback: any Transport
    let now: @Sendable () -> Date

    public init(endpoints: [String: (endpoint: Open311Endpoint, apiKey: String)], client: HTTPClient, links: any ExternalLinkStore,
                fallback: any Transport, now: @escaping @Sendable () -> Date = { Date() }) {
        self.endpoints = endpoints
        self.client = client
        self.links = links
        self.fallback = fallback
        self.now = now
    }

    public var description: String { "Open311 GeoReport v2 (\(endpoints.keys.sorted().joined(separator: ", ")))" }

    public func send(_ entry: OutboxEntry) async throws -> String? {
        guard let filing = try? JSONDecoder().decode(Open311Filing.self, from: Data(entry.message.body.utf8)) else {
            throw TransportError(.permanent, "open311: the outbox entry is not a filing")
        }
        guard let (endpoint, apiKey) = endpoints[filing.department] else { return try await fallback.send(entry) }
        var request = HTTPClientRequest(url: endpoint.url("requests.\(endpoint.format)"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: endpoint.format == "xml" ? "text/xml" : "application/json")
        request.headers.add(name: "User-Agent", value: "CityLine")
        request.headers.add(name: "Idempotency-Key", value: filing.idempotencyKey)
        let fields = [("api_key", apiKey)] + filing.fields.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
        request.body = .bytes(ByteBuffer(string: FormBody.encode(fields)))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(30))
            body = try await response.body.collect(upTo: 1024 * 1024)
        } catch {
            throw TransportError(.retry, "open311: \(error)")
        }
        let records = Open311Form.records(body)
        switch response.status.code {
        case 200..<300:
            guard let first = records?.first else {
                throw TransportError(.retry, "open311: HTTP \(response.status.code) without a request list")
            }
            let id = Open311Form.string(first["service_request_id"]), token = Open311Form.string(first["token"])
            guard id != nil || token != nil else { throw TransportError(.retry, "open311: the answer has no service_request_id or token") }
            if let ticket = entry.message.ticket {
                try await links.saveLink(ExternalLink(ticket: ticket, system: Open311Filing.system(filing.department), externalID: id, token: token),
                                         at: now())
            }
            return "open311:" + (id ?? "token:\(token ?? "")")
        case 408, 429, 500...599:
            let retryAfter = response.headers.first(name: "Retry-After").flatMap(TimeInterval.init)
            throw TransportError(.retry, "open311: HTTP \(response.status.code)", retryAfter: retryAfter)
        default:
            let words = records?.first.flatMap { Open311Form.string($0["description"]) } ?? ""
            throw TransportError(.permanent, "open311: HTTP \(response.status.code) \(words.prefix(200))")
        }
    }
}

/// Reads a department's Open311 server: status changes (mySociety's `servicerequestupdates`, else the requests'
/// own status) and the ids of requests it answered with a token.
public struct Open311HTTPRemote: Open311Remote {
    let client: HTTPClient

    public init(client: HTTPClient) { self.client = client }

    public func updates(_ endpoint: Open311Endpoint, from start: Date, to end: Date) async throws -> [RemoteUpdate]? {
        let format = ISO8601DateFormatter()
        var query = [("start_date", format.string(from: start)), ("end_date", format.string(from: end))]
        if let id = endpoint.jurisdictionID { query.append(("jurisdiction_id", id)) }
        guard let list = try await get(endpoint.url("servicerequestupdates.\(endpoint.format)") + "?" + FormBody.encode(query), missingIsNil: true) else {
            return nil
        }
        return list.compactMap { item in
            guard let id = Open311Form.string(item["service_request_id"]) else { return nil }
            return RemoteUpdate(updateID: Open311Form.string(item["update_id"]), requestID: id,
                                status: Open311Form.string(item["external_status_code"]) ?? Open311Form.string(item["status"]) ?? "",
                                description: Open311Form.string(item["description"]),
                                at: Open311Form.string(item["updated_datetime"]).flatMap(InternetTime.date))
        }
    }

    public func requests(_ endpoint: Open311Endpoint, ids: [String]) async throws -> [RemoteUpdate] {
        guard !ids.isEmpty else { return [] }
        var query = [("service_request_id", ids.joined(separator: ","))]
        if let id = endpoint.jurisdictionID { query.append(("jurisdiction_id", id)) }
        let list = try await get(endpoint.url("requests.\(endpoint.format)") + "?" + FormBody.encode(query), missingIsNil: false) ?? []
        return list.compactMap { item in
            guard let id = Open311Form.string(item["service_request_id"]), let status = Open311Form.string(item["status"]) else { return nil }
            return RemoteUpdate(updateID: nil, requestID: id, status: status, description: Open311Form.string(item["status_notes"]),
                                at: Open311Form.string(item["updated_datetime"]).flatMap(InternetTime.date))
        }
    }

    public func requestID(_ endpoint: Open311Endpoint, token: String) async throws -> String? {
        var unreserved = CharacterSet.alphanumerics
        unreserved.insert(charactersIn: "-._~")
        let escaped = token.addingPercentEncoding(withAllowedCharacters: unreserved) ?? token
        let list = try await get(endpoint.url("tokens/\(escaped).\(endpoint.format)"), missingIsNil: true)
        return list?.lazy.compactMap { Open311Form.string($0["service_request_id"]) }.first
    }

    /// A JSON list of objects; nil for a 404 when `missingIsNil` (a server without that extension).
    private func get(_ url: String, missingIsNil: Bool) async throws -> [[String: Any]]? {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: url.contains(".xml") ? "text/xml" : "application/json")
        request.headers.add(name: "User-Agent", value: "CityLine")
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
        if response.status.code == 404, missingIsNil { return nil }
        guard response.status.code == 200 else { throw Open311RemoteError(message: "\(url): HTTP \(response.status.code)") }
        guard let list = Open311Form.records(body) else { throw Open311RemoteError(message: "\(url): not a list of records") }
        return list
    }
}

struct Open311RemoteError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

enum Open311Form {
    /// Ids and codes as strings, whether the server sent them as strings or numbers.
    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: text.isEmpty ? nil : text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }
}

/// Reads an Open311 XML answer the way its clients do: the root (`service_requests`, `service_request_updates`,
/// `errors`) holds one element per record (`request`, `request_update`, `error`) — a list even with one — whose
/// child elements are the record's fields.
final class Open311XML: NSObject, XMLParserDelegate {
    private var records: [[String: Any]] = []
    private var depth = 0
    private var record: [String: Any] = [:]
    private var field: String?
    private var text = ""

    static func records(_ data: Data) -> [[String: Any]]? {
        let reader = Open311XML()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        parser.shouldResolveExternalEntities = false
        return parser.parse() ? reader.records : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        depth += 1
        if depth == 2 { record = [:] }
        if depth == 3 {
            field = name
            text = ""
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if depth == 3 { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if depth == 3, let field {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { record[field] = value }
            self.field = nil
        }
        if depth == 2 { records.append(record) }
        depth -= 1
    }
}

extension Open311Form {
    /// A list of records from a JSON or an XML answer (whichever the body is).
    static func records(_ body: ByteBuffer) -> [[String: Any]]? {
        let data = Data(body.readableBytesView)
        if data.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) == UInt8(ascii: "<") {
            return Open311XML.records(data)
        }
        return (try? JSONSerialization.jsonObject(with: data) as? [Any])?.compactMap { $0 as? [String: Any] }
    }
}
