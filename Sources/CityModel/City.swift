import Foundation

/// A city's whole configuration: who it is, when it works, its departments and its service catalog.
///
/// Loaded from a configuration directory by `CityConfig`; everything here is plain data so the engine
/// stays pure and tests can build a city in code.
public struct City: Sendable, Equatable {
    public var id: String
    public var name: LocalizedText
    public var program: LocalizedText
    /// How to reach a person by phone (`"311"`).
    public var phone: String
    public var website: String?
    /// IANA time zone identifier, e.g. `America/Chicago`.
    public var timeZoneID: String
    /// Locales offered to residents; the first is the city default.
    public var locales: [LanguageTag]
    public var businessHours: BusinessHours
    public var quietHours: QuietHours
    public var timings: Timings
    public var jurisdictions: [Jurisdiction]
    public var defaultJurisdiction: String
    public var departments: [Department]
    public var groups: [ServiceGroup]
    public var services: [Service]
    public var information: [InformationEntry]
    public var emergencies: EmergencyTriage
    /// The department whose staff answer residents who ask for a person (`operators:`): its staff tokens see the
    /// operators' queue. Nil: only admin tokens do.
    public var operatorDepartment: String?
    /// The look of the residents' web pages and the sites that may embed the chat (`web:`).
    public var web = WebLook()
    /// The most SMS segments one message may take (`sms.max_segments`, default 2): `cityline check` fails past it.
    public var smsSegmentLimit = 2
    /// How fast one resident may write before the bot stops answering each message (`flood:`).
    public var flood = FloodLimit()
    /// How far back an open ticket counts as one a new report may duplicate (`duplicates.days`, default 30).
    public var duplicateDays = 30
    /// A point this close (metres) to a boundary between jurisdictions that would send a report to different
    /// departments is asked about (`boundary.margin_m`; 0, the default: the point decides alone).
    public var boundaryMargin = 0.0
    /// The areas the city reports by (`areas:`: wards, council districts, neighbourhoods): each ticket with a point
    /// is stamped with the first area containing it, for the KPIs and the equity view. Empty: no areas.
    public var areas: [CityArea] = []
    /// The pre-approved WhatsApp templates for messages outside WhatsApp's 24-hour window (`whatsapp.templates`).
    public var whatsappTemplates = WhatsAppTemplates()
    /// The kinds of area notices residents may choose (`alerts.topics:`; empty: one kind, every notice).
    public var alertTopics: [AlertTopic] = []

    public init(
        id: String, name: LocalizedText, program: LocalizedText, phone: String, website: String? = nil,
        timeZoneID: String, locales: [LanguageTag], businessHours: BusinessHours, quietHours: QuietHours,
        timings: Timings, jurisdictions: [Jurisdiction], defaultJurisdiction: String, departments: [Department],
        groups: [ServiceGroup], services: [Service], information: [InformationEntry], emergencies: EmergencyTriage
    ) {
        self.id = id
        self.name = name
        self.program = program
        self.phone = phone
        self.website = website
        self.timeZoneID = timeZoneID
        self.locales = locales
        self.businessHours = businessHours
        self.quietHours = quietHours
        self.timings = timings
        self.jurisdictions = jurisdictions
        self.defaultJurisdiction = defaultJurisdiction
        self.departments = departments
        self.groups = groups
        self.services = services
        self.information = information
        self.emergencies = emergencies
    }

    /// The city's default locale (its first configured locale).
    public var defaultLocale: LanguageTag { locales.first ?? .english }

    public var timeZone: TimeZone { TimeZone(identifier: timeZoneID) ?? TimeZone(secondsFromGMT: 0)! }

    public func service(_ code: String) -> Service? { services.first { $0.code == code } }
    public func department(_ code: String) -> Department? { departments.first { $0.code == code } }
    /// A service's name in `locale` (along the fallback chain); its code when the catalog has no such service.
    public func serviceName(_ code: String, in locale: LanguageTag) -> String {
        service(code)?.name.resolve(locale, fallbacks: fallbackLocales) ?? code
    }
    /// A department's name in `locale` (along the fallback chain); its code when there is no such department.
    public func departmentName(_ code: String, in locale: LanguageTag) -> String {
        department(code)?.name.resolve(locale, fallbacks: fallbackLocales) ?? code
    }
    public func group(_ code: String) -> ServiceGroup? { groups.first { $0.code == code } }
    public func jurisdiction(_ id: String) -> Jurisdiction? { jurisdictions.first { $0.id == id } }
    public func services(inGroup code: String) -> [Service] { services.filter { $0.group == code } }
    public func alertTopic(_ code: String) -> AlertTopic? { alertTopics.first { $0.code == code } }

    /// Fallbacks after a resident's own locale: the city default, then English.
    public var fallbackLocales: [LanguageTag] { [defaultLocale, .english] }

    /// The jurisdiction a point lies in: the smallest configured boundary that contains it, else the default.
    public func jurisdiction(at point: Coordinate?) -> String {
        guard let point else { return defaultJurisdiction }
        return jurisdiction(containing: point) ?? defaultJurisdiction
    }

    /// The smallest jurisdiction whose boundary contains `point`; nil outside every one.
    public func jurisdiction(containing point: Coordinate) -> String? {
        let containing = jurisdictions.filter { $0.boundary?.contains(point) ?? false }
        return containing.min { ($0.boundary?.area ?? 0) < ($1.boundary?.area ?? 0) }?.id
    }

    /// The id of the first configured area containing `point` (nil without a point or outside every area).
    public func area(at point: Coordinate?) -> String? {
        guard let point else { return nil }
        return areas.first { $0.boundary.contains(point) }?.id
    }

    /// An area's name in `locale` (its id when unknown).
    public func areaName(_ id: String, in locale: LanguageTag) -> String {
        areas.first { $0.id == id }?.name.resolve(locale, fallbacks: fallbackLocales) ?? id
    }

    /// A ticket for `service`, routed to the department and jurisdiction of its location (or of the jurisdiction
    /// the resident chose, near a boundary), due after the service's SLA.
    public func draft(_ service: Service, number: TrackingNumber, description: String, location: Location?,
                      attributes: [AttributeAnswer], media: [MediaRef], locale: LanguageTag, channel: Channel, at date: Date,
                      jurisdiction chosen: String? = nil, firstContactAt: Date? = nil) -> TicketDraft {
        let routed = chosen.map { self.route(service, in: $0) } ?? self.route(service, at: location?.coordinate)
        return TicketDraft(
            trackingNumber: number, serviceCode: service.code, department: routed.department, jurisdiction: routed.jurisdiction,
            description: description, location: location, attributes: attributes, media: media, locale: locale, channel: channel,
            requestedAt: date, expectedAt: date.addingTimeInterval(Double(service.sla)),
            firstContactAt: firstContactAt, area: area(at: location?.coordinate)
        )
    }

    /// Which department handles `service` at `point`: its own department inside that department's
    /// jurisdiction, else its `countyDepartment` when the point lies in that department's jurisdiction.
    public func route(_ service: Service, at point: Coordinate?) -> (department: String, jurisdiction: String) {
        if point == nil, let own = department(service.department) { return (own.code, own.jurisdiction) }
        return route(service, in: jurisdiction(at: point))
    }

    /// A jurisdiction's name in `locale` (its id when unknown).
    public func jurisdictionName(_ id: String, in locale: LanguageTag) -> String {
        jurisdictions.first { $0.id == id }?.name.resolve(locale, fallbacks: fallbackLocales) ?? id
    }

    /// Which department handles `service` in the jurisdiction `place`.
    public func route(_ service: Service, in place: String) -> (department: String, jurisdiction: String) {
        let own = department(service.department)
        if let own, own.jurisdiction == place { return (own.code, own.jurisdiction) }
        if let alternative = service.countyDepartment.flatMap(department), alternative.jurisdiction == place {
            return (alternative.code, alternative.jurisdiction)
        }
        return (service.department, own?.jurisdiction ?? defaultJurisdiction)
    }

    /// The jurisdictions a point near a boundary could be in, when they would send `service` to different
    /// departments (the smallest containing one first): within `boundaryMargin` metres of a boundary. Empty when
    /// it does not matter or the city keeps no margin.
    public func jurisdictionsInDoubt(for service: Service, at point: Coordinate) -> [String] {
        guard boundaryMargin > 0, let here = jurisdiction(containing: point) else { return [] }
        // The boundaries within the margin: across one lies its jurisdiction (a neighbour), or — for the edge of the
        // jurisdiction the point is in — the one around it.
        let close = Set(jurisdictions.filter { ($0.boundary?.distance(to: point) ?? .infinity) <= boundaryMargin }.map(\.id))
        guard !close.isEmpty else { return [] }
        var options = [here]
        for other in jurisdictions where other.id != here {
            if close.contains(other.id) || (close.contains(here) && other.boundary?.contains(point) == true) { options.append(other.id) }
        }
        let departments = Set(options.map { route(service, in: $0).department })
        return departments.count > 1 ? options : []
    }
}

/// A government that answers requests on this line (a city, a county).
public struct Jurisdiction: Sendable, Equatable {
    public var id: String
    public var name: LocalizedText
    public var boundary: GeoBoundary?
    public init(id: String, name: LocalizedText, boundary: GeoBoundary?) {
        self.id = id
        self.name = name
        self.boundary = boundary
    }
}

/// An area the city reports by (a ward, a council district, a neighbourhood).
public struct CityArea: Sendable, Equatable {
    public var id: String
    public var name: LocalizedText
    public var boundary: GeoBoundary
    public init(id: String, name: LocalizedText, boundary: GeoBoundary) {
        self.id = id
        self.name = name
        self.boundary = boundary
    }
}

/// A department that receives tickets.
public struct Department: Sendable, Equatable {
    public var code: String
    public var name: LocalizedText
    public var jurisdiction: String
    /// The department system's URL for signed ticket events (created, reopened), or nil.
    public var webhook: String?
    /// The department's work-order system, reached as an Open311 GeoReport v2 client: each new ticket is filed
    /// there and its status comes back.
    public var open311: Open311Endpoint?
    public init(code: String, name: LocalizedText, jurisdiction: String, webhook: String? = nil, open311: Open311Endpoint? = nil) {
        self.code = code
        self.name = name
        self.jurisdiction = jurisdiction
        self.webhook = webhook
        self.open311 = open311
    }
}

/// A department's Open311 GeoReport v2 server (`open311:` under a department in `city.yaml`).
public struct Open311Endpoint: Sendable, Equatable {
    /// The base URL the paths go under: `https://crm.example.gov/open311/v2` → `…/requests.json`.
    public var endpoint: String
    /// The name of the environment variable holding the `api_key` (secrets stay out of configuration files).
    public var apiKeyVariable: String
    public var jurisdictionID: String?
    /// Our service codes → theirs (a code not listed is sent as it is).
    public var serviceCodes: [String: String]
    /// The attribute code their service definitions use for another system's reference: our tracking number is
    /// sent in it. Nil: it travels in the description and the `Idempotency-Key` header only.
    public var trackingAttribute: String?
    /// How often their status changes are fetched, in seconds.
    public var pollInterval: Int
    /// `json` or `xml` (as FixMyStreet speaks to councils' servers): the paths' extension and the answers' format.
    public var format: String = "json"

    public init(endpoint: String, apiKeyVariable: String, jurisdictionID: String? = nil, serviceCodes: [String: String] = [:],
                trackingAttribute: String? = nil, pollInterval: Int = 300) {
        self.endpoint = endpoint
        self.apiKeyVariable = apiKeyVariable
        self.jurisdictionID = jurisdictionID
        self.serviceCodes = serviceCodes
        self.trackingAttribute = trackingAttribute
        self.pollInterval = pollInterval
    }

    /// `…/requests.json`.
    public func url(_ path: String) -> String {
        (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) + "/" + path
    }
}

/// Timings of the conversation and the follow-up messages, in seconds.
public struct Timings: Sendable, Equatable {
    public var sessionExpiry: Int
    public var surveyDelay: Int
    public var surveyReminder: Int
    public init(sessionExpiry: Int, surveyDelay: Int, surveyReminder: Int) {
        self.sessionExpiry = sessionExpiry
        self.surveyDelay = surveyDelay
        self.surveyReminder = surveyReminder
    }
}

/// How fast one resident may write and still get an answer to each message (`flood: {burst, per_minute}`): a burst
/// of `burst` messages, then `perMinute` a minute. A person reporting a problem never meets it — a report takes a few
/// messages over minutes; a script, a stuck phone or two bots answering each other do. Past it every message is
/// still stored, STOP and emergencies are still answered, and the resident hears once that answers will wait.
public struct FloodLimit: Sendable, Equatable {
    public var burst: Int
    public var perMinute: Double
    public init(burst: Int = 20, perMinute: Double = 10) {
        self.burst = burst
        self.perMinute = perMinute
    }
}

/// An information answer (FAQ): questions residents ask and the city's answer.
public struct InformationEntry: Sendable, Equatable {
    public var code: String
    public var keywords: LocalizedList
    public var answer: LocalizedText
    public init(code: String, keywords: LocalizedList, answer: LocalizedText) {
        self.code = code
        self.keywords = keywords
        self.answer = answer
    }
}

/// How a city recognises messages that describe an emergency, so they are answered "call 911" and open no ticket.
///
/// Concepts are word classes written per language ("person": "a man", "my dad", "alguien"; "not breathing":
/// "isn't breathing", "no respira"); a trigger fires when one of its rules holds in one sentence of a message:
/// every concept the rule names is there, and none it excludes ("!not-now") is. `unless` phrases are blanked out
/// of the text first ("fire hydrant" hides "fire"), except inside a longer concept phrase that holds one whole.
/// Rules are the same in every language; only the words differ.
public struct EmergencyTriage: Sendable, Equatable {
    /// The concept that starts a new matter inside a sentence ("also", "además", "还有"): no rule names it; a rule's
    /// excluded concepts do not reach across it.
    public static let alsoConcept = "also"
    /// Concept name → its phrases per locale.
    public var concepts: [String: LocalizedList]
    /// Phrases removed before matching, per locale ("fire hydrant", "smoke detector battery").
    public var unless: LocalizedList
    public var triggers: [EmergencyTrigger]
    /// The learned caution, read when no trigger holds (`DangerModel`).
    public var model: DangerModel?

    public init(concepts: [String: LocalizedList] = [:], unless: LocalizedList = LocalizedList([:]), triggers: [EmergencyTrigger] = [],
                model: DangerModel? = nil) {
        self.concepts = concepts
        self.unless = unless
        self.triggers = triggers
        self.model = model
    }

    /// A triage of plain phrase lists: each trigger fires on any of its phrases (one concept named after it).
    public init(phrases: [(code: String, phrases: LocalizedList)], unless: LocalizedList = LocalizedList([:])) {
        self.init(
            concepts: Dictionary(phrases.map { ($0.code, $0.phrases) }, uniquingKeysWith: { a, _ in a }),
            unless: unless,
            triggers: phrases.map { EmergencyTrigger(code: $0.code, rules: [[ConceptTerm($0.code)]]) }
        )
    }

    public var isEmpty: Bool { triggers.isEmpty && model == nil }
}

/// One kind of emergency and the rules that recognise it.
public struct EmergencyTrigger: Sendable, Equatable {
    /// What the resident is told: call 911, or (someone in crisis) call 988 as well — the report in progress ends
    /// and no ticket is opened. `caution`: signs of danger that are not sure enough to turn the resident away
    /// ("my mom is super sleepy and confused", "a truck plowed into the bus shelter, people were waiting"): the turn
    /// goes on as usual and its answer starts with "if anyone is in danger now, call 911". Caution triggers are
    /// read only when no emergency or crisis trigger holds.
    public enum Answer: String, Sendable, Codable, CaseIterable {
        case emergency, crisis, caution
    }

    public var code: String
    public var answer: Answer
    /// Each rule: concepts that must all hold (or, negated, not occur) in one sentence (`^`: or the one before).
    public var rules: [[ConceptTerm]]
    /// When set, a rule's present concepts must also lie within this many words of each other ("a man …
    /// collapsed", not "people park … the drain collapsed").
    public var window: Int?

    public init(code: String, answer: Answer = .emergency, rules: [[ConceptTerm]], window: Int? = nil) {
        self.code = code
        self.answer = answer
        self.rules = rules
        self.window = window
    }
}

/// A concept in a triage rule: present, or (`!name`) absent from near the rule's words (within the trigger's window),
/// or (`!!name`) absent from the whole sentence, or (`^name`) present in the sentence or the one just before it
/// ("¿Dónde regalan detectores de CO? El mío está pitando y mi esposo está mareado").
public struct ConceptTerm: Sendable, Hashable, CustomStringConvertible {
    public var concept: String
    public var negated: Bool
    /// Negated, and silencing the rule from anywhere in the sentence rather than only near its words: "thought it was a
    /// person laying in the ditch … but i turned around and its a mannequin somebody dumped" (only with `negated`).
    public var sentenceWide: Bool
    /// Found in the sentence before as well (never with `negated`).
    public var carried: Bool

    public init(_ concept: String, negated: Bool = false, sentenceWide: Bool = false, carried: Bool = false) {
        self.concept = concept
        self.negated = negated || sentenceWide
        self.sentenceWide = sentenceWide
        self.carried = carried && !self.negated
    }

    /// Reads `name`, `!name`, `!!name` or `^name`.
    public init(parsing text: String) {
        if text.hasPrefix("!!") {
            self.init(String(text.dropFirst(2)).trimmingCharacters(in: .whitespaces), sentenceWide: true)
        } else if text.hasPrefix("!") {
            self.init(String(text.dropFirst()).trimmingCharacters(in: .whitespaces), negated: true)
        } else if text.hasPrefix("^") {
            self.init(String(text.dropFirst()).trimmingCharacters(in: .whitespaces), carried: true)
        } else {
            self.init(text)
        }
    }

    public var description: String { sentenceWide ? "!!\(concept)" : negated ? "!\(concept)" : carried ? "^\(concept)" : concept }
}
