import ChannelSMS
@testable import CityLineApp
import CityLineTestSupport
import Foundation
import Hummingbird
import Logging
import Storage
import Testing

/// The one typed configuration: read once from flags and an environment dictionary, every invalid value named,
/// and the start-up checks and summary of the application built from it.
@Suite struct AppConfigurationTests {
    @Test func defaultsNeedNothingFromTheEnvironment() throws {
        let configuration = try AppConfiguration(environment: [:])
        #expect(configuration.http.host == "127.0.0.1" && configuration.http.port == 8311)
        #expect(configuration.smtpListener.port == 2525 && configuration.smtpListener.isEnabled)
        #expect(configuration.storage.dataDirectory == "./.cityline" && configuration.storage.databaseURL == nil)
        #expect(configuration.twilio.apiBase == "https://api.twilio.com" && !configuration.twilio.sendsSMS)
        #expect(configuration.twilio.segmentsPerSecond == 1)
        #expect(configuration.email == nil && configuration.publicURL == nil && configuration.serverSecret == nil)
        #expect(configuration.logLevel == .info)
    }

    @Test func rateComesFromTheEnvironment() throws {
        func rate(_ value: String) throws -> Double {
            try AppConfiguration(environment: ["TWILIO_SEGMENTS_PER_SECOND": value]).twilio.segmentsPerSecond
        }
        #expect(try AppConfiguration(environment: [:]).twilio.segmentsPerSecond == 1)
        #expect(try rate("") == 1)
        #expect(try rate("3") == 3)
        #expect(try rate(" 0.5 ") == 0.5)
        // The Twilio transport is paced at that rate.
        var configuration = try AppConfiguration(environment: [
            "TWILIO_SEGMENTS_PER_SECOND": "100", "TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "token", "TWILIO_FROM": "+12175550311",
        ])
        configuration.storage.dataDirectory = try temporaryDirectory()
        let twilio = try #require(try Outbound.transports(configuration).transports[.sms] as? TwilioTransport)
        #expect(twilio.pacer?.rate == 100)
        for bad in ["0", "-1", "fast", "nan", "inf", "1/s"] {
            let error = #expect(throws: AppError.self) { try rate(bad) }
            #expect(error?.description.contains("TWILIO_SEGMENTS_PER_SECOND") == true)
            #expect(error?.description.contains(bad) == true)
        }
    }

    @Test func thePublicURLIsOneNormalizedValue() throws {
        let configuration = try AppConfiguration(environment: ["CITYLINE_PUBLIC_URL": "https://311.springfield.example/"])
        #expect(configuration.publicURL == "https://311.springfield.example")
        #expect(try AppConfiguration(environment: ["CITYLINE_PUBLIC_URL": ""]).publicURL == nil)
        for bad in ["311.springfield.example", "ftp://311.springfield.example", "https://"] {
            let error = #expect(throws: AppError.self) { try AppConfiguration(environment: ["CITYLINE_PUBLIC_URL": bad]) }
            #expect(error?.description.contains("CITYLINE_PUBLIC_URL") == true, "\(bad)")
        }
        let api = #expect(throws: AppError.self) { try AppConfiguration(environment: ["TWILIO_API_BASE": "api.twilio.com"]) }
        #expect(api?.description.contains("TWILIO_API_BASE") == true)
    }

    @Test func invalidValuesNameTheirVariableOrFlag() throws {
        let level = #expect(throws: AppError.self) { try AppConfiguration(environment: ["LOG_LEVEL": "verbose"]) }
        #expect(level?.description.contains("LOG_LEVEL") == true && level?.description.contains("verbose") == true)
        #expect(try AppConfiguration(environment: ["LOG_LEVEL": "debug"]).logLevel == .debug)
        var flags = AppConfiguration.Flags()
        flags.logLevel = "warning"
        #expect(try AppConfiguration(flags: flags, environment: ["LOG_LEVEL": "debug"]).logLevel == .warning, "the flag wins")
        flags.logLevel = "loud"
        let flag = #expect(throws: AppError.self) { try AppConfiguration(flags: flags, environment: [:]) }
        #expect(flag?.description.contains("--log-level") == true)
        var ports = AppConfiguration.Flags()
        ports.port = 70_000
        #expect(throws: AppError.self) { try AppConfiguration(flags: ports, environment: [:]) }
        let email = #expect(throws: AppError.self) { try AppConfiguration(environment: ["SMTP_URL": "smtp://smtp.example.org"]) }
        #expect(email?.description.contains("SMTP_FROM") == true)
    }

    @Test func cityOverridesAreTheOtherCitylineVariables() throws {
        let configuration = try AppConfiguration(environment: [
            "CITYLINE_SURVEYS_DELAY": "0s", "CITYLINE_PUBLIC_URL": "https://x.example", "CITYLINE_SECRET": "s", "CITYLINE_HOME": "/tmp",
            "TWILIO_FROM": "+1", "HOME": "/root",
        ])
        #expect(configuration.city.overrides == ["CITYLINE_SURVEYS_DELAY": "0s"])
        #expect(configuration.city.home == "/tmp" && configuration.serverSecret == "s")
        var settings = Demo.settings
        settings.overrides = configuration.city.overrides
        #expect(try LoadedCity.load(settings).city.timings.surveyDelay == 0)
    }

    @Test func theDatabaseFlagWinsOverTheEnvironment() throws {
        var flags = AppConfiguration.Flags()
        #expect(try AppConfiguration(flags: flags, environment: ["CITYLINE_DATABASE_URL": "postgres://env"]).storage.databaseURL == "postgres://env")
        flags.databaseURL = "postgres://flag"
        let configuration = try AppConfiguration(flags: flags, environment: ["CITYLINE_DATABASE_URL": "postgres://env"])
        #expect(configuration.storage.databaseURL == "postgres://flag")
    }

    @Test func startUpRefusesUncheckableSignaturesAndUnsignableWebhooks() async throws {
        let token = await #expect(throws: AppError.self) {
            _ = try await buildApplication(try .testing(store: .memory(MemoryStore()), environment: ["TWILIO_AUTH_TOKEN": "t"]))
        }
        #expect(token?.description == "TWILIO_AUTH_TOKEN is set but CITYLINE_PUBLIC_URL is not: webhook signatures cannot be checked")

        let demo = try Demo.loadedCity
        var city = demo.city
        city.departments[0].webhook = "https://streets.springfield.example/events"
        var configuration = try AppConfiguration.testing(store: .memory(MemoryStore()))
        configuration.city.preloaded = LoadedCity(city: city, catalog: demo.catalog, lexicon: demo.lexicon, engine: demo.engine,
                                                  renderer: demo.renderer, templates: demo.templates)
        let webhook = await #expect(throws: AppError.self) { _ = try await buildApplication(configuration) }
        #expect(webhook?.description.contains("has a webhook but CITYLINE_WEBHOOK_SECRET is not set") == true)
        configuration.webhookSecret = "whsec"
        _ = try await buildApplication(configuration)
    }

    /// The application on port 0 reports the port it bound and the summary `cityline serve` prints.
    @Test func theRunningServerReportsItsPortAndSummary() async throws {
        let reported = Locked<(Int, [String])?>(nil)
        var configuration = try AppConfiguration.testing(store: .memory(MemoryStore()),
                                                         environment: ["CITYLINE_PUBLIC_URL": "https://311.springfield.example/"])
        configuration.onServerRunning = { port, summary in reported.withLock { $0 = (port, summary) } }
        let app = try await buildApplication(configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            while reported.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(20)) }
            group.cancelAll()
        }
        let (port, summary) = try #require(reported.withLock { $0 })
        #expect(port > 0)
        #expect(summary.first == "CityLine — Springfield 311 — serving http://127.0.0.1:\(port)")
        #expect(summary.contains("  SMTP in       off (--no-smtp)"))
        #expect(summary.contains { $0.contains("signatures: not checked, TWILIO_AUTH_TOKEN unset") })
        #expect(summary.contains { $0.contains("emails link to https://311.springfield.example/unsubscribe/…)") })
        #expect(summary.contains("  data          in memory (nothing is kept after the process ends)"))
        #expect(summary.contains { $0.hasPrefix("    sms: outbox file ") })
    }
}
