// swift-tools-version: 6.0
// CityLine's fuzz targets (README "Reliability"): one libFuzzer target per parser that reads outside input.
// A package of its own so that the main package's builds and tests never see libFuzzer. Build and run with
// `Fuzz/run.sh` (it passes `-sanitize=fuzzer,address -parse-as-library`; a plain `swift build` here cannot link,
// since libFuzzer brings the `main`).
import PackageDescription

let package = Package(
    name: "CityLineFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "CityLine", path: "..")],
    targets: [
        .executableTarget(name: "form-body", dependencies: [.product(name: "FuzzedTransport", package: "CityLine")]),
        .executableTarget(name: "twilio-webhook", dependencies: [
            .product(name: "FuzzedTransport", package: "CityLine"), .product(name: "FuzzedChannelSMS", package: "CityLine"),
        ]),
        .executableTarget(name: "whatsapp-webhook", dependencies: [.product(name: "FuzzedChannelChatApps", package: "CityLine")]),
        .executableTarget(name: "telegram-webhook", dependencies: [.product(name: "FuzzedChannelChatApps", package: "CityLine")]),
        .executableTarget(name: "inbound-email", dependencies: [.product(name: "FuzzedChannelEmail", package: "CityLine")]),
        .executableTarget(name: "smtp-commands", dependencies: [.product(name: "FuzzedChannelEmail", package: "CityLine")]),
        .executableTarget(name: "chat-frame", dependencies: [.product(name: "FuzzedWebAPI", package: "CityLine")]),
        .executableTarget(name: "open311-post", dependencies: [
            .product(name: "FuzzedWebAPI", package: "CityLine"), .product(name: "FuzzedCityConfig", package: "CityLine"),
            .product(name: "FuzzedTransport", package: "CityLine"), .product(name: "FuzzedGeocoding", package: "CityLine"),
        ]),
        .executableTarget(name: "city-yaml", dependencies: [.product(name: "FuzzedCityConfig", package: "CityLine")]),
        .executableTarget(name: "geo-data", dependencies: [.product(name: "FuzzedCityConfig", package: "CityLine")]),
        .executableTarget(name: "history-import", dependencies: [.product(name: "FuzzedCityConfig", package: "CityLine")]),
        .executableTarget(name: "geocoder", dependencies: [
            .product(name: "FuzzedCityConfig", package: "CityLine"), .product(name: "FuzzedGeocoding", package: "CityLine"),
        ]),
    ]
)
