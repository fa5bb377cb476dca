import CityModel
import Foundation
import Geocoding
import HTTPTypes
import Messaging

/// A `POST /open311/v2/requests` form read against the city and its address data: the service, the description,
/// the location (`lat`+`long`, or `address_string` placed on the city's addresses), the answers to the service's
/// questions, the reporter, the locale and the photo link — everything the filing needs, checked before anything
/// is stored. No store, token or clock: the part of Open311 filing that reads outside input (fuzzed in `Fuzz/`).
/// Anything wrong is a 400 (or, for a `jurisdiction_id` not served here, a 404) saying what.
public struct Open311Submission: Sendable {
    public var service: Service
    public var description: String
    public var location: Location
    public var attributes: [AttributeAnswer]
    public var reporter: ChannelAddress?
    /// The language the service notice is in: `locale` when given, else the city's default.
    public var locale: LanguageTag
    /// `locale` when the form gave one (the resident is acknowledged in it).
    public var requestedLocale: LanguageTag?
    public var media: [MediaRef]
    public var accountID: String?

    /// Reads `form` (empty values already dropped, as an absent parameter).
    public init(form: [(String, String)], city: City, geocoder: Geocoder) throws {
        func field(_ name: String) -> String? { form.first { $0.0 == name }?.1 }
        if let id = field("jurisdiction_id") { try Open311API.checkJurisdiction(["jurisdiction_id": id], city: city) }
        guard let code = field("service_code") else { throw Open311API.Failure(status: .badRequest, description: "service_code is required") }
        guard let service = city.service(code) else {
            throw Open311API.Failure(status: .badRequest, description: "service_code '\(code.prefix(60))' is not a service here")
        }
        let description = (field("description") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard description.count <= 4_000 else { throw Open311API.Failure(status: .badRequest, description: "description is longer than 4000 characters") }

        switch (field("lat").map(Double.init), field("long").map(Double.init), field("address_string")) {
        case (let lat??, let long??, let address):
            let point = Coordinate(latitude: lat, longitude: long)
            guard point.isValid else { throw Open311API.Failure(status: .badRequest, description: "lat must be -90…90 and long -180…180") }
            location = Location(kind: address == nil ? .coordinates : .address, text: address ?? String(format: "%.6f, %.6f", lat, long),
                                coordinate: point, matched: geocoder.reverse(point, within: 60)?.address)
        case (nil, nil, let address?):
            guard address.count <= 200 else { throw Open311API.Failure(status: .badRequest, description: "address_string is longer than 200 characters") }
            location = geocoder.placing(Location(kind: .address, text: address))
        case (nil, nil, nil):
            throw Open311API.Failure(status: .badRequest, description: "a location is required: lat and long, or address_string")
        default:
            throw Open311API.Failure(status: .badRequest, description: "lat and long must both be numbers")
        }

        attributes = try Self.answers(for: service, form)
        reporter = try Self.reporter(field("phone"), field("email"))
        locale = try Open311API.locale(field("locale").map { ["locale": $0] } ?? [:], city: city)
        requestedLocale = field("locale") == nil ? nil : locale
        media = []
        if let link = field("media_url") {
            guard link.count <= 2_000, let url = URL(string: link), ["http", "https"].contains(url.scheme ?? "") else {
                throw Open311API.Failure(status: .badRequest, description: "media_url must be an http(s) URL")
            }
            media.append(MediaRef(url: link))
        }
        self.service = service
        self.description = description.isEmpty ? service.name.resolve(city.defaultLocale) : description
        accountID = field("account_id")
    }

    /// `attribute[code]=value` and `attribute[code][]=value` read against the service's questions: list keys must
    /// be among the values, numbers numbers, dates ISO 8601; required ones present.
    static func answers(for service: Service, _ form: [(String, String)]) throws -> [AttributeAnswer] {
        var given: [String: [String]] = [:]
        for (key, value) in form where key.hasPrefix("attribute[") {
            var code = String(key.dropFirst("attribute[".count))
            if code.hasSuffix("][]") { code.removeLast(3) } else if code.hasSuffix("]") { code.removeLast() } else { continue }
            guard service.attributes.contains(where: { $0.code == code }) else {
                throw Open311API.Failure(status: .badRequest, description: "attribute '\(code.prefix(60))' is not a question of \(service.code)")
            }
            given[code, default: []].append(value)
        }
        var answers: [AttributeAnswer] = []
        for attribute in service.attributes {
            guard let values = given[attribute.code], !values.isEmpty else {
                if attribute.required { throw Open311API.Failure(status: .badRequest, description: "attribute[\(attribute.code)] is required") }
                continue
            }
            let keys = Set(attribute.values.map(\.key))
            switch attribute.datatype {
            case .singlevaluelist, .multivaluelist:
                guard values.allSatisfy(keys.contains), attribute.datatype == .multivaluelist || values.count == 1 else {
                    throw Open311API.Failure(status: .badRequest, description: "attribute[\(attribute.code)] must be one of \(keys.sorted().joined(separator: ", "))")
                }
                answers.append(AttributeAnswer(code: attribute.code, value: .options(values)))
            case .number:
                guard let number = Double(values[0]), number.isFinite else {
                    throw Open311API.Failure(status: .badRequest, description: "attribute[\(attribute.code)] must be a number")
                }
                answers.append(AttributeAnswer(code: attribute.code, value: .number(number)))
            case .datetime:
                answers.append(AttributeAnswer(code: attribute.code, value: .datetime(try Open311API.date(values[0], "attribute[\(attribute.code)]"))))
            case .string, .text:
                guard values[0].count <= 2_000 else { throw Open311API.Failure(status: .badRequest, description: "attribute[\(attribute.code)] is too long") }
                answers.append(AttributeAnswer(code: attribute.code, value: .text(values[0])))
            }
        }
        return answers
    }

    /// The reporter to acknowledge: a phone (E.164 or ten North American digits) or an email address.
    static func reporter(_ phone: String?, _ email: String?) throws -> ChannelAddress? {
        var object: [String: Any] = [:]
        if let phone { object["phone"] = phone }
        if let email, phone == nil { object["email"] = email }
        do {
            return try StaffAPI.reporter(object)
        } catch let problem as APIProblem {
            throw Open311API.Failure(status: .badRequest, description: problem.message)
        }
    }
}
