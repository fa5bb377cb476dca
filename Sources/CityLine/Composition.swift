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
    let templates: TemplateSet

    /// Loads the city, the locales and the templates, or exits with the configuration problem (file:line: message).
    /// `cityline check` passes `allowingTemplateProblems` to list them with everything else.
    static func load(_ options: CityOptions, allowingTemplateProblems: Bool = false) throws -> LoadedCity {
        let root = ResourceLocator.root()
        guard let configDirectory = options.config ?? root.map({ ($0 as NSString).appendingPathComponent("DemoCity") }),
              let localesDirectory = options.locales ?? root.map({ ($0 as NSString).appendingPathComponent("Locales") }),
              let templatesDirectory = options.templates ?? root.map({ ($0 as NSString).appendingPathComponent("Templates") }) else {
            throw CLIError("cannot find the demo city, Locales/ and Templates/; pass --config, --locales and --templates or set CITYLINE_HOME")
        }
        do {
            let city = try CityLoader(directory: configDirectory).load()
            let (catalog, lexicon) = try LocaleLoader(directory: localesDirectory).load()
            let engine = Engine(city: city, lexicon: lexicon)
            let renderer = MessageRenderer(catalog: catalog, timeZone: city.timeZone, fallbacks: city.fallbackLocales)
            // The city's own templates/ folder overrides single files of the product's.
            let templates = try TemplateLoader(directories: [
                templatesDirectory, (configDirectory as NSString).appendingPathComponent("templates"),
            ]).load()
            if !templates.problems.isEmpty, !allowingTemplateProblems {
                throw CLIError(templates.problems.map(\.description).joined(separator: "\n"))
            }
            return LoadedCity(city: city, catalog: catalog, lexicon: lexicon, engine: engine, renderer: renderer, templates: templates)
        } catch let error as ConfigError {
            throw CLIError(error.description)
        }
    }
}

extension LoadedCity {
    /// The renderer and the templates together; `unsubscribeLink` gives an email address its one-click link.
    func composer(unsubscribeLink: @escaping @Sendable (ChannelAddress) -> String? = { _ in nil }) -> MessageComposer {
        MessageComposer(renderer: renderer, templates: templates, city: city, unsubscribeLink: unsubscribeLink)
    }
}

/// A failure to show the user as is, with exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
