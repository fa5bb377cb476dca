import CityModel
import Foundation
import Yams

/// A node of a YAML configuration file that knows where it came from, so every problem names file and line.
///
/// Scalars can be overridden by environment variables: the value at key path `surveys.delay` is replaced by
/// `CITYLINE_SURVEYS_DELAY` when that variable is set (only in files loaded with overrides: `city.yaml`).
struct YAMLValue {
    let node: Node
    let file: String
    let path: [String]
    let environment: [String: String]?
    /// The line of the parent, for values that come from the environment.
    let fallbackLine: Int

    static func load(file: String, displayName: String, environment: [String: String]? = nil,
                     cache: YAMLFileCache? = nil) throws -> YAMLValue {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(file: displayName, line: 0, message: "cannot read the file")
        }
        if let node = cache?.node(file, data) {
            return YAMLValue(node: node, file: displayName, path: [], environment: environment, fallbackLine: 1)
        }
        let value = try parse(data, displayName: displayName, environment: environment)
        cache?.keep(value.node, file, data)
        return value
    }

    /// A YAML document's bytes read (no file, no cache); `displayName` is the name errors give.
    static func parse(_ data: Data, displayName: String, environment: [String: String]? = nil) throws -> YAMLValue {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: displayName, line: 0, message: "the file is not valid UTF-8")
        }
        if let line = complexKeyLine(Array(data)) {
            throw ConfigError(file: displayName, line: line, message: "'? ' starts a complex key, which CityLine's files do not use: "
                              + "write the key itself, then ':'")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(file: displayName, line: Self.line(of: error), message: Self.message(of: error))
        }
        guard let root else { throw ConfigError(file: displayName, line: 1, message: "the file is empty") }
        return YAMLValue(node: root, file: displayName, path: [], environment: environment, fallbackLine: 1)
    }

    /// The line of the first explicit key indicator ("? key", a YAML complex key), or nil.
    ///
    /// No city file needs one, and Yams cannot be trusted with them: a mapping whose keys are nested complex keys
    /// that turn out equal takes exponential time to report as duplicates (Yams sorts the duplicate keys, and
    /// comparing two nested mappings compares their keys both ways at every level); the `city-yaml` fuzz target
    /// found a 2 KB `city.yaml` whose second load in one process ran for minutes. A "?" counts where a node can
    /// start: at the start of a line's content, after a "- ", "? " or ": " indicator, or after "{", "[" or "," —
    /// not in quotes, comments, block scalars ("|", ">") or inside plain text ("is it fixed?").
    static func complexKeyLine(_ bytes: [UInt8]) -> Int? {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var line = 1
        var index = 0
        var quote: UInt8?               // inside a quoted scalar, which may run over several lines
        var blockIndent: Int?           // inside a block scalar: lines indented more than this are its text
        while index < bytes.count {
            // One line: its indentation, then its content.
            let start = index
            var end = start
            while end < bytes.count, bytes[end] != newline { end += 1 }
            defer { index = end + 1; line += 1 }
            var content = start
            while content < end, bytes[content] == space || bytes[content] == tab { content += 1 }
            let blank = content == end || (content + 1 == end && bytes[content] == cr)
            if let parent = blockIndent {
                if blank || content - start > parent { continue }
                blockIndent = nil
            }
            var nodeStart = quote == nil
            var i = content
            func ends(_ at: Int) -> Bool { at >= end || [space, tab, cr].contains(bytes[at]) }
            while i < end {
                let byte = bytes[i]
                if let open = quote {
                    if open == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") { i += 2; continue }
                    if byte == open {
                        if open == UInt8(ascii: "'"), i + 1 < end, bytes[i + 1] == open { i += 2; continue }
                        quote = nil
                    }
                    i += 1
                    continue
                }
                if byte == UInt8(ascii: "#"), i == content || bytes[i - 1] == space || bytes[i - 1] == tab { break }
                if nodeStart {
                    switch byte {
                    case space, tab, cr: break
                    case UInt8(ascii: "?") where ends(i + 1): return line
                    case UInt8(ascii: "-") where ends(i + 1), UInt8(ascii: ":") where ends(i + 1): break
                    case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: ","): break
                    case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = byte; nodeStart = false
                    case UInt8(ascii: "|"), UInt8(ascii: ">"): blockIndent = content - start; i = end; continue
                    case UInt8(ascii: "&"), UInt8(ascii: "!"):
                        while i < end, !ends(i) { i += 1 } // an anchor or a tag: the node starts after it
                        continue
                    default: nodeStart = false
                    }
                } else if (byte == UInt8(ascii: ":") && ends(i + 1)) || [UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: ",")].contains(byte) {
                    nodeStart = true
                }
                i += 1
            }
        }
        return nil
    }

    var line: Int { node.mark?.line ?? fallbackLine }
    var keyPath: String { path.joined(separator: ".") }

    func fail(_ message: String) -> ConfigError {
        if let name = environmentName, environment?[name] != nil {
            return ConfigError(file: "environment \(name)", line: 0, message: message)
        }
        return ConfigError(file: file, line: line, message: message)
    }

    private var environmentName: String? {
        path.isEmpty ? nil : "CITYLINE_" + path.joined(separator: "_").uppercased().replacingOccurrences(of: "-", with: "_")
    }

    // MARK: - Mappings

    /// The value at `key`, or nil when absent (an environment override counts as present).
    subscript(key: String) -> YAMLValue? {
        let childPath = path + [key]
        if let environment, let value = environment["CITYLINE_" + childPath.joined(separator: "_").uppercased()] {
            return YAMLValue(node: Node(value), file: file, path: childPath, environment: environment, fallbackLine: line)
        }
        guard let mapping = node.mapping else { return nil }
        for (k, v) in mapping where k.string == key {
            if case .scalar(let scalar) = v, scalar.tag == Tag(.null) { return nil }
            return YAMLValue(node: v, file: file, path: childPath, environment: environment, fallbackLine: k.mark?.line ?? line)
        }
        return nil
    }

    func required(_ key: String) throws -> YAMLValue {
        guard let value = self[key] else {
            throw ConfigError(file: file, line: line, message: "missing '\(key)'\(path.isEmpty ? "" : " in '\(keyPath)'")")
        }
        return value
    }

    /// Fails on keys other than `allowed` (catches typos such as `quiet_hour`).
    func only(_ allowed: Set<String>) throws {
        guard let mapping = node.mapping else { throw fail("expected a mapping (key: value)") }
        for (key, _) in mapping {
            guard let name = key.string, allowed.contains(name) else {
                throw ConfigError(
                    file: file, line: key.mark?.line ?? line,
                    message: "unknown key '\(key.string ?? "?")'; expected one of: \(allowed.sorted().joined(separator: ", "))"
                )
            }
        }
    }

    func entries() throws -> [(key: String, value: YAMLValue)] {
        guard let mapping = node.mapping else { throw fail("expected a mapping (key: value)") }
        return mapping.map { key, value in
            let name = key.string ?? ""
            return (name, YAMLValue(node: value, file: file, path: path + [name], environment: environment, fallbackLine: key.mark?.line ?? line))
        }
    }

    // MARK: - Scalars and lists

    func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw fail("'\(keyPath)' must be a single value") }
        return scalar.string
    }

    func nonEmptyString() throws -> String {
        let text = try string().trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw fail("'\(keyPath)' must not be empty") }
        return text
    }

    func bool() throws -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail("'\(keyPath)' must be true or false")
        }
    }

    func number() throws -> Double {
        guard let value = Double(try string()) else { throw fail("'\(keyPath)' must be a number") }
        return value
    }

    /// A whole number of at least 1 (`'name' must be a whole number of at least 1`).
    func count(_ name: String) throws -> Int {
        let value = try number()
        guard value >= 1, value == value.rounded() else { throw fail("'\(name)' must be a whole number of at least 1") }
        return Int(value)
    }

    func duration() throws -> Int {
        guard let seconds = ShortDuration.seconds(try string()) else {
            throw fail("'\(keyPath)' must be a duration like 0s, 90s, 15m, 2h, 3d")
        }
        return seconds
    }

    func timeOfDay() throws -> TimeOfDay {
        guard let time = TimeOfDay(try string()) else { throw fail("'\(keyPath)' must be a time like 08:00") }
        return time
    }

    func array() throws -> [YAMLValue] {
        guard case .sequence(let sequence) = node else { throw fail("'\(keyPath)' must be a list") }
        return sequence.enumerated().map { index, item in
            YAMLValue(node: item, file: file, path: path + ["\(index)"], environment: nil, fallbackLine: line)
        }
    }

    func strings() throws -> [String] {
        if case .scalar = node { return [try string()] }
        return try array().map { try $0.string() }
    }

    /// `{en: Pothole, es: Bache}`, or a plain string meaning English.
    func localizedText() throws -> LocalizedText {
        if case .scalar = node { return LocalizedText([.english: try nonEmptyString()]) }
        var values: [LanguageTag: String] = [:]
        for (key, value) in try entries() { values[LanguageTag(key)] = try value.nonEmptyString() }
        guard !values.isEmpty else { throw fail("'\(keyPath)' needs at least one language") }
        return LocalizedText(values)
    }

    /// `{en: [a, b], es: [c]}`.
    func localizedList() throws -> LocalizedList {
        var values: [LanguageTag: [String]] = [:]
        for (key, value) in try entries() { values[LanguageTag(key)] = try value.strings() }
        return LocalizedList(values)
    }

    // MARK: - YAML syntax errors

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        case .duplicatedKeysInMapping(_, let context): return context.mark.line
        default: return 0
        }
    }

    private static func message(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            return "YAML syntax: \(problem)" + (context.map { " (\($0.text))" } ?? "")
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key: \(duplicates.joined(separator: ", "))"
        default:
            return "YAML: \(error)"
        }
    }
}

/// The parsed YAML of files loaded before, by path, reused while a file's bytes are the same: a loader that loads a
/// city again and again with one file changed (the `city-yaml` fuzz target) parses only that file. The bytes are
/// read and compared every time, so a changed file is always parsed again.
///
/// The bytes are kept as `[UInt8]`, not `Data`: `Data` holds its storage in a multi-payload enum whose pointer
/// carries the case in its spare bits, which LeakSanitizer does not follow, so a cache of `Data` looks like a leak
/// to the fuzz targets (README, "Fuzzing").
public final class YAMLFileCache: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: (bytes: [UInt8], node: Node)] = [:]
    private var derived: [String: (inputs: [[UInt8]], value: any Sendable)] = [:]

    public init() {}

    func node(_ path: String, _ data: Data) -> Node? {
        lock.withLock { files[path].flatMap { Self.same(data, $0.bytes) ? $0.node : nil } }
    }

    /// One `memcmp` (an element-by-element comparison is slow in debug builds, which the fuzz smoke run uses).
    private static func same(_ data: Data, _ bytes: [UInt8]) -> Bool {
        guard data.count == bytes.count else { return false }
        return data.withUnsafeBytes { left in
            bytes.withUnsafeBytes { right in left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 }
        }
    }

    func keep(_ node: Node, _ path: String, _ data: Data) {
        lock.withLock { files[path] = ([UInt8](data), node) }
    }

    /// What `build` made from `inputs` (the bytes of every file it reads, and anything else it depends on) the last
    /// time, while those bytes are the same; else `build` again. A build that throws is not kept.
    func derived<T: Sendable>(_ name: String, inputs: [Data], build: () throws -> T) throws -> T {
        if let earlier = lock.withLock({ derived[name] }), earlier.inputs.count == inputs.count,
           zip(inputs, earlier.inputs).allSatisfy({ Self.same($0, $1) }), let value = earlier.value as? T {
            return value
        }
        let value = try build()
        lock.withLock { derived[name] = (inputs.map { [UInt8]($0) }, value) }
        return value
    }
}
