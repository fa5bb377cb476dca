import CityModel
import Foundation
import Localization

/// Loads a city configuration directory (see `Docs/CityConfiguration.md`) into a `City`.
///
/// Every problem names its file and line. Scalars of `city.yaml` can be overridden by `CITYLINE_*`
/// environment variables (`surveys.delay` → `CITYLINE_SURVEYS_DELAY`): the caller passes the environment (the
/// application's configuration passes its `CITYLINE_*` overrides; tests pass what they need, or nothing).
public struct CityLoader {
    public let directory: String
    let environment: [String: String]
    let cache: YAMLFileCache?

    /// `cache`: parsed files to reuse while their bytes are the same (see `YAMLFileCache`).
    public init(directory: String, environment: [String: String], cache: YAMLFileCache? = nil) {
        self.directory = directory
        self.environment = environment.filter { $0.key.hasPrefix("CITYLINE_") }
        self.cache = cache
    }

    public func load() throws -> City {
        let root = try file("city.yaml", overridable: true)
        try root.only([
            "id", "name", "program", "phone", "website", "timezone", "locales", "business_hours", "quiet_hours",
            "surveys", "session", "jurisdictions", "default_jurisdiction", "departments", "sms", "operators", "web", "duplicates", "boundary", "areas",
            "whatsapp",
            "alerts", "flood",
        ])
        let timeZoneValue = try root.required("timezone")
        let timeZoneID = try timeZoneValue.string()
        guard TimeZone(identifier: timeZoneID) != nil else { throw timeZoneValue.fail("unknown time zone '\(timeZoneID)'") }
        let localesValue = try root.required("locales")
        let locales = try localesValue.strings().map(LanguageTag.init)
        guard !locales.isEmpty else { throw localesValue.fail("'locales' needs at least one locale") }

        let jurisdictions = try root.required("jurisdictions").array().map(jurisdiction)
        let ids = Set(jurisdictions.map(\.id))
        let defaultValue = try root.required("default_jurisdiction")
        let defaultJurisdiction = try defaultValue.string()
        guard ids.contains(defaultJurisdiction) else { throw defaultValue.fail("unknown jurisdiction '\(defaultJurisdiction)'") }
        let departments = try root.required("departments").array().map { value -> Department in
            try value.only(["code", "name", "jurisdiction", "email", "webhook", "open311"])
            let webhook = try value["webhook"]?.nonEmptyString()
            if let webhook, !(webhook.hasPrefix("https://") || webhook.hasPrefix("http://")) {
                throw try value.required("webhook").fail("'webhook' must be an http(s) URL")
            }
            let place = try value.required("jurisdiction")
            guard ids.contains(try place.string()) else { throw place.fail("unknown jurisdiction '\(try place.string())'") }
            return Department(code: try value.required("code").nonEmptyString(), name: try value.required("name").localizedText(),
                              jurisdiction: try place.string(), webhook: webhook, open311: try value["open311"].map(open311))
        }
        try unique(departments.map(\.code), in: try root.required("departments"), what: "department")

        let quiet = try root.required("quiet_hours")
        let surveys = try root.required("surveys")
        let session = try root.required("session")
        let catalog = try serviceCatalog(departments: Set(departments.map(\.code)))

        var city = City(
            id: try root.required("id").nonEmptyString(),
            name: try root.required("name").localizedText(),
            program: try root.required("program").localizedText(),
            phone: try root["phone"]?.string() ?? "311",
            website: try root["website"]?.string(),
            timeZoneID: timeZoneID,
            locales: locales,
            businessHours: try businessHours(root.required("business_hours")),
            quietHours: QuietHours(start: try quiet.required("start").timeOfDay(), end: try quiet.required("end").timeOfDay()),
            timings: Timings(
                sessionExpiry: try session.required("expiry").duration(),
                surveyDelay: try surveys.required("delay").duration(),
                surveyReminder: try surveys.required("reminder").duration()
            ),
            jurisdictions: jurisdictions,
            defaultJurisdiction: defaultJurisdiction,
            departments: departments,
            groups: catalog.groups,
            services: catalog.services,
            information: try information(),
            emergencies: try emergencies()
        )
        if let areas = root["areas"] {
            city.areas = try areas.array().map(area)
            try unique(city.areas.map(\.id), in: areas, what: "area")
        }
        if let operators = root["operators"] {
            let code = try operators.nonEmptyString()
            guard departments.contains(where: { $0.code == code }) else { throw operators.fail("unknown department '\(code)'") }
            city.operatorDepartment = code
        }
        if let sms = root["sms"] {
            try sms.only(["max_segments"])
            if let limit = sms["max_segments"] { city.smsSegmentLimit = try limit.count("max_segments") }
        }
        if let web = root["web"] { city.web = try webLook(web) }
        if let whatsapp = root["whatsapp"] { city.whatsappTemplates = try whatsappTemplates(whatsapp, locales: locales) }
        if let boundary = root["boundary"] {
            try boundary.only(["margin_m"])
            if let margin = boundary["margin_m"] {
                let value = try margin.number()
                guard value >= 0, value <= 1_000 else { throw margin.fail("'margin_m' must be 0 to 1000 metres") }
                city.boundaryMargin = value
            }
        }
        if let alerts = root["alerts"] { city.alertTopics = try alertTopics(alerts) }
        if let flood = root["flood"] {
            try flood.only(["burst", "per_minute"])
            if let burst = flood["burst"] { city.flood.burst = try burst.count("burst") }
            if let rate = flood["per_minute"] {
                let value = try rate.number()
                guard value > 0, value <= 600 else { throw rate.fail("'per_minute' must be more than 0 and at most 600") }
                city.flood.perMinute = value
            }
        }
        if let duplicates = root["duplicates"] {
            try duplicates.only(["days"])
            if let days = duplicates["days"] { city.duplicateDays = try days.count("days") }
        }
        return city
    }

    /// `web:` — `color` (white text on it must reach WCAG's 4.5:1), `logo` (an SVG, PNG or JPEG file of at most
    /// 256 KB in the configuration directory), `embed_on` (the origins whose pages may embed the chat widget).
    private func webLook(_ value: YAMLValue) throws -> WebLook {
        try value.only(["color", "logo", "embed_on"])
        var look = WebLook()
        if let color = value["color"] {
            let hex = try color.string().lowercased()
            // White text on it (the header, buttons), and it as text on the pages' light background (headings, links).
            guard let onWhite = WebLook.contrast(hex, "#ffffff"), let onPage = WebLook.contrast(hex, WebLook.pageBackground) else {
                throw color.fail("'color' must be a colour such as \"#1f4e8c\"")
            }
            guard min(onWhite, onPage) >= 4.5 else {
                throw color.fail(String(format: "%@ has a contrast of %.2f:1 with white and %.2f:1 with the page background; WCAG AA needs 4.5:1 — choose a darker colour",
                                        hex, onWhite, onPage))
            }
            look.color = hex
        }
        if let logo = value["logo"] {
            let name = try logo.nonEmptyString()
            let types = ["svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"]
            guard let type = types[(name as NSString).pathExtension.lowercased()] else { throw logo.fail("'logo' must be an .svg, .png or .jpg file") }
            guard let data = FileManager.default.contents(atPath: path(name)) else { throw logo.fail("logo '\(name)' not found in \(directory)") }
            guard data.count <= 256 * 1024 else { throw logo.fail("logo '\(name)' is \(data.count / 1024) KB; at most 256 KB") }
            look.logo = WebLook.Logo(data: data, contentType: type)
        }
        if let origins = value["embed_on"] {
            look.embedOrigins = try origins.strings().map { raw in
                var origin = raw.trimmingCharacters(in: .whitespaces)
                while origin.hasSuffix("/") { origin.removeLast() }
                guard let url = URLComponents(string: origin), ["http", "https"].contains(url.scheme ?? ""), !(url.host ?? "").isEmpty,
                      url.path.isEmpty, url.query == nil else {
                    throw origins.fail("'embed_on' lists sites as origins such as \"https://www.springfield.gov\", not \"\(raw)\"")
                }
                return origin.lowercased()
            }
        }
        return look
    }

    /// `whatsapp:` — `templates`: kind of message → locale → a template name (lower-case letters, digits and `_`, as
    /// Meta names them) or `{name, language}` when the template's language code at Meta is not the locale's.
    private func whatsappTemplates(_ value: YAMLValue, locales: [LanguageTag]) throws -> WhatsAppTemplates {
        try value.only(["templates"])
        guard let templates = value["templates"] else { return WhatsAppTemplates() }
        let kinds = MessageKind.allCases.map(\.rawValue)
        var result = WhatsAppTemplates()
        for (kindName, perLocale) in try templates.entries() {
            guard kinds.contains(kindName) else {
                throw perLocale.fail("'\(kindName)' is not a kind of message (one of \(kinds.joined(separator: ", ")))")
            }
            for (code, entry) in try perLocale.entries() {
                let locale = LanguageTag(code)
                guard locales.contains(locale) else {
                    throw entry.fail("'\(code)' is not one of the city's locales (\(locales.map(\.code).joined(separator: ", ")))")
                }
                let nameValue: YAMLValue
                var language = WhatsAppTemplates.languageCode(for: locale)
                if entry.node.mapping != nil {
                    try entry.only(["name", "language"])
                    nameValue = try entry.required("name")
                    if let given = entry["language"] {
                        language = try given.nonEmptyString()
                        guard language.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "_") }), (2...6).contains(language.count) else {
                            throw given.fail("'language' is a WhatsApp language code such as en_US, es or zh_CN, not '\(language)'")
                        }
                    }
                } else {
                    nameValue = entry
                }
                let name = try nameValue.nonEmptyString()
                guard name.count <= 512, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                    throw nameValue.fail("'\(name)' is not a WhatsApp template name (lower-case letters, digits and _)")
                }
                result.byKind[kindName, default: [:]][locale] = WhatsAppTemplates.Template(name: name, language: language)
            }
        }
        return result
    }

    func file(_ name: String, overridable: Bool = false) throws -> YAMLValue {
        try YAMLValue.load(file: path(name), displayName: display(name), environment: overridable ? environment : nil, cache: cache)
    }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    func display(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    func unique(_ codes: [String], in value: YAMLValue, what: String) throws {
        var seen = Set<String>()
        for code in codes where !seen.insert(code).inserted { throw value.fail("duplicate \(what) '\(code)'") }
    }

    private func jurisdiction(_ value: YAMLValue) throws -> Jurisdiction {
        try value.only(["id", "name", "boundary"])
        return Jurisdiction(id: try value.required("id").nonEmptyString(), name: try value.required("name").localizedText(),
                            boundary: try value["boundary"].map(boundary))
    }

    /// A department's Open311 server: `{endpoint, api_key_env, jurisdiction_id, service_codes: {ours: theirs},
    /// tracking_attribute, poll}`.
    private func open311(_ value: YAMLValue) throws -> Open311Endpoint {
        try value.only(["endpoint", "api_key_env", "jurisdiction_id", "service_codes", "tracking_attribute", "poll", "format"])
        let endpoint = try value.required("endpoint").nonEmptyString()
        guard endpoint.hasPrefix("https://") || endpoint.hasPrefix("http://"), URL(string: endpoint) != nil else {
            throw try value.required("endpoint").fail("'endpoint' must be an http(s) URL")
        }
        let variable = try value.required("api_key_env").nonEmptyString()
        guard variable.contains("OPEN311"), variable.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) else {
            throw try value.required("api_key_env").fail("'api_key_env' must name an environment variable in capitals containing OPEN311, like STREETS_OPEN311_KEY")
        }
        var codes: [String: String] = [:]
        for (ours, theirs) in try value["service_codes"]?.entries() ?? [] { codes[ours] = try theirs.nonEmptyString() }
        let poll = try value["poll"]?.duration() ?? 300
        guard poll >= 1 else { throw try value.required("poll").fail("'poll' must be at least 1s") }
        var result = Open311Endpoint(endpoint: endpoint, apiKeyVariable: variable, jurisdictionID: try value["jurisdiction_id"]?.nonEmptyString(),
                                     serviceCodes: codes, trackingAttribute: try value["tracking_attribute"]?.nonEmptyString(), pollInterval: poll)
        if let format = value["format"] {
            guard ["json", "xml"].contains(try format.string()) else { throw format.fail("'format' must be json or xml") }
            result.format = try format.string()
        }
        return result
    }

    /// `alerts:` — `topics:`, a list of `{code, name}`: the kinds of area notices residents may choose
    /// (`ALERTS water 1423 Oak St`) and staff send (`"topic": "water"`). A code is lower-case letters, digits, `-`
    /// or `_`, starting with a letter; its name is a text per language.
    private func alertTopics(_ value: YAMLValue) throws -> [AlertTopic] {
        try value.only(["topics"])
        guard let list = value["topics"] else { return [] }
        let topics = try list.array().map { item -> AlertTopic in
            try item.only(["code", "name"])
            let codeValue = try item.required("code")
            let code = try codeValue.nonEmptyString()
            guard code.first?.isLetter == true, code.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw codeValue.fail("alert topic code '\(code)' must be lower-case letters, digits, - or _, starting with a letter (like water)")
            }
            return AlertTopic(code: code, name: try item.required("name").localizedText())
        }
        try unique(topics.map(\.code), in: list, what: "alert topic")
        return topics
    }

    /// An area the city reports by: like a jurisdiction, but its boundary is required.
    private func area(_ value: YAMLValue) throws -> CityArea {
        try value.only(["id", "name", "boundary"])
        return CityArea(id: try value.required("id").nonEmptyString(), name: try value.required("name").localizedText(),
                        boundary: try boundary(value.required("boundary")))
    }

    private func boundary(_ file: YAMLValue) throws -> GeoBoundary {
        let name = try file.string()
        do {
            return try GeoJSONBoundary.load(path: path(name))
        } catch let error as GeoJSONBoundary.Problem {
            throw file.fail("boundary '\(name)': \(error.message)")
        }
    }

    private static let weekdays = ["sun": 1, "mon": 2, "tue": 3, "wed": 4, "thu": 5, "fri": 6, "sat": 7]

    /// `mon-fri: "08:00-17:00"`, `sat: "09:00-12:00"`.
    private func businessHours(_ value: YAMLValue) throws -> BusinessHours {
        var days: [Int: ClosedRange<TimeOfDay>] = [:]
        for (key, hours) in try value.entries() {
            let bounds = key.lowercased().split(separator: "-").map(String.init)
            guard let first = bounds.first.flatMap({ Self.weekdays[$0] }), let last = bounds.last.flatMap({ Self.weekdays[$0] }),
                  bounds.count <= 2 else { throw hours.fail("'\(key)' is not a day or day range like mon-fri") }
            let times = try hours.string().split(separator: "-").compactMap { TimeOfDay(String($0)) }
            guard times.count == 2, times[0] < times[1] else { throw hours.fail("hours must look like 08:00-17:00") }
            var day = first
            while true {
                days[day] = times[0]...times[1]
                if day == last { break }
                day = day % 7 + 1
            }
        }
        return BusinessHours(days: days)
    }

    private func information() throws -> [InformationEntry] {
        let root = try file("information.yaml")
        try root.only(["entries"])
        let entries = try root.required("entries").array().map { value -> InformationEntry in
            try value.only(["code", "keywords", "answer"])
            return InformationEntry(code: try value.required("code").nonEmptyString(),
                                    keywords: try value.required("keywords").localizedList(),
                                    answer: try value.required("answer").localizedText())
        }
        try unique(entries.map(\.code), in: root, what: "information entry")
        return entries
    }

    /// `emergencies.yaml` (triggers and their rules) and `emergencies/<locale>.yaml` (each language's concept
    /// phrases). A trigger written the older way, with `phrases` and `unless` per locale, is one concept of its own.
    ///
    /// With a cache, the triage built from the same files' bytes before is reused: turning thousands of phrases
    /// into lists is most of loading a city, and a loader that loads one again and again with only `city.yaml`
    /// changed (the `city-yaml` fuzz target) would spend nearly all its time there.
    private func emergencies() throws -> EmergencyTriage {
        guard let cache else { return try readEmergencies() }
        // Everything readEmergencies reads: the triggers, each language's file (names too) and the model's weights.
        let model = try? file("emergencies.yaml")["model"]?["file"]?.nonEmptyString()
        let files = ["emergencies.yaml"] + emergencyLanguageFiles() + (model.map { [$0] } ?? [])
        let inputs = [Data(files.joined(separator: "\n").utf8)] + files.map { FileManager.default.contents(atPath: path($0)) ?? Data() }
        return try cache.derived("emergencies", inputs: inputs) { try readEmergencies() }
    }

    /// `services.yaml` read with the city's departments; with a cache, reused while the file's bytes and the
    /// department codes are the same (the catalog was the next largest part of reloading a city).
    private func serviceCatalog(departments: Set<String>) throws -> (groups: [ServiceGroup], services: [Service]) {
        let load = { try ServiceCatalogLoader(loader: self, departments: departments).load() }
        guard let cache else { return try load() }
        let inputs = [Data(departments.sorted().joined(separator: "\n").utf8), FileManager.default.contents(atPath: path("services.yaml")) ?? Data()]
        return try cache.derived("services", inputs: inputs, build: load)
    }

    /// `emergencies/<locale>.yaml`, as names relative to the city's directory, in order.
    private func emergencyLanguageFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path("emergencies"))) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
            .map { "emergencies/\($0)" }
    }

    private func readEmergencies() throws -> EmergencyTriage {
        let root = try file("emergencies.yaml")
        try root.only(["triggers", "model"])
        var concepts: [String: [LanguageTag: [String]]] = [:]
        var unless: [LanguageTag: [String]] = [:]
        var triggers: [EmergencyTrigger] = []
        var used: [String: YAMLValue] = [:]
        for value in try root.required("triggers").array() {
            try value.only(["code", "answer", "rules", "window", "phrases", "unless"])
            let code = try value.required("code").nonEmptyString()
            var answer = EmergencyTrigger.Answer.emergency
            if let answerValue = value["answer"] {
                let name = try answerValue.string()
                guard let parsed = EmergencyTrigger.Answer(rawValue: name) else {
                    throw answerValue.fail("'answer' must be \(EmergencyTrigger.Answer.allCases.map(\.rawValue).joined(separator: " or "))")
                }
                answer = parsed
            }
            var rules: [[ConceptTerm]] = []
            if let rulesValue = value["rules"] {
                for ruleValue in try rulesValue.array() {
                    let terms = try ruleValue.strings().map(ConceptTerm.init(parsing:))
                    guard terms.contains(where: { !$0.negated }), terms.allSatisfy({ !$0.concept.isEmpty }) else {
                        throw ruleValue.fail("a rule needs at least one concept that must be present")
                    }
                    for term in terms where used[term.concept] == nil { used[term.concept] = ruleValue }
                    rules.append(terms)
                }
            }
            if let phrases = value["phrases"] {
                for (tag, list) in try phrases.localizedList().values { concepts[code, default: [:]][tag, default: []] += list }
                rules.append([ConceptTerm(code)])
                used[code] = phrases
            }
            if let extra = value["unless"] {
                for (tag, list) in try extra.localizedList().values { unless[tag, default: []] += list }
            }
            guard !rules.isEmpty else { throw value.fail("trigger '\(code)' needs 'rules' (or 'phrases')") }
            var window: Int?
            if let windowValue = value["window"] {
                let words = try windowValue.number()
                guard words >= 1, words == words.rounded() else { throw windowValue.fail("'window' must be a whole number of words") }
                window = Int(words)
            }
            triggers.append(EmergencyTrigger(code: code, answer: answer, rules: rules, window: window))
        }
        try unique(triggers.map(\.code), in: root, what: "emergency trigger")

        // One file per language: its concept phrases and what to blank out.
        for name in emergencyLanguageFiles() {
            let languageFile = try file(name)
            try languageFile.only(["locale", "concepts", "unless"])
            let tag = LanguageTag(try languageFile.required("locale").nonEmptyString())
            if let conceptsValue = languageFile["concepts"] {
                for (concept, list) in try conceptsValue.entries() {
                    guard used[concept] != nil || concept == EmergencyTriage.alsoConcept else {
                        throw list.fail("concept '\(concept)' is not used by any rule in emergencies.yaml")
                    }
                    concepts[concept, default: [:]][tag, default: []] += try list.strings()
                }
            }
            if let extra = languageFile["unless"] { unless[tag, default: []] += try extra.strings() }
        }
        for (concept, where_) in used where concepts[concept] == nil {
            throw where_.fail("concept '\(concept)' has no phrases in any emergencies/<locale>.yaml")
        }
        return EmergencyTriage(concepts: concepts.mapValues(LocalizedList.init), unless: LocalizedList(unless), triggers: triggers,
                               model: try root["model"].map { try dangerModel($0, triggers: triggers) })
    }

    /// `model:` in emergencies.yaml: the learned caution's weights (a JSON file the trainer wrote), its threshold,
    /// the fewest words it reads, and its code.
    private func dangerModel(_ value: YAMLValue, triggers: [EmergencyTrigger]) throws -> DangerModel {
        try value.only(["file", "threshold", "min-words", "code", "doubt-below", "never-doubt"])
        let fileValue = try value.required("file")
        let name = try fileValue.nonEmptyString()
        let thresholdValue = try value.required("threshold")
        let threshold = try thresholdValue.number()
        guard threshold > 0, threshold < 1 else { throw thresholdValue.fail("'threshold' must be between 0 and 1") }
        let minimumWords = try value["min-words"]?.count("min-words") ?? 4
        let code = try value["code"]?.nonEmptyString() ?? "learned-danger"
        var doubtBelow: Double?
        if let doubtValue = value["doubt-below"] {
            let doubt = try doubtValue.number()
            guard doubt > 0, doubt < threshold else {
                throw doubtValue.fail("'doubt-below' must be above 0 and below the threshold (\(threshold))")
            }
            doubtBelow = doubt
        }
        var neverDoubted: Set<String> = []
        if let neverValue = value["never-doubt"] {
            for code in try neverValue.strings() {
                guard let trigger = triggers.first(where: { $0.code == code }) else {
                    throw neverValue.fail("'never-doubt' names '\(code)', which is not a trigger")
                }
                guard trigger.answer == .emergency else {
                    throw neverValue.fail("'never-doubt' names '\(code)', whose answer (\(trigger.answer.rawValue)) is never doubted anyway")
                }
                neverDoubted.insert(code)
            }
        }
        guard let data = FileManager.default.contents(atPath: path(name)) else {
            throw fileValue.fail("the model file '\(name)' cannot be read")
        }
        // A megabyte of JSON takes long to parse: with a cache, the weights read from the same bytes before.
        let parse = { try Self.dangerModel(data, file: display(name)) }
        var model = try cache?.derived("model \(path(name))", inputs: [data], build: parse) ?? parse()
        model.code = code
        model.threshold = threshold
        model.minimumWords = minimumWords
        model.doubtBelow = doubtBelow
        model.neverDoubted = neverDoubted
        return model
    }

    /// The weights file the trainer wrote: `buckets`, `ngrams`, `bias` and `weights` as [bucket, weight] pairs.
    static func dangerModel(_ data: Data, file shown: String) throws -> DangerModel {
        func fail(_ message: String) -> ConfigError { ConfigError(file: shown, line: 0, message: message) }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw fail("not a JSON object (write it with Evaluation/train_danger_model.py)")
        }
        guard let buckets = json["buckets"] as? Int, buckets > 0, buckets <= 1 << 24 else {
            throw fail("'buckets' must be a whole number from 1 to 16777216")
        }
        guard let ngrams = json["ngrams"] as? [Int], !ngrams.isEmpty, ngrams.allSatisfy({ (1...8).contains($0) }) else {
            throw fail("'ngrams' must list lengths from 1 to 8")
        }
        guard let bias = (json["bias"] as? NSNumber)?.doubleValue, bias.isFinite else { throw fail("'bias' must be a number") }
        guard let pairs = json["weights"] as? [[Any]] else { throw fail("'weights' must be a list of [bucket, weight] pairs") }
        var weights = [Float](repeating: 0, count: buckets)
        for (index, pair) in pairs.enumerated() {
            guard pair.count == 2, let bucket = pair[0] as? Int, (0..<buckets).contains(bucket),
                  let weight = (pair[1] as? NSNumber)?.floatValue, weight.isFinite else {
                throw fail("weight \(index + 1) must be [bucket, weight] with a bucket below \(buckets)")
            }
            weights[bucket] = weight
        }
        return DangerModel(code: "", weights: weights, bias: bias, ngrams: ngrams.sorted(), threshold: 0.5, minimumWords: 1)
    }
}
