import CityConfig
import CityLineTestSupport
import CityModel
import Foundation
import Localization
import Testing

/// The loader reads the demo city, applies environment overrides, and names file and line for every problem.
@Suite struct CityLoaderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let demo = root.appendingPathComponent("DemoCity").path

    @Test func demoCityLoads() throws {
        let city = try CityLoader(directory: Self.demo, environment: [:]).load()
        #expect(city.id == "springfield")
        #expect(city.timeZoneID == "America/Chicago")
        #expect(city.services.count >= 15)
        #expect(Set(city.services.flatMap(\.attributes).map(\.datatype)) == Set(AttributeDatatype.allCases))
        #expect(city.jurisdictions.map(\.id) == ["springfield", "greene-county"])
        #expect(city.timings.sessionExpiry == 2 * 3600)
        #expect(city.quietHours == QuietHours(start: TimeOfDay("21:00")!, end: TimeOfDay("08:00")!))
        // Every service's department exists, and county routing points at a county department.
        for service in city.services {
            #expect(city.department(service.department) != nil)
            if let county = service.countyDepartment { #expect(city.department(county)?.jurisdiction == "greene-county") }
        }
    }

    @Test func environmentOverridesScalars() throws {
        let city = try CityLoader(directory: Self.demo, environment: [
            "CITYLINE_SURVEYS_DELAY": "0s", "CITYLINE_QUIET_HOURS_START": "22:30", "CITYLINE_SESSION_EXPIRY": "90s",
            "CITYLINE_TIMEZONE": "America/New_York", "UNRELATED": "x",
        ]).load()
        #expect(city.timings.surveyDelay == 0)
        #expect(city.quietHours.start == TimeOfDay("22:30"))
        #expect(city.timings.sessionExpiry == 90)
        #expect(city.timeZoneID == "America/New_York")
    }

    @Test func badEnvironmentValueNamesTheVariable() throws {
        let error = #expect(throws: ConfigError.self) {
            try CityLoader(directory: Self.demo, environment: ["CITYLINE_SURVEYS_DELAY": "soon"]).load()
        }
        #expect(error?.file == "environment CITYLINE_SURVEYS_DELAY")
        #expect(error?.message.contains("duration") == true)
    }

    @Test func routingFollowsTheBoundaries() throws {
        let city = try CityLoader(directory: Self.demo, environment: [:]).load()
        let pothole = try #require(city.service("pothole"))
        let downtown = Coordinate(latitude: 39.7817, longitude: -89.6501)
        let countryside = Coordinate(latitude: 39.9, longitude: -89.5)
        #expect(city.jurisdiction(at: downtown) == "springfield")
        #expect(city.jurisdiction(at: countryside) == "greene-county")
        #expect(city.route(pothole, at: downtown).department == "streets")
        #expect(city.route(pothole, at: countryside) == (department: "county-roads", jurisdiction: "greene-county"))
        #expect(city.route(pothole, at: nil).department == "streets")
    }

    // MARK: - Broken configurations: each names file and line

    /// Copies the demo city to a temporary directory, replacing `file` with `text`.
    func brokenCity(_ file: String, _ edit: (String) -> String) throws -> String {
        let directory = URL(fileURLWithPath: temporaryPath("city"))
        try FileManager.default.copyItem(atPath: Self.demo, toPath: directory.path)
        let path = directory.appendingPathComponent(file).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try edit(text).write(toFile: path, atomically: true, encoding: .utf8)
        return directory.path
    }

    /// A loader with a `YAMLFileCache` reuses what it parsed while the bytes are the same, and reads a changed file
    /// again: the same city as without the cache, every time, and a broken file still names its line.
    @Test func aCachedLoadIsTheSameCityAndSeesEveryChange() throws {
        let directory = try brokenCity("city.yaml") { $0 }
        let cache = YAMLFileCache()
        let plain = try CityLoader(directory: directory, environment: [:]).load()
        #expect(try CityLoader(directory: directory, environment: [:], cache: cache).load() == plain)
        #expect(try CityLoader(directory: directory, environment: [:], cache: cache).load() == plain)

        let path = (directory as NSString).appendingPathComponent("city.yaml")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "timezone: America/Chicago", with: "timezone: America/Denver")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let changed = try CityLoader(directory: directory, environment: [:], cache: cache).load()
        #expect(changed.timeZoneID == "America/Denver")
        #expect(changed == (try CityLoader(directory: directory, environment: [:]).load()))

        try text.replacingOccurrences(of: "timezone: America/Chicago", with: "timezone: [").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:], cache: cache).load() }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try CityLoader(directory: directory, environment: [:], cache: cache).load() == plain)

        // The emergency triage is built once and reused (CityLoader.emergencies); a language's changed phrases, a
        // broken phrase file and a new language file are each seen on the next load.
        let spanish = (directory as NSString).appendingPathComponent("emergencies/es.yaml")
        let phrases = try String(contentsOfFile: spanish, encoding: .utf8)
        try phrases.replacingOccurrences(of: "  suicide: [suicid*,", with: "  suicide: [suicid*, me quiero ir de este mundo,")
            .write(toFile: spanish, atomically: true, encoding: .utf8)
        let added = try CityLoader(directory: directory, environment: [:], cache: cache).load()
        #expect(added.emergencies.concepts["suicide"]?.values[LanguageTag("es")]?.contains("me quiero ir de este mundo") == true)
        #expect(added == (try CityLoader(directory: directory, environment: [:]).load()))
        try phrases.replacingOccurrences(of: "  suicide: [suicid*,", with: "  suicide: [suicid*, [").write(toFile: spanish, atomically: true, encoding: .utf8)
        let error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:], cache: cache).load() }
        #expect(error?.file.hasSuffix("es.yaml") == true)
        try phrases.write(toFile: spanish, atomically: true, encoding: .utf8)
        #expect(try CityLoader(directory: directory, environment: [:], cache: cache).load() == plain)
        let extra = (directory as NSString).appendingPathComponent("emergencies/xx.yaml")
        try "locale: es\nconcepts:\n  suicide: [quiero desaparecer para siempre]\n".write(toFile: extra, atomically: true, encoding: .utf8)
        let more = try CityLoader(directory: directory, environment: [:], cache: cache).load()
        #expect(more.emergencies.concepts["suicide"]?.values[LanguageTag("es")]?.contains("quiero desaparecer para siempre") == true)
        try FileManager.default.removeItem(atPath: extra)
        #expect(try CityLoader(directory: directory, environment: [:], cache: cache).load() == plain)

        // The service catalog is reused too, while services.yaml and the department codes are the same: a department
        // renamed in city.yaml leaves services naming the old one, which is an error again, not a cached catalog.
        try text.replacingOccurrences(of: "  - code: streets\n", with: "  - code: roads\n").write(toFile: path, atomically: true, encoding: .utf8)
        let renamed = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:], cache: cache).load() }
        #expect(renamed?.file.hasSuffix("services.yaml") == true && renamed?.message.contains("unknown department 'streets'") == true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let services = (directory as NSString).appendingPathComponent("services.yaml")
        let catalog = try String(contentsOfFile: services, encoding: .utf8)
        try catalog.replacingOccurrences(of: "code: pothole", with: "code: road-hole").write(toFile: services, atomically: true, encoding: .utf8)
        let recoded = try CityLoader(directory: directory, environment: [:], cache: cache).load()
        #expect(recoded.services.contains { $0.code == "road-hole" } && !recoded.services.contains { $0.code == "pothole" })
        try catalog.write(toFile: services, atomically: true, encoding: .utf8)
        #expect(try CityLoader(directory: directory, environment: [:], cache: cache).load() == plain)
    }

    func lineNumber(of needle: String, in file: String, directory: String) throws -> Int {
        let text = try String(contentsOfFile: (directory as NSString).appendingPathComponent(file), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        return try #require(lines.firstIndex { $0.contains(needle) }) + 1
    }

    /// The learned caution (`model:` in emergencies.yaml): the demo city has one; a bad threshold names its line,
    /// a missing or broken weights file names the file, and a cached load sees a changed weights file.
    @Test func theDangerModelIsReadAndChecked() throws {
        let model = try #require(try CityLoader(directory: Self.demo, environment: [:]).load().emergencies.model)
        #expect(model.code == "learned-danger" && model.weights.count > 1_000 && (0.5...0.95).contains(model.threshold))

        var directory = try brokenCity("emergencies.yaml") { $0.replacingOccurrences(of: "  threshold: ", with: "  threshold: 1") }
        var error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:]).load() }
        #expect(error?.line == (try lineNumber(of: "  threshold: 1", in: "emergencies.yaml", directory: directory)))
        #expect(error?.message == "'threshold' must be between 0 and 1")

        directory = try brokenCity("emergencies.yaml") { $0.replacingOccurrences(of: "file: danger-model.json", with: "file: nowhere.json") }
        error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:]).load() }
        #expect(error?.message == "the model file 'nowhere.json' cannot be read")
        #expect(error?.line == (try lineNumber(of: "file: nowhere.json", in: "emergencies.yaml", directory: directory)))

        directory = try brokenCity("danger-model.json") { $0.replacingOccurrences(of: "\"weights\":[[", with: "\"weights\":[[99999999,") }
        error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:]).load() }
        #expect(error?.file.hasSuffix("danger-model.json") == true)
        #expect(error?.message.hasPrefix("weight 1 must be [bucket, weight]") == true, "\(error?.message ?? "")")

        // The demo city softens a rule's answer when the model is sure, except for wires, collapsed or fallen people,
        // a child shut in a car or lost, gas, and a prescribed burn that got away.
        #expect(model.doubtBelow == 0.05
                && model.neverDoubted == ["power-line", "live-metal", "medical", "gas", "child-in-car", "fall-not-moving", "lost-child",
                                          "burn-escaped"])
        let doubtLine = "  doubt-below: 0.05\n  never-doubt: [power-line, live-metal, medical, gas, child-in-car, fall-not-moving, lost-child, burn-escaped]"
        directory = try brokenCity("emergencies.yaml") { $0.replacingOccurrences(of: doubtLine, with: "  doubt-below: 0.9") }
        error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:]).load() }
        #expect(error?.line == (try lineNumber(of: "  doubt-below: 0.9", in: "emergencies.yaml", directory: directory)))
        #expect(error?.message.hasPrefix("'doubt-below' must be above 0 and below the threshold") == true, "\(error?.message ?? "")")
        directory = try brokenCity("emergencies.yaml") {
            $0.replacingOccurrences(of: doubtLine, with: "  doubt-below: 0.02\n  never-doubt: [power-line, live-metal]")
        }
        let doubting = try CityLoader(directory: directory, environment: [:]).load().emergencies.model
        #expect(doubting?.doubtBelow == 0.02 && doubting?.neverDoubted == ["power-line", "live-metal"])
        directory = try brokenCity("emergencies.yaml") { $0.replacingOccurrences(of: doubtLine, with: "") }
        #expect(try CityLoader(directory: directory, environment: [:]).load().emergencies.model?.doubtBelow == nil, "off unless set")
        // `never-doubt` names emergency triggers only.
        for (names, problem) in [("[power-line, power-lines]", "'never-doubt' names 'power-lines', which is not a trigger"),
                                 ("[suicide]", "'never-doubt' names 'suicide', whose answer (crisis) is never doubted anyway")] {
            directory = try brokenCity("emergencies.yaml") {
                $0.replacingOccurrences(of: doubtLine, with: "  doubt-below: 0.02\n  never-doubt: \(names)")
            }
            error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:]).load() }
            #expect(error?.message == problem)
            #expect(error?.line == (try lineNumber(of: "  never-doubt: \(names)", in: "emergencies.yaml", directory: directory)))
        }

        // Cached: the same model while the bytes are; a new weights file is read again.
        directory = try brokenCity("danger-model.json") { $0 }
        let cache = YAMLFileCache()
        #expect(try CityLoader(directory: directory, environment: [:], cache: cache).load().emergencies.model == model)
        let path = (directory as NSString).appendingPathComponent("danger-model.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        json["bias"] = model.bias + 1
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        let changed = try #require(try CityLoader(directory: directory, environment: [:], cache: cache).load().emergencies.model)
        #expect(changed.bias != model.bias && changed.weights == model.weights)
    }

    @Test func unknownDepartmentNamesFileAndLine() throws {
        let directory = try brokenCity("services.yaml") {
            $0.replacingOccurrences(of: "department: streets\n    county_department", with: "department: roads\n    county_department")
        }
        let error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:]).load() }
        #expect(error?.file.hasSuffix("services.yaml") == true)
        #expect(error?.line == (try lineNumber(of: "department: roads", in: "services.yaml", directory: directory)))
        #expect(error?.message == "service 'pothole': unknown department 'roads'")
    }

    @Test func departmentsOpen311AndAreasAreReadAndCheckedWithTheirLine() throws {
        let good = try brokenCity("city.yaml") {
            $0.replacingOccurrences(of: "  - code: streets\n", with: """
                  - code: streets
                    open311: {endpoint: "https://crm.example/open311/v2/", api_key_env: STREETS_OPEN311_KEY, service_codes: {pothole: PH-01}, poll: 90s}

                """)
        }
        let city = try CityLoader(directory: good, environment: [:]).load()
        let endpoint = try #require(city.department("streets")?.open311)
        #expect(endpoint.url("requests.json") == "https://crm.example/open311/v2/requests.json")
        #expect(endpoint.serviceCodes == ["pothole": "PH-01"] && endpoint.pollInterval == 90 && endpoint.apiKeyVariable == "STREETS_OPEN311_KEY")
        #expect(city.areas.map(\.id) == ["ward-1", "ward-2", "ward-3", "ward-4", "rural"])
        #expect(city.area(at: Coordinate(latitude: 39.7666, longitude: -89.6781)) == "ward-3")

        for (line, message) in [
            ("open311: {endpoint: ftp://crm.example, api_key_env: STREETS_OPEN311_KEY}", "'endpoint' must be an http(s) URL"),
            ("open311: {endpoint: https://crm.example, api_key_env: the_key}", "'api_key_env' must name an environment variable"),
            ("open311: {endpoint: https://crm.example, api_key: abc}", "unknown key 'api_key'"),
        ] {
            let directory = try brokenCity("city.yaml") { $0.replacingOccurrences(of: "  - code: streets\n", with: "  - code: streets\n    \(line)\n") }
            let error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:]).load() }
            #expect(error?.line == (try lineNumber(of: line, in: "city.yaml", directory: directory)), "\(line)")
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        }
    }

    @Test func whatsappTemplatesAreReadAndCheckedWithTheirLine() throws {
        let city = try CityLoader(directory: Self.demo, environment: [:]).load()
        #expect(city.whatsappTemplates.template(kind: "status_update", locale: LanguageTag("es"))
            == WhatsAppTemplates.Template(name: "cityline_status_update", language: "es"))
        #expect(city.whatsappTemplates.template(kind: "status_update", locale: LanguageTag("zh-Hans"))?.language == "zh_CN")
        #expect(city.whatsappTemplates.template(kind: "operator_reply", locale: .english)?.language == "en_US")
        #expect(city.whatsappTemplates.template(kind: "operator_reply", locale: LanguageTag("vi")) == nil)
        for (line, message) in [
            ("    postcard: {en: cityline_postcard}", "'postcard' is not a kind of message"),
            ("    notice: {fr: cityline_notice}", "'fr' is not one of the city's locales"),
            ("    notice: {en: Cityline-Notice}", "'Cityline-Notice' is not a WhatsApp template name"),
            ("    notice: {en: {name: cityline_notice, lang: en_US}}", "unknown key 'lang'"),
        ] {
            let directory = try brokenCity("city.yaml") { $0.replacingOccurrences(of: "  templates:\n", with: "  templates:\n\(line)\n") }
            let error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:]).load() }
            #expect(error?.file.hasSuffix("city.yaml") == true)
            #expect(error?.line == (try lineNumber(of: line, in: "city.yaml", directory: directory)), "\(line)")
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        }
    }

    @Test func alertTopicsAreReadAndCheckedWithTheirLine() throws {
        let city = try CityLoader(directory: Self.demo, environment: [:]).load()
        #expect(city.alertTopics.map(\.code) == ["water", "roads", "trash"])
        #expect(city.alertTopic("water")?.name.resolve(LanguageTag("es")) == "agua")
        for (line, message) in [
            ("- {code: Water, name: {en: water}}", "alert topic code 'Water' must be lower-case letters"),
            ("- {code: roads, name: {en: streets}}", "duplicate alert topic 'roads'"),
            ("- {code: parking}", "'name'"),
            ("- {code: parking, name: {en: parking}, icon: car}", "unknown key 'icon'"),
        ] {
            let directory = try brokenCity("city.yaml") {
                $0.replacingOccurrences(of: "    - {code: water,", with: "    \(line)\n    - {code: water,")
            }
            let error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:]).load() }
            #expect(error?.file.hasSuffix("city.yaml") == true)
            let expected = try lineNumber(of: line, in: "city.yaml", directory: directory)
            #expect(error?.line == expected || message.hasPrefix("duplicate"), "\(line): \(error?.line ?? 0) vs \(expected)")
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        }
    }

    @Test func yamlSyntaxErrorNamesTheLine() throws {
        let directory = try brokenCity("city.yaml") { $0.replacingOccurrences(of: "phone: \"311\"", with: "phone: \"311") }
        let error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:]).load() }
        #expect(error?.file.hasSuffix("city.yaml") == true)
        #expect((error?.line ?? 0) > 0)
        #expect(error?.message.hasPrefix("YAML syntax") == true)
    }

    @Test func typoInKeyIsReported() throws {
        let directory = try brokenCity("city.yaml") { $0.replacingOccurrences(of: "quiet_hours:", with: "quiet_hour:") }
        let error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:]).load() }
        #expect(error?.line == (try lineNumber(of: "quiet_hour:", in: "city.yaml", directory: directory)))
        #expect(error?.message.contains("unknown key 'quiet_hour'") == true)
    }

    @Test func badDatatypeAndBadTimeZone() throws {
        let services = try brokenCity("services.yaml") { $0.replacingOccurrences(of: "datatype: number", with: "datatype: integer") }
        let error = #expect(throws: ConfigError.self) { try CityLoader(directory: services, environment: [:]).load() }
        #expect(error?.message.contains("datatype must be one of") == true)
        #expect(error?.line == (try lineNumber(of: "datatype: integer", in: "services.yaml", directory: services)))

        let zone = try brokenCity("city.yaml") { $0.replacingOccurrences(of: "America/Chicago", with: "Mars/Olympus") }
        let zoneError = #expect(throws: ConfigError.self) { try CityLoader(directory: zone, environment: [:]).load() }
        #expect(zoneError?.message == "unknown time zone 'Mars/Olympus'")
    }

    @Test func theWebLookIsCheckedForContrastTheLogoAndEmbeddingSites() throws {
        let demo = try CityLoader(directory: Self.demo, environment: [:]).load()
        #expect(demo.web.color == "#1f4e8c" && demo.web.logo?.contentType == "image/svg+xml")
        #expect(demo.web.embedOrigins == ["https://springfield.example"])
        // White text on the city's colour, and the colour as text on the page, must both reach 4.5:1.
        let pale = try brokenCity("city.yaml") { $0.replacingOccurrences(of: "color: \"#1f4e8c\"", with: "color: \"#4a90e2\"") }
        let error = #expect(throws: ConfigError.self) { try CityLoader(directory: pale, environment: [:]).load() }
        #expect(error?.line == (try lineNumber(of: "color: \"#4a90e2\"", in: "city.yaml", directory: pale)))
        #expect(error?.message.hasPrefix("#4a90e2 has a contrast of 3.") == true && error?.message.contains("WCAG AA needs 4.5:1") == true)
        let logo = try brokenCity("city.yaml") { $0.replacingOccurrences(of: "logo: brand/logo.svg", with: "logo: brand/seal.svg") }
        #expect(throws: ConfigError.self) { try CityLoader(directory: logo, environment: [:]).load() }
        let site = try brokenCity("city.yaml") {
            $0.replacingOccurrences(of: "embed_on: [https://springfield.example]", with: "embed_on: [springfield.example/311]")
        }
        let siteError = #expect(throws: ConfigError.self) { try CityLoader(directory: site, environment: [:]).load() }
        #expect(siteError?.line == (try lineNumber(of: "embed_on:", in: "city.yaml", directory: site)))
        #expect(WebLook.contrast("#000000", "#ffffff").map { ($0 * 100).rounded() } == 2100)
    }

    @Test func missingFileIsNamed() throws {
        let directory = try brokenCity("city.yaml") { $0 }
        try FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent("emergencies.yaml"))
        let error = #expect(throws: ConfigError.self) { try CityLoader(directory: directory, environment: [:]).load() }
        #expect(error?.file.hasSuffix("emergencies.yaml") == true)
        #expect(error?.message == "cannot read the file")
    }

    @Test func localesLoadWithCommands() throws {
        let (catalog, lexicon) = try LocaleLoader(directory: Self.root.appendingPathComponent("Locales").path).load()
        #expect(catalog.names[.english] == "English")
        #expect(catalog.template("report.created", locale: LanguageTag("en-US"))?.contains("{{number}}") == true)
        #expect(lexicon.command(exactly: "stop", locale: .english) == .stop)
        #expect(lexicon.command(exactly: TextFolding.fold("  Stop! "), locale: .english) == .stop)
        #expect(lexicon.command(exactly: "stop sign down", locale: .english) == nil)
    }
}
