import Foundation

/// A place a resident asked to hear area notices about (`ALERTS 1423 Oak St`): the address as the city writes it,
/// its point, and the topic they chose (nil: every notice).
///
/// ```json
/// {"matched": "1423 Oak St", "point": {"latitude": 39.78, "longitude": -89.65}, "topic": "water"}
/// ```
public struct AlertPlace: Hashable, Sendable, Codable {
    public var matched: String
    public var point: Coordinate
    public var topic: String?

    public init(matched: String, point: Coordinate, topic: String? = nil) {
        self.matched = matched
        self.point = point
        self.topic = topic
    }
}

/// A kind of area notice a resident may choose (`alerts.topics` in `city.yaml`: water, roads, trash …). A resident
/// who names no topic gets every notice; one who names a topic gets the notices of that topic and those with none.
public struct AlertTopic: Hashable, Sendable {
    /// The code staff send (`"topic": "water"`) and residents may type (`ALERTS water 1423 Oak St`).
    public var code: String
    /// Its name per language, also accepted from residents (`ALERTS agua …`).
    public var name: LocalizedText

    public init(code: String, name: LocalizedText) {
        self.code = code
        self.name = name
    }
}

/// A rectangle of latitudes and longitudes: the cheap first test before point-in-polygon.
public struct GeoBox: Hashable, Sendable {
    public var minLatitude: Double
    public var maxLatitude: Double
    public var minLongitude: Double
    public var maxLongitude: Double

    public init(minLatitude: Double, maxLatitude: Double, minLongitude: Double, maxLongitude: Double) {
        self.minLatitude = minLatitude
        self.maxLatitude = maxLatitude
        self.minLongitude = minLongitude
        self.maxLongitude = maxLongitude
    }

    public func contains(_ point: Coordinate) -> Bool {
        (minLatitude...maxLatitude).contains(point.latitude) && (minLongitude...maxLongitude).contains(point.longitude)
    }
}

extension GeoBoundary {
    /// The smallest box around every ring (nil for a boundary with no points).
    public var boundingBox: GeoBox? {
        let points = polygons.lazy.flatMap { $0.first ?? [] }
        guard let first = points.first else { return nil }
        var box = GeoBox(minLatitude: first.latitude, maxLatitude: first.latitude, minLongitude: first.longitude, maxLongitude: first.longitude)
        for point in points {
            box.minLatitude = min(box.minLatitude, point.latitude)
            box.maxLatitude = max(box.maxLatitude, point.latitude)
            box.minLongitude = min(box.minLongitude, point.longitude)
            box.maxLongitude = max(box.maxLongitude, point.longitude)
        }
        return box
    }

    /// What makes this boundary unusable as an area, in words a person can act on; nil when it is a valid
    /// polygon: every ring closed (first point = last), at least three distinct corners, coordinates on Earth, and
    /// no ring crossing itself.
    public var problem: String? {
        guard !polygons.isEmpty else { return "the area has no polygon" }
        for (p, rings) in polygons.enumerated() {
            guard !rings.isEmpty else { return "polygon \(p + 1) has no ring" }
            for (r, ring) in rings.enumerated() {
                let name = polygons.count > 1 ? "polygon \(p + 1), ring \(r + 1)" : "ring \(r + 1)"
                if let bad = ring.first(where: { !$0.isValid || !$0.latitude.isFinite || !$0.longitude.isFinite }) {
                    return "\(name) has a point off the Earth ([\(bad.longitude), \(bad.latitude)]: GeoJSON is [longitude, latitude])"
                }
                guard ring.count <= 10_000 else { return "\(name) has \(ring.count) positions; at most 10000" }
                guard ring.count >= 4 else { return "\(name) needs at least 4 positions (3 corners and the first again)" }
                guard ring.first == ring.last else { return "\(name) is not closed: its last position must repeat the first" }
                guard Set(ring.dropLast()).count >= 3 else { return "\(name) needs at least 3 distinct corners" }
                if let (a, b) = Self.selfIntersection(ring) {
                    return "\(name) crosses itself (edges \(a + 1) and \(b + 1) intersect): draw the outline without crossings"
                }
            }
        }
        return nil
    }

    /// Two non-adjacent edges of a closed ring that touch, or nil. O(n²): areas staff draw have tens to a few
    /// thousand corners.
    static func selfIntersection(_ ring: [Coordinate]) -> (Int, Int)? {
        let n = ring.count - 1 // edges
        guard n >= 3 else { return nil }
        func orientation(_ a: Coordinate, _ b: Coordinate, _ c: Coordinate) -> Double {
            (b.longitude - a.longitude) * (c.latitude - a.latitude) - (b.latitude - a.latitude) * (c.longitude - a.longitude)
        }
        func onSegment(_ a: Coordinate, _ b: Coordinate, _ p: Coordinate) -> Bool {
            min(a.longitude, b.longitude) <= p.longitude && p.longitude <= max(a.longitude, b.longitude)
                && min(a.latitude, b.latitude) <= p.latitude && p.latitude <= max(a.latitude, b.latitude)
        }
        func intersects(_ p1: Coordinate, _ p2: Coordinate, _ q1: Coordinate, _ q2: Coordinate) -> Bool {
            let d1 = orientation(q1, q2, p1), d2 = orientation(q1, q2, p2)
            let d3 = orientation(p1, p2, q1), d4 = orientation(p1, p2, q2)
            if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) { return true }
            if d1 == 0 && onSegment(q1, q2, p1) { return true }
            if d2 == 0 && onSegment(q1, q2, p2) { return true }
            if d3 == 0 && onSegment(p1, p2, q1) { return true }
            if d4 == 0 && onSegment(p1, p2, q2) { return true }
            return false
        }
        for i in 0..<n {
            for j in (i + 1)..<n {
                // Neighbouring edges share a corner; the first and the last edge too.
                if j == i + 1 || (i == 0 && j == n - 1) { continue }
                if intersects(ring[i], ring[i + 1], ring[j], ring[j + 1]) { return (i, j) }
            }
        }
        return nil
    }
}
