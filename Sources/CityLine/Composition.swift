import CityConfig
import CityModel
import Conversation
import Foundation
import Localization
import Rendering

/// Everything loaded from configuration that the commands share.
struct LoadedCity {
    let city: City
    let catalog: MessageCatalog
    let lexicon: Lexicon
    let engine: Engine
    let renderer: MessageRenderer

    /// Loads the city and the locales, or exits with the configuration problem (file:line: message).
    static func load(_ options: CityOptions) throws -> LoadedCity {
        let root = ResourceLocator.root()
        guard let configDirectory = options.config ?? root.map({ ($0 as NSString).appendingPathComponent("DemoCity") }),
              let localesDirectory = options.locales ?? root.map({ ($0 as NSString).appendingPathComponent("Locales") }) else {
            throw CLIError("cannot find the demo city and Locales/; pass --config and --locales or set CITYLINE_HOME")
        }
        do {
            let city = try CityLoader(directory: configDirectory).load()
            let (catalog, lexicon) = try LocaleLoader(directory: localesDirectory).load()
            let engine = Engine(city: city, lexicon: lexicon)
            let renderer = MessageRenderer(catalog: catalog, timeZone: city.timeZone, fallbacks: city.fallbackLocales)
            return LoadedCity(city: city, catalog: catalog, lexicon: lexicon, engine: engine, renderer: renderer)
        } catch let error as ConfigError {
            throw CLIError(error.description)
        }
    }
}

/// A failure to show the user as is, with exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
