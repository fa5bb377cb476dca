// swift-tools-version: 6.0
// CityLine — an open-source 311 messaging system.
//
// Rings (dependencies point inward; see README "Architecture"):
//   0 CityModel              value types
//   1 Localization, Conversation   pure policy (no I/O, no clocks, no randomness)
//   2 Storage, Rendering     ports + in-memory twins, text rendering
//   3 Switchboard            one engine turn per inbound message, applies its events
//   4 CityConfig             adapters (files → model)
//   5 CityLineApp            the one composition root (typed configuration, buildApplication)
//     CityLine               the executable: argument parsing, then CityLineApp
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The text core and the engine are optimized in debug builds too: the emergency tables (tens of thousands of
/// phrases in five languages) are compiled at every start, which unoptimized code does ten times slower — every
/// `cityline` command and test server would pay for it.
let optimizedInDebug: [SwiftSetting] = strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "CityLine",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cityline", targets: ["CityLine"]),
        // The modules whose parsers read outside input, for Fuzz/ (a package of its own, built with libFuzzer):
        // not an API for anyone else.
        .library(name: "FuzzedTransport", targets: ["Transport"]),
        .library(name: "FuzzedChannelSMS", targets: ["ChannelSMS"]),
        .library(name: "FuzzedChannelEmail", targets: ["ChannelEmail"]),
        .library(name: "FuzzedChannelChatApps", targets: ["ChannelChatApps"]),
        .library(name: "FuzzedCityConfig", targets: ["CityConfig"]),
        .library(name: "FuzzedGeocoding", targets: ["Geocoding", "CityModel"]),
        .library(name: "FuzzedWebAPI", targets: ["WebAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        // YAML city configuration with line numbers in every loading error.
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // PostgreSQL, the scale-out store (`--database-url`): several `cityline serve` processes on one database.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        // Web chat: WebSocket upgrades on the same server (`/chat/ws`).
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.0.0"),
        // The chat protocol tests' WebSocket client (already a dependency of hummingbird-websocket).
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        // Counters for what must not fail silently (queue rounds); the Prometheus exporter comes with /metrics.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        // `GET /metrics`: the swift-metrics backend that keeps the values and writes the Prometheus text format.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // SMTP email: the client is a small NIO channel handler; TLS (STARTTLS and implicit) via NIOSSL.
        .package(url: "https://github.com/apple/swift-nio", from: "2.70.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
    ],
    targets: [
        .target(name: "CityModel", swiftSettings: strict),
        // CLDR plural rules from the system ICU (libicu-dev), behind a small C shim.
        .target(
            name: "CPluralRules",
            linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc"), .linkedLibrary("icudata")]
        ),
        .target(name: "Localization", dependencies: ["CityModel"], swiftSettings: optimizedInDebug),
        // The channel-neutral messaging model: inbound message, outbound envelope, channel capability profiles.
        .target(name: "Messaging", dependencies: ["CityModel", "Localization"], swiftSettings: strict),
        // Where: the city's own address data, house numbers, corners, places, typos, in every language (pure policy).
        .target(name: "Geocoding", dependencies: ["CityModel", "Localization"], swiftSettings: optimizedInDebug),
        .target(name: "Conversation", dependencies: ["CityModel", "Localization", "Geocoding"], swiftSettings: optimizedInDebug),
        // What is due when: status updates, surveys, quiet hours (pure policy, like Conversation).
        .target(name: "Outreach", dependencies: ["CityModel", "Localization"], swiftSettings: strict),
        // The KPIs and the equity view: definitions and arithmetic over ticket facts (pure policy).
        .target(name: "Reports", dependencies: ["CityModel"], swiftSettings: strict),
        .target(name: "Storage", dependencies: ["Messaging", "CityModel", "Localization", "Conversation", "Outreach", "Reports"], swiftSettings: strict),
        .target(
            name: "Rendering",
            dependencies: ["Messaging", "CityModel", "Localization", "CPluralRules", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: strict
        ),
        .target(
            name: "CityConfig",
            dependencies: ["CityModel", "Localization", "Geocoding", "Rendering", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "Transport",
            dependencies: ["Messaging", "CityModel", "Localization", "Storage", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "Switchboard",
            dependencies: ["Messaging", 
                "CityModel", "Localization", "Conversation", "Outreach", "Storage", "Rendering", "Transport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StorageSQLite",
            dependencies: ["Messaging", 
                "CityModel", "Localization", "Conversation", "Outreach", "Storage",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the one loop where GRDB's rows are too slow (a report over a million tickets).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // The same ports on PostgreSQL (PostgresNIO's client and pool): leased queues with FOR UPDATE SKIP LOCKED.
        .target(
            name: "StoragePostgres",
            dependencies: ["Messaging",
                "CityModel", "Localization", "Conversation", "Outreach", "Storage", "Reports",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // TLS to the database server (`sslmode=require` in the URL); PostgresNIO takes NIOSSL's context.
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ChannelSMS",
            dependencies: ["Messaging", 
                "CityModel", "Localization", "Storage", "Transport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ChannelEmail",
            dependencies: ["Messaging", 
                "CityModel", "Localization", "Storage", "Transport", "Rendering",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // WhatsApp Cloud API and Telegram Bot API: their webhooks' payloads, signatures, photos, and outbound messages.
        .target(
            name: "ChannelChatApps",
            dependencies: ["Messaging",
                "CityModel", "Localization", "Storage", "Transport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ChannelWebhook",
            dependencies: ["Messaging", 
                "CityModel", "Storage", "Transport", "Switchboard",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "WebAPI",
            dependencies: ["Messaging", 
                "CityModel", "Localization", "Conversation", "Outreach", "Storage", "Switchboard", "ChannelSMS", "ChannelEmail", "Reports",
                "Rendering", "Transport", "ChannelChatApps", "Geocoding",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The composition root: one typed configuration (`AppConfiguration`, read once from flags and the
        // environment) and `buildApplication`, which names the concrete adapters. The executable and the tests use it.
        .target(
            name: "CityLineApp",
            dependencies: ["Messaging", 
                "CityModel", "Localization", "Geocoding", "Conversation", "Outreach", "Storage", "Rendering", "CityConfig", "Switchboard",
                "Transport", "StorageSQLite", "StoragePostgres", "ChannelSMS", "ChannelEmail", "ChannelWebhook", "ChannelChatApps", "WebAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // The `cityline` commands: parse flags, read the environment (here only), call into CityLineApp.
        .executableTarget(
            name: "CityLine",
            dependencies: ["Messaging", 
                "CityLineApp", "CityModel", "Localization", "Geocoding", "Conversation", "Storage", "Rendering", "Switchboard", "WebAPI", "CityConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Load generator for the SMS webhook benchmark (Benchmarks/sms-webhook.sh runs it against a release server).
        .executableTarget(
            name: "cityline-bench",
            dependencies: [
                "ChannelSMS", "Transport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/SMSWebhook",
            swiftSettings: strict
        ),
        // Thousands of open web-chat WebSockets at a steady message rate (Benchmarks/chat.sh).
        .executableTarget(
            name: "cityline-chat-bench",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Chat",
            swiftSettings: strict
        ),
        // The KPI report over a million tickets (Benchmarks/kpis.sh).
        .executableTarget(
            name: "cityline-kpi-bench",
            dependencies: ["CityModel", "Reports", "Storage", "StorageSQLite"],
            path: "Benchmarks/KPIs",
            swiftSettings: strict
        ),
        // Geocodes per second and the duplicate lookup on a million tickets (Benchmarks/geocode.sh).
        .executableTarget(
            name: "cityline-geocode-bench",
            dependencies: ["CityModel", "CityConfig", "Geocoding", "Localization", "StorageSQLite"],
            path: "Benchmarks/Geocode",
            swiftSettings: strict
        ),
        // Engine turns per second in-process, one thread (Benchmarks/engine.sh).
        .executableTarget(
            name: "cityline-engine-bench",
            dependencies: ["CityModel", "Conversation", "CityConfig", "Localization"],
            path: "Benchmarks/Engine",
            swiftSettings: strict
        ),
        // Enqueue and drain a million notifications (Benchmarks/outreach.sh).
        .executableTarget(
            name: "cityline-outreach-bench",
            dependencies: ["Messaging", 
                "CityModel", "Conversation", "Outreach", "Storage", "StorageSQLite", "StoragePostgres", "Switchboard", "Transport", "CityConfig",
                "Rendering", "Localization",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Outreach",
            swiftSettings: strict
        ),
        // An area notice to 100,000 opted-in residents, resolved and queued (Benchmarks/notices.sh).
        .executableTarget(
            name: "cityline-notice-bench",
            dependencies: ["CityModel", "CityConfig", "Localization", "Messaging", "Rendering", "Storage", "StorageSQLite", "Switchboard"],
            path: "Benchmarks/Notices",
            swiftSettings: strict
        ),
        // Helpers shared by the test targets (the demo city, temporary directories, a manual clock, a transport
        // double that fails on calls it was not told to expect). A regular target under Tests/: never shipped.
        .target(
            name: "CityLineTestSupport",
            dependencies: ["Messaging", 
                "CityModel", "Localization", "Conversation", "Storage", "Rendering", "CityConfig", "Switchboard", "Transport",
                "StorageSQLite", "StoragePostgres", "CityLineApp", "WebAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CityLineTestSupport",
            swiftSettings: strict
        ),
        .testTarget(name: "ConversationTests", dependencies: ["CityModel", "Localization", "Conversation"], swiftSettings: strict),
        .testTarget(name: "GeocodingTests", dependencies: ["CityModel", "Geocoding"], swiftSettings: strict),
        .testTarget(name: "CityConfigTests", dependencies: ["CityModel", "Localization", "CityConfig", "Geocoding", "CityLineTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TranscriptTests",
            dependencies: ["Messaging", 
                "CityModel", "Localization", "Conversation", "Storage", "Rendering", "CityConfig", "Switchboard", "CityLineApp",
                "CityLineTestSupport", "ChannelChatApps", "Transport",
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Transcripts", "__Snapshots__"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EmailTests",
            dependencies: ["Messaging", 
                "CityModel", "Localization", "Storage", "Transport", "ChannelEmail", "CityLineTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: ["Messaging", 
                "CityModel", "Localization", "Conversation", "Outreach", "Storage", "Rendering", "CityConfig", "Switchboard",
                "Transport", "StorageSQLite", "StoragePostgres", "ChannelSMS", "ChannelEmail", "ChannelWebhook", "ChannelChatApps", "WebAPI", "CityLineApp", "Reports",
                "CityLineTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
