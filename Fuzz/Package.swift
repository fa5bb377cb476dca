// swift-tools-version: 6.0
// CityLine's fuzz targets (README "Reliability"): one libFuzzer target per parser that reads outside input.
// A package of its own so that the main package's builds and tests never see libFuzzer. Build and run with
// `Fuzz/run.sh` (it passes `-sanitize=fuzzer,address`; a plain `swift build` here cannot link: libFuzzer is missing).
import PackageDescription

let package = Package(
    name: "CityLineFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "CityLine", path: "..")],
    targets: [
        // libFuzzer's driver, called from each target's `@main`.
        .target(name: "FuzzDriver"),
        .executableTarget(name: "form-body", dependencies: ["FuzzDriver", .product(name: "FuzzedTransport", package: "CityLine")]),
        .executableTarget(name: "twilio-webhook", dependencies: [
            "FuzzDriver", .product(name: "FuzzedTransport", package: "CityLine"), .product(name: "FuzzedChannelSMS", package: "CityLine"),
        ]),
        .executableTarget(name: "whatsapp-webhook", dependencies: ["FuzzDriver", .product(name: "FuzzedChannelChatApps", package: "CityLine")]),
        .executableTarget(name: "telegram-webhook", dependencies: ["FuzzDriver", .product(name: "FuzzedChannelChatApps", package: "CityLine")]),
        .executableTarget(name: "inbound-email", dependencies: ["FuzzDriver", .product(name: "FuzzedChannelEmail", package: "CityLine")]),
        .executableTarget(name: "smtp-commands", dependencies: ["FuzzDriver", .product(name: "FuzzedChannelEmail", package: "CityLine")]),
        .executableTarget(name: "chat-frame", dependencies: ["FuzzDriver", .product(name: "FuzzedWebAPI", package: "CityLine")]),
        .executableTarget(name: "open311-post", dependencies: [
            "FuzzDriver", .product(name: "FuzzedWebAPI", package: "CityLine"), .product(name: "FuzzedCityConfig", package: "CityLine"),
            .product(name: "FuzzedTransport", package: "CityLine"), .product(name: "FuzzedGeocoding", package: "CityLine"),
        ]),
        .executableTarget(name: "city-yaml", dependencies: ["FuzzDriver", .product(name: "FuzzedCityConfig", package: "CityLine"), .product(name: "FuzzedGeocoding", package: "CityLine")]),
        .executableTarget(name: "geo-data", dependencies: ["FuzzDriver", .product(name: "FuzzedCityConfig", package: "CityLine"), .product(name: "FuzzedGeocoding", package: "CityLine")]),
        .executableTarget(name: "history-import", dependencies: ["FuzzDriver", .product(name: "FuzzedCityConfig", package: "CityLine"), .product(name: "FuzzedGeocoding", package: "CityLine")]),
        .executableTarget(name: "geocoder", dependencies: [
            "FuzzDriver", .product(name: "FuzzedCityConfig", package: "CityLine"), .product(name: "FuzzedGeocoding", package: "CityLine"),
        ]),
    ]
)
