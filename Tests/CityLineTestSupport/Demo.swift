import CityConfig
import CityLineApp
import CityModel
import Conversation
import Foundation
import Logging
import Rendering
import Storage
import Switchboard

/// The demo city (`DemoCity/`, `Locales/`, `Templates/` of this repository), loaded once per test process: loading
/// compiles the engine's phrase tables, which takes a while in a debug build.
public enum Demo {
    /// The repository's root directory.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Where the demo city, the locales and the templates are, with no `CITYLINE_*` overrides.
    public static var settings: AppConfiguration.CitySettings {
        AppConfiguration.CitySettings(
            configDirectory: root.appendingPathComponent("DemoCity").path,
            localesDirectory: root.appendingPathComponent("Locales").path,
            templatesDirectory: root.appendingPathComponent("Templates").path
        )
    }

    private static let result = Result<LoadedCity, any Error> { try LoadedCity.load(settings) }

    /// The demo city as the application loads it (to hand to `AppConfiguration.city.preloaded`).
    public static var loadedCity: LoadedCity { get throws { try result.get() } }

    /// The city, its engine and a composer without unsubscribe links.
    public static var loaded: (City, Engine, MessageComposer) {
        get throws {
            let loaded = try loadedCity
            return (loaded.city, loaded.engine, loaded.composer())
        }
    }

    public static var city: City { get throws { try loadedCity.city } }

    /// A switchboard on `store` with sequential tracking numbers.
    public static func switchboard(_ store: any ConversationStore, numbers: any TrackingNumberSource = SequentialTrackingNumbers()) throws -> Switchboard {
        let (_, engine, composer) = try loaded
        return Switchboard(engine: engine, composer: composer, store: store, numbers: numbers, logger: Logger(label: "test"))
    }
}
