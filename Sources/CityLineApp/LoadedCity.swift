import CityConfig
import CityModel
import Conversation
import Foundation
import Geocoding
import Localization
import Rendering

/// A city with everything loaded from its configuration that the commands and the server share: the city, the
/// message catalog and command words, the engine, the renderer and the channel templates.
///
/// Loading compiles the engine's phrase tables (about a second in a debug build): load once per process.
public struct LoadedCity: Sendable {
    public let city: City
    public let catalog: MessageCatalog
    public let lexicon: Lexicon
    public let engine: Engine
    public let renderer: MessageRenderer
    public let templates: TemplateSet
    /// The city's own address data, indexed (empty when the city gives none).
    public let geocoder: Geocoder

    /// Loads the city, the locales and the templates named by `settings`, or throws an `AppError` with the
    /// configuration problem (`file:line: message`). `cityline check` passes `allowingTemplateProblems` to list
    /// them with everything else.
    public static func load(_ settings: AppConfiguration.CitySettings, allowingTemplateProblems: Bool = false) throws -> LoadedCity {
        if let preloaded = settings.preloaded { return preloaded }
        let root = ResourceLocator.root(home: settings.home)
        guard let configDirectory = settings.configDirectory ?? root.map({ ($0 as NSString).appendingPathComponent("DemoCity") }),
              let localesDirectory = settings.localesDirectory ?? root.map({ ($0 as NSString).appendingPathComponent("Locales") }),
              let templatesDirectory = settings.templatesDirectory ?? root.map({ ($0 as NSString).appendingPathComponent("Templates") }) else {
            throw AppError("cannot find the demo city, Locales/ and Templates/; pass --config, --locales and --templates or set CITYLINE_HOME")
        }
        do {
            let city = try CityLoader(directory: configDirectory, environment: settings.overrides).load()
            let (catalog, lexicon) = try LocaleLoader(directory: localesDirectory).load()
            let geocoder = Geocoder(try GeoDataLoader(directory: configDirectory).load())
            let engine = Engine(city: city, lexicon: lexicon, geocoder: geocoder)
            let renderer = MessageRenderer(catalog: catalog, timeZone: city.timeZone, fallbacks: city.fallbackLocales)
            // The city's own templates/ folder overrides single files of the product's.
            let templates = try TemplateLoader(directories: [
                templatesDirectory, (configDirectory as NSString).appendingPathComponent("templates"),
            ]).load()
            if !templates.problems.isEmpty, !allowingTemplateProblems {
                throw AppError(templates.problems.map(\.description).joined(separator: "\n"))
            }
            return LoadedCity(city: city, catalog: catalog, lexicon: lexicon, engine: engine, renderer: renderer, templates: templates,
                              geocoder: geocoder)
        } catch let error as ConfigError {
            throw AppError(error.description)
        }
    }

    public init(city: City, catalog: MessageCatalog, lexicon: Lexicon, engine: Engine, renderer: MessageRenderer, templates: TemplateSet,
                geocoder: Geocoder = Geocoder(GeoData())) {
        self.geocoder = geocoder
        self.city = city
        self.catalog = catalog
        self.lexicon = lexicon
        self.engine = engine
        self.renderer = renderer
        self.templates = templates
    }

    /// The renderer and the templates together; `unsubscribeLink` gives an email address its one-click link.
    public func composer(unsubscribeLink: @escaping @Sendable (ChannelAddress) -> String? = { _ in nil }) -> MessageComposer {
        MessageComposer(renderer: renderer, templates: templates, city: city, unsubscribeLink: unsubscribeLink)
    }
}
