// swift-tools-version: 6.0
// CityLine — an open-source 311 messaging system.
//
// Rings (dependencies point inward; see README "Architecture"):
//   0 CityModel              value types
//   1 Localization, Conversation   pure policy (no I/O, no clocks, no randomness)
//   2 Storage, Rendering     ports + in-memory twins, text rendering
//   3 Switchboard            one engine turn per inbound message, applies its events
//   4 CityConfig             adapters (files → model)
//   5 CityLine               the executable, the one composition root
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "CityLine",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cityline", targets: ["CityLine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        // YAML city configuration with line numbers in every loading error.
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .target(name: "CityModel", swiftSettings: strict),
        .target(name: "Localization", dependencies: ["CityModel"], swiftSettings: strict),
        .target(name: "Conversation", dependencies: ["CityModel", "Localization"], swiftSettings: strict),
        .target(name: "Storage", dependencies: ["CityModel", "Localization", "Conversation"], swiftSettings: strict),
        .target(
            name: "Rendering",
            dependencies: ["CityModel", "Localization", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: strict
        ),
        .target(
            name: "CityConfig",
            dependencies: ["CityModel", "Localization", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "Switchboard",
            dependencies: ["CityModel", "Localization", "Conversation", "Storage", "Rendering"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "CityLine",
            dependencies: [
                "CityModel", "Localization", "Conversation", "Storage", "Rendering", "CityConfig", "Switchboard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "ConversationTests", dependencies: ["CityModel", "Localization", "Conversation"], swiftSettings: strict),
        .testTarget(name: "CityConfigTests", dependencies: ["CityModel", "Localization", "CityConfig"], swiftSettings: strict),
        .testTarget(
            name: "TranscriptTests",
            dependencies: [
                "CityModel", "Localization", "Conversation", "Storage", "Rendering", "CityConfig", "Switchboard",
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Transcripts", "__Snapshots__"],
            swiftSettings: strict
        ),
    ]
)
