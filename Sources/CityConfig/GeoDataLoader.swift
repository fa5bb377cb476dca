import CityModel
import Foundation
import Geocoding

/// Reads a city's address data from its configuration directory, every file optional (a city without them
/// keeps addresses as text): `addresses.csv` (a header with at least `number,street,latitude,longitude`; `unit`
/// optional), `streets.geojson` (LineStrings with TIGER/Line ADDRFEAT properties `FULLNAME`, `LFROMHN`, `LTOHN`,
/// `RFROMHN`, `RTOHN`) and `places.yaml` (named places with names and aliases per locale; other scripts' names
/// for streets). Every problem names its file and line.
public struct GeoDataLoader {
    let loader: CityLoader

    public init(directory: String) {
        loader = CityLoader(directory: directory, environment: [:])
    }

    public func load() throws -> GeoData {
        var data = GeoData()
        if let bytes = try read("addresses.csv") { data.addresses = try Self.addresses(bytes, file: loader.display("addresses.csv")) }
        if let bytes = try read("streets.geojson") { data.segments = try Self.streets(bytes, file: loader.display("streets.geojson")) }
        if let bytes = try read("places.yaml") { (data.places, data.streetAliases) = try Self.places(bytes, file: loader.display("places.yaml")) }
        return data
    }

    /// A file's bytes; nil when the city has no such file.
    private func read(_ name: String) throws -> Data? {
        guard FileManager.default.fileExists(atPath: loader.path(name)) else { return nil }
        guard let data = FileManager.default.contents(atPath: loader.path(name)) else {
            throw ConfigError(file: loader.display(name), line: 0, message: "cannot read the file")
        }
        return data
    }

    // MARK: - addresses.csv

    /// `addresses.csv`'s bytes read (the parsers below take bytes, so they are tested and fuzzed without files);
    /// `file` is the name errors give.
    public static func addresses(_ data: Data, file: String) throws -> [AddressPoint] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: file, line: 0, message: "the file is not valid UTF-8")
        }
        var rows = CSV.rows(text).makeIterator()
        guard let header = rows.next() else { throw ConfigError(file: file, line: 1, message: "the file is empty; it needs a header row") }
        let columns = Dictionary(header.fields.enumerated().map { ($1.trimmingCharacters(in: .whitespaces).lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        for required in ["number", "street", "latitude", "longitude"] where columns[required] == nil {
            throw ConfigError(file: file, line: header.line, message: "the header needs a '\(required)' column (it has \(header.fields.joined(separator: ", ")))")
        }
        var points: [AddressPoint] = []
        while let row = rows.next() {
            if row.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            func field(_ name: String) -> String {
                columns[name].flatMap { $0 < row.fields.count ? row.fields[$0].trimmingCharacters(in: .whitespaces) : nil } ?? ""
            }
            guard row.fields.count >= header.fields.count || row.fields.count > columns.values.max() ?? 0 else {
                throw ConfigError(file: file, line: row.line, message: "\(row.fields.count) fields; the header has \(header.fields.count)")
            }
            guard let number = Int(field("number")), number > 0 else {
                throw ConfigError(file: file, line: row.line, message: "'number' must be a house number such as 1423, not \"\(field("number"))\"")
            }
            let street = field("street")
            guard !street.isEmpty else { throw ConfigError(file: file, line: row.line, message: "'street' is empty") }
            let point = Coordinate(latitude: Double(field("latitude")) ?? .nan, longitude: Double(field("longitude")) ?? .nan)
            guard point.isValid else {
                throw ConfigError(file: file, line: row.line, message: "latitude and longitude must be WGS84 degrees (-90…90, -180…180), not \(field("latitude")), \(field("longitude"))")
            }
            let unit = field("unit")
            points.append(AddressPoint(number: number, street: street, unit: unit.isEmpty ? nil : unit, coordinate: point))
        }
        return points
    }

    // MARK: - streets.geojson

    public static func streets(_ data: Data, file: String) throws -> [StreetSegment] {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ConfigError(file: file, line: Self.errorLine(error, in: data), message: "not valid JSON")
        }
        guard let object = json as? [String: Any], object["type"] as? String == "FeatureCollection", let features = object["features"] as? [Any] else {
            throw ConfigError(file: file, line: 1, message: "expected a GeoJSON FeatureCollection of LineString features")
        }
        let lines = FeatureLines(data)
        return try features.enumerated().compactMap { index, raw in
            func fail(_ message: String) -> ConfigError { ConfigError(file: file, line: lines.line(ofFeature: index), message: "feature \(index + 1): \(message)") }
            guard let feature = raw as? [String: Any], let geometry = feature["geometry"] as? [String: Any] else { throw fail("a Feature needs a geometry") }
            let properties = feature["properties"] as? [String: Any] ?? [:]
            guard let name = (properties["FULLNAME"] as? String)?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
                throw fail("properties need a FULLNAME (the street's name, e.g. \"N Grand Ave\")")
            }
            let parts: [[[Double]]]
            switch geometry["type"] as? String {
            case "LineString": parts = [geometry["coordinates"] as? [[Double]] ?? []]
            case "MultiLineString": parts = geometry["coordinates"] as? [[[Double]]] ?? []
            default: throw fail("the geometry must be a LineString or MultiLineString")
            }
            let points = try parts.flatMap { $0 }.map { position -> Coordinate in
                guard position.count >= 2 else { throw fail("a position needs longitude and latitude") }
                let point = Coordinate(latitude: position[1], longitude: position[0])
                guard point.isValid else { throw fail("position \(position) is out of range") }
                return point
            }
            guard points.count >= 2 else { throw fail("a line needs at least two positions") }
            func range(_ from: String, _ to: String) throws -> HouseRange? {
                let a = Self.number(properties[from]), b = Self.number(properties[to])
                switch (a, b) {
                case (nil, nil): return nil
                case (let a?, let b?):
                    guard a % 2 == b % 2 else { throw fail("\(from) \(a) and \(to) \(b) are not both odd or both even") }
                    return HouseRange(from: a, to: b)
                default: throw fail("\(from) and \(to) go together")
                }
            }
            return StreetSegment(street: name, points: points, left: try range("LFROMHN", "LTOHN"), right: try range("RFROMHN", "RTOHN"))
        }
    }

    /// A house number property: a number or a string of digits (TIGER writes strings); empty is none.
    static func number(_ value: Any?) -> Int? {
        if let number = value as? Int { return number }
        if let number = value as? Double, number == number.rounded() { return Int(number) }
        if let text = (value as? String)?.trimmingCharacters(in: .whitespaces), !text.isEmpty { return Int(text) }
        return nil
    }

    static func errorLine(_ error: any Error, in data: Data) -> Int {
        let index = ((error as NSError).userInfo["NSJSONSerializationErrorIndex"] as? Int) ?? 0
        return data.prefix(index).reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    }

    /// The line each feature starts on, found by its `"type": "Feature"` (the order JSONSerialization reads them in).
    struct FeatureLines {
        var lines: [Int] = []
        init(_ data: Data) {
            let bytes = [UInt8](data)
            let needle = Array("\"Feature\"".utf8)
            var line = 1
            var i = 0
            while i < bytes.count {
                if bytes[i] == 0x0A { line += 1 }
                if bytes[i] == needle[0], i + needle.count <= bytes.count, Array(bytes[i..<(i + needle.count)]) == needle { lines.append(line) }
                i += 1
            }
        }
        func line(ofFeature index: Int) -> Int { index < lines.count ? lines[index] : 1 }
    }

    // MARK: - places.yaml

    public static func places(_ data: Data, file: String) throws -> ([NamedPlace], [StreetAlias]) {
        let root = try YAMLValue.parse(data, displayName: file)
        try root.only(["places", "streets"])
        let places = try (root["places"]?.array() ?? []).map { value -> NamedPlace in
            try value.only(["id", "name", "aliases", "address", "latitude", "longitude"])
            let name = try value.required("name").localizedText()
            var aliases: [String] = []
            if let list = value["aliases"] { aliases = try list.localizedList().values.values.flatMap { $0 } }
            let latitude = try value.required("latitude"), longitude = try value.required("longitude")
            let point = Coordinate(latitude: try latitude.number(), longitude: try longitude.number())
            guard point.isValid else { throw latitude.fail("latitude and longitude must be WGS84 degrees") }
            return NamedPlace(id: try value.required("id").nonEmptyString(), name: name, aliases: aliases,
                              address: try value["address"]?.string(), coordinate: point)
        }
        let streets = try (root["streets"]?.array() ?? []).map { value -> StreetAlias in
            try value.only(["name", "aliases"])
            return StreetAlias(name: try value.required("name").nonEmptyString(),
                               aliases: try value.required("aliases").localizedList().values.values.flatMap { $0 })
        }
        return (places, streets)
    }
}

/// Comma-separated values (RFC 4180: quoted fields with doubled quotes, commas and line breaks inside quotes),
/// each row with the line it starts on.
public enum CSV {
    public struct Row {
        public var fields: [String]
        public var line: Int
    }

    public static func rows(_ text: String) -> [Row] {
        var rows: [Row] = []
        var field = ""
        var fields: [String] = []
        var quoted = false
        var line = 1
        var start = 1
        var characters = text.makeIterator()
        var pending: Character?
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { field.append("\"") } else {
                            quoted = false
                            pending = next
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"": quoted = true
            case ",":
                fields.append(field)
                field = ""
            case "\n", "\r\n", "\r":
                fields.append(field)
                rows.append(Row(fields: fields, line: start))
                (field, fields) = ("", [])
                line += 1
                start = line
            default:
                field.append(character)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            rows.append(Row(fields: fields, line: start))
        }
        return rows
    }
}
