import CityModel
import Foundation
import Hummingbird
import Localization
import Logging
import Storage
import Switchboard

/// Area notices, admin tokens only (`/api/v1/notices`).
///
/// `POST /api/v1/notices` `{"area": <GeoJSON Polygon or MultiPolygon, a Feature of one> | {"jurisdiction": id} | "all",
/// "messages": {"en": "…", "es": "…"}, "emergency": false, "topic": "water", "dry_run": false}` → `202` with the
/// notice's id, its counts so far and its cost (with `dry_run`: `200` and the cost only, nothing queued);
/// `GET /api/v1/notices` (newest first), `GET /api/v1/notices/{id}` (counts), `POST /api/v1/notices/{id}/cancel`.
/// Bad input is a 4xx `{"error": {"code", "message"}}` and queues nothing.
struct NoticesAPI: Sendable {
    let desk: NoticeDesk
    let store: any AlertStore
    let logger: Logger

    /// A drawn area may have many corners: up to 1 MiB of JSON.
    static let maxBody = 1 << 20

    func register(on router: Router<WebContext>, guarded: @escaping OperationsAPI.Guard) {
        router.post("/api/v1/notices") { request, _ in try await guarded(request) { token in try await self.create(request, token) } }
        router.get("/api/v1/notices") { request, _ in try await guarded(request) { token in try await self.list(request, token) } }
        router.get("/api/v1/notices/:id") { request, context in
            try await guarded(request) { token in try await self.show(context.parameters.get("id") ?? "", token) }
        }
        router.post("/api/v1/notices/:id/cancel") { request, context in
            try await guarded(request) { token in try await self.cancel(context.parameters.get("id") ?? "", token) }
        }
    }

    private func adminOnly(_ token: StaffToken) throws {
        guard token.role == .admin else { throw APIProblem(.forbidden, "forbidden", "area notices need an admin token") }
    }

    private func create(_ request: Request, _ token: StaffToken) async throws -> Response {
        try adminOnly(token)
        guard let bytes = try await request.body(upTo: Self.maxBody) else {
            throw APIProblem(.contentTooLarge, "too_large", "the body is larger than 1 MiB")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw APIProblem(.badRequest, "invalid_json", "the body must be a JSON object")
        }
        let allowed: Set<String> = ["area", "messages", "emergency", "topic", "dry_run"]
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIProblem(.badRequest, "unknown_field", "unknown field '\(unknown)'; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        let noticeRequest = try Self.noticeRequest(object)
        let dryRun = try Self.flag(object, "dry_run")
        do {
            if dryRun {
                let preview = try await desk.preview(noticeRequest)
                return JSONResponse.make(["dry_run": true, "cost": Self.json(preview, desk: desk)])
            }
            let (id, preview) = try await desk.send(noticeRequest, by: token.label ?? "token \(token.id)")
            logger.notice("area notice queued", metadata: [
                "notice.id": "\(id)", "notice.recipients": "\(preview.queued)", "notice.emergency": "\(noticeRequest.emergency)",
                "staff.token": "\(token.id)",
            ])
            guard let record = try await store.notice(id) else { throw APIProblem(.internalServerError, "internal", "the notice was not stored") }
            var body = Self.json(record)
            body["cost"] = Self.json(preview, desk: desk)
            return JSONResponse.make(body, status: .accepted)
        } catch let error as NoticeError {
            let status: HTTPResponse.Status = error.code == "invalid_area" ? .unprocessableContent : .badRequest
            throw APIProblem(status, error.code, error.message)
        }
    }

    private func list(_ request: Request, _ token: StaffToken) async throws -> Response {
        try adminOnly(token)
        var limit = 100
        if let raw = request.uri.queryParameters["limit"].map(String.init) {
            guard let value = Int(raw), (1...1000).contains(value) else { throw APIProblem(.badRequest, "invalid_limit", "limit must be 1 to 1000") }
            limit = value
        }
        return JSONResponse.make(["notices": try await store.notices(limit: limit).map(Self.json)])
    }

    private func show(_ raw: String, _ token: StaffToken) async throws -> Response {
        try adminOnly(token)
        guard let id = Int64(raw), id > 0, let record = try await store.notice(id) else {
            throw APIProblem(.notFound, "not_found", "no notice '\(raw.prefix(40))'")
        }
        return JSONResponse.make(Self.json(record))
    }

    private func cancel(_ raw: String, _ token: StaffToken) async throws -> Response {
        try adminOnly(token)
        guard let id = Int64(raw), id > 0, let withdrawn = try await desk.cancel(id), let record = try await store.notice(id) else {
            throw APIProblem(.notFound, "not_found", "no notice '\(raw.prefix(40))'")
        }
        logger.notice("area notice cancelled", metadata: ["notice.id": "\(id)", "notice.withdrawn": "\(withdrawn)", "staff.token": "\(token.id)"])
        var body = Self.json(record)
        body["withdrawn"] = withdrawn
        return JSONResponse.make(body)
    }

    // MARK: - Reading the request

    static func noticeRequest(_ object: [String: Any]) throws -> NoticeRequest {
        guard let rawArea = object["area"], !(rawArea is NSNull) else {
            throw APIProblem(.badRequest, "missing_area", "give the area: a GeoJSON Polygon or MultiPolygon, {\"jurisdiction\": id} or \"all\"")
        }
        let area = try Self.area(rawArea)
        let areaJSON = String(decoding: JSONResponse.data(rawArea is String ? ["all": true] : rawArea), as: UTF8.self)
        guard let rawMessages = object["messages"] as? [String: Any] else {
            throw APIProblem(.badRequest, "missing_messages", "'messages' must be an object of texts by language, like {\"en\": \"…\"}")
        }
        var messages: [LanguageTag: String] = [:]
        for (code, value) in rawMessages {
            guard let text = value as? String else { throw APIProblem(.badRequest, "invalid_messages", "messages.\(code) must be a string") }
            messages[LanguageTag(code)] = text
        }
        var topic: String?
        if let raw = object["topic"], !(raw is NSNull) {
            guard let text = raw as? String else { throw APIProblem(.badRequest, "invalid_topic", "'topic' must be a string") }
            topic = text
        }
        return NoticeRequest(area: area, areaJSON: areaJSON, messages: messages, emergency: try flag(object, "emergency"), topic: topic)
    }

    static func flag(_ object: [String: Any], _ key: String) throws -> Bool {
        guard let raw = object[key], !(raw is NSNull) else { return false }
        // JSONSerialization gives numbers and booleans alike as NSNumber: a boolean is one whose type is "c".
        guard let number = raw as? NSNumber, String(cString: number.objCType) == "c" else {
            throw APIProblem(.badRequest, "invalid_\(key)", "'\(key)' must be true or false")
        }
        return number.boolValue
    }

    /// `"all"`, `{"jurisdiction": id}`, or GeoJSON: a Polygon, a MultiPolygon, or a Feature holding one.
    static func area(_ raw: Any) throws -> NoticeArea {
        if let text = raw as? String {
            guard text == "all" else { throw APIProblem(.badRequest, "invalid_area", "the area may be the text \"all\", not \"\(text.prefix(40))\"") }
            return .all
        }
        guard let object = raw as? [String: Any] else {
            throw APIProblem(.badRequest, "invalid_area", "the area must be a GeoJSON Polygon or MultiPolygon, {\"jurisdiction\": id} or \"all\"")
        }
        if let id = object["jurisdiction"] {
            guard let id = id as? String, !id.isEmpty else { throw APIProblem(.badRequest, "invalid_area", "'jurisdiction' must be an id") }
            return .jurisdiction(id)
        }
        let type = object["type"] as? String
        if type == "Feature", let geometry = object["geometry"] { return try area(geometry) }
        func problem(_ message: String) -> APIProblem { APIProblem(.unprocessableContent, "invalid_area", message) }
        func ring(_ value: Any) throws -> [Coordinate] {
            guard let positions = value as? [Any] else { throw problem("a ring must be an array of [longitude, latitude] positions") }
            return try positions.map { position in
                guard let pair = position as? [Any], pair.count >= 2, let lon = (pair[0] as? NSNumber)?.doubleValue,
                      let lat = (pair[1] as? NSNumber)?.doubleValue else {
                    throw problem("a position must be [longitude, latitude] in numbers")
                }
                return Coordinate(latitude: lat, longitude: lon)
            }
        }
        func polygon(_ value: Any) throws -> [[Coordinate]] {
            guard let rings = value as? [Any], !rings.isEmpty else { throw problem("a polygon must be an array of rings") }
            return try rings.map(ring)
        }
        switch type {
        case "Polygon":
            guard let coordinates = object["coordinates"] else { throw problem("the Polygon has no coordinates") }
            return .polygon(GeoBoundary(polygons: [try polygon(coordinates)]))
        case "MultiPolygon":
            guard let list = object["coordinates"] as? [Any], !list.isEmpty else { throw problem("the MultiPolygon has no polygons") }
            return .polygon(GeoBoundary(polygons: try list.map(polygon)))
        default:
            throw APIProblem(.badRequest, "invalid_area",
                             "the area must be a GeoJSON Polygon or MultiPolygon (type \(type.map { "'\($0.prefix(30))'" } ?? "missing")), {\"jurisdiction\": id} or \"all\"")
        }
    }

    // MARK: - JSON

    static func json(_ record: NoticeRecord) -> [String: Any] {
        let counts = record.counts
        let area: Any = (try? JSONSerialization.jsonObject(with: Data(record.notice.area.utf8))) ?? record.notice.area
        return [
            "id": record.id, "area": area,
            "messages": Dictionary(uniqueKeysWithValues: record.notice.messages.map { ($0.key.code, $0.value) }),
            "emergency": record.notice.emergency, "topic": record.notice.topic ?? NSNull(),
            "created_at": TicketJSON.iso(record.notice.createdAt), "created_by": record.notice.createdBy,
            "cancelled_at": record.cancelledAt.map(TicketJSON.iso) ?? NSNull(),
            "state": record.cancelledAt != nil ? "cancelled" : counts.queued > 0 ? "sending" : "done",
            "targeted": counts.targeted, "queued": counts.queued, "sent": counts.sent, "failed": counts.failed,
            "suppressed_opt_out": counts.suppressedOptOut, "held_quiet_hours": counts.heldQuietHours, "cancelled": counts.cancelled,
        ]
    }

    static func json(_ preview: NoticePreview, desk: NoticeDesk) -> [String: Any] {
        [
            "recipients": preview.queued, "targeted": preview.targeted, "suppressed_opt_out": preview.suppressedOptOut,
            "held_quiet_hours": preview.heldQuietHours, "sms_segments": preview.smsSegments,
            "pacing_seconds": (preview.pacingSeconds * 10).rounded() / 10, "segments_per_second": desk.segmentsPerSecond,
            "languages": preview.languages.map { language in
                [
                    "locale": language.locale.code, "text_locale": language.textLocale.code, "fallback": language.isFallback,
                    "recipients": language.recipients,
                    "channels": Dictionary(uniqueKeysWithValues: language.byChannel.map { ($0.key.rawValue, $0.value) }),
                    "encoding": language.sms.encoding.rawValue, "segments": language.sms.segments, "characters": language.sms.units,
                ] as [String: Any]
            },
            "fallbacks": Dictionary(uniqueKeysWithValues: preview.fallbacks.map { ($0.key.code, $0.value.code) }),
        ]
    }
}
