import CityModel
import Foundation

/// Reads a jurisdiction boundary from GeoJSON: a Polygon or MultiPolygon geometry, or a Feature or
/// FeatureCollection of them. Coordinates are `[longitude, latitude]`, as GeoJSON (RFC 7946) says.
public enum GeoJSONBoundary {
    public struct Problem: Error, Sendable { public var message: String }

    static func load(path: String) throws -> GeoBoundary {
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem(message: "cannot read the file") }
        return try read(data)
    }

    /// A boundary file's bytes (public for `Fuzz/`).
    public static func read(_ data: Data) throws -> GeoBoundary {
        guard let json = try? JSONSerialization.jsonObject(with: data) else { throw Problem(message: "not valid JSON") }
        let polygons = try collect(json)
        guard !polygons.isEmpty else { throw Problem(message: "no Polygon or MultiPolygon found") }
        return GeoBoundary(polygons: polygons)
    }

    private static func collect(_ json: Any) throws -> [[[Coordinate]]] {
        guard let object = json as? [String: Any], let type = object["type"] as? String else {
            throw Problem(message: "expected a GeoJSON object with a 'type'")
        }
        switch type {
        case "FeatureCollection":
            return try (object["features"] as? [Any] ?? []).flatMap(collect)
        case "Feature":
            guard let geometry = object["geometry"] else { throw Problem(message: "a Feature without geometry") }
            return try collect(geometry)
        case "Polygon":
            return [try polygon(object["coordinates"])]
        case "MultiPolygon":
            return try (object["coordinates"] as? [Any] ?? []).map(polygon)
        default:
            throw Problem(message: "unsupported GeoJSON type '\(type)'")
        }
    }

    private static func polygon(_ json: Any?) throws -> [[Coordinate]] {
        guard let rings = json as? [[[Double]]], !rings.isEmpty else { throw Problem(message: "malformed polygon coordinates") }
        return try rings.map { ring in
            guard ring.count >= 4 else { throw Problem(message: "a polygon ring needs at least 4 positions") }
            return try ring.map { position in
                guard position.count >= 2 else { throw Problem(message: "a position needs longitude and latitude") }
                let point = Coordinate(latitude: position[1], longitude: position[0])
                guard point.isValid else { throw Problem(message: "position \(position) is out of range") }
                return point
            }
        }
    }
}
