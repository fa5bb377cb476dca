import CityModel
import Foundation
import Rendering

/// Reads `Templates/**/*.mustache` into a `TemplateSet`, then the city's own `templates/` folder over it, so a
/// city can restyle its email layout without copying the rest.
///
/// Unreadable files and invalid UTF-8 are `ConfigError`s; templates that do not parse are in the set's
/// `problems`, each with its file and line.
public struct TemplateLoader {
    public let directories: [String]

    /// - Parameter directories: the product's templates first, then overrides; missing override folders are skipped.
    public init(directories: [String]) { self.directories = directories }

    public func load() throws -> TemplateSet {
        guard let base = directories.first, FileManager.default.fileExists(atPath: base) else {
            throw ConfigError(file: directories.first ?? "Templates", line: 0, message: "no templates folder")
        }
        var sources: [String: TemplateSet.Source] = [:]
        for directory in directories where FileManager.default.fileExists(atPath: directory) {
            let paths = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
            for path in paths.sorted() where path.hasSuffix(".mustache") {
                let file = (directory as NSString).appendingPathComponent(path)
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ConfigError(file: file, line: 0, message: "cannot be read")
                }
                guard let text = String(validating: data, as: UTF8.self) else {
                    throw ConfigError(file: file, line: 0, message: "is not valid UTF-8")
                }
                let name = String(path.dropLast(".mustache".count))
                sources[name] = TemplateSet.Source(name: name, file: file, text: text)
            }
        }
        return TemplateSet(sources: Array(sources.values), directory: base)
    }
}
