import CityModel
import Foundation
import Localization

/// Reads `Locales/*.yaml`: one file per locale with its name, command words and every resident-facing string.
///
/// ```yaml
/// locale: en
/// name: English
/// commands: {stop: [stop, unsubscribe], yes: [yes, y]}
/// messages:
///   report:
///     created: "Thanks! Your tracking number is {{number}}."   # key report.created
/// ```
public struct LocaleLoader {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public func load() throws -> (catalog: MessageCatalog, lexicon: Lexicon) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let yamlFiles = files.filter { $0.hasSuffix(".yaml") }.sorted()
        guard !yamlFiles.isEmpty else {
            throw ConfigError(file: directory, line: 0, message: "no locale files (*.yaml) found")
        }
        var catalog = MessageCatalog()
        var lexicon = Lexicon()
        for name in yamlFiles {
            let display = (directory as NSString).appendingPathComponent(name)
            let root = try YAMLValue.load(file: display, displayName: display)
            try root.only(["locale", "name", "commands", "person", "messages"])
            let localeValue = try root.required("locale")
            let locale = LanguageTag(try localeValue.nonEmptyString())
            guard name == "\(locale.code).yaml" else {
                throw localeValue.fail("locale '\(locale.code)' must live in \(locale.code).yaml")
            }
            catalog.names[locale] = try root.required("name").nonEmptyString()
            lexicon.names[locale] = catalog.names[locale]
            let commands = try root.required("commands")
            try commands.only(Set(CommandWord.allCases.map(\.rawValue)))
            for (key, words) in try commands.entries() {
                if let command = CommandWord(rawValue: key) { lexicon.add(try words.strings(), for: command, in: locale) }
            }
            // Plain requests for a person, matched anywhere in a message ("can I talk to someone?").
            if let person = root["person"] { lexicon.addPersonRequests(try person.strings(), in: locale) }
            var strings: [String: String] = [:]
            try flatten(try root.required("messages"), prefix: "", into: &strings)
            catalog.strings[locale] = strings
        }
        return (catalog, lexicon)
    }

    private func flatten(_ value: YAMLValue, prefix: String, into strings: inout [String: String]) throws {
        for (key, child) in try value.entries() {
            let full = prefix.isEmpty ? key : "\(prefix).\(key)"
            if child.node.mapping != nil {
                try flatten(child, prefix: full, into: &strings)
            } else {
                strings[full] = try child.string()
            }
        }
    }
}

/// Finds the directories CityLine ships with (`Locales/`, `DemoCity/`, `Templates/`): under `home` (the
/// configuration's `CITYLINE_HOME`), else the current directory or one of its parents, else the source checkout
/// this binary was built from.
public enum ResourceLocator {
    public static func root(home: String?) -> String? {
        var candidates: [String] = []
        if let home, !home.isEmpty { candidates.append(home) }
        var directory = FileManager.default.currentDirectoryPath
        while true {
            candidates.append(directory)
            let parent = (directory as NSString).deletingLastPathComponent
            if parent == directory || parent.isEmpty { break }
            directory = parent
        }
        // Sources/CityConfig/LocaleLoader.swift → the checkout root.
        let source = ((#filePath as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        candidates.append((source as NSString).deletingLastPathComponent)
        return candidates.first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("Locales")) }
    }
}
