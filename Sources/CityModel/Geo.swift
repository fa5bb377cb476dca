import Foundation

/// A WGS84 point.
public struct Coordinate: Hashable, Sendable, Codable {
    public var latitude: Double
    public var longitude: Double
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    public var isValid: Bool { (-90...90).contains(latitude) && (-180...180).contains(longitude) }

    /// Great-circle distance in metres.
    public func distance(to other: Coordinate) -> Double {
        let r = 6_371_000.0
        let dLat = (other.latitude - latitude) * .pi / 180
        let dLon = (other.longitude - longitude) * .pi / 180
        let a = sin(dLat / 2) * sin(dLat / 2)
            + cos(latitude * .pi / 180) * cos(other.latitude * .pi / 180) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * atan2(sqrt(a), sqrt(1 - a))
    }
}

/// A jurisdiction boundary: one or more polygons, each an outer ring and optional holes.
public struct GeoBoundary: Sendable, Equatable {
    /// polygons → rings → points; ring 0 is the outer ring.
    public var polygons: [[[Coordinate]]]
    public init(polygons: [[[Coordinate]]]) { self.polygons = polygons }

    public func contains(_ point: Coordinate) -> Bool {
        polygons.contains { rings in
            guard let outer = rings.first, Self.ring(outer, contains: point) else { return false }
            return !rings.dropFirst().contains { Self.ring($0, contains: point) }
        }
    }

    /// Metres from `point` to the nearest edge of the boundary (inside or out).
    public func distance(to point: Coordinate) -> Double {
        let scale = cos(point.latitude * .pi / 180) * 111_320, metres = 111_320.0
        func local(_ c: Coordinate) -> (Double, Double) { ((c.longitude - point.longitude) * scale, (c.latitude - point.latitude) * metres) }
        var nearest = Double.infinity
        for rings in polygons {
            for ring in rings where ring.count > 1 {
                for i in 0..<(ring.count - 1) {
                    let (ax, ay) = local(ring[i]), (bx, by) = local(ring[i + 1])
                    let (dx, dy) = (bx - ax, by - ay)
                    let length = dx * dx + dy * dy
                    let t = length > 0 ? max(0, min(1, -(ax * dx + ay * dy) / length)) : 0
                    let (x, y) = (ax + t * dx, ay + t * dy)
                    nearest = min(nearest, (x * x + y * y).squareRoot())
                }
            }
        }
        return nearest
    }

    /// Approximate area in square degrees, to prefer the smaller of nested jurisdictions.
    public var area: Double {
        polygons.reduce(0) { total, rings in
            guard let outer = rings.first, outer.count > 2 else { return total }
            var sum = 0.0
            for i in outer.indices {
                let a = outer[i], b = outer[(i + 1) % outer.count]
                sum += a.longitude * b.latitude - b.longitude * a.latitude
            }
            return total + abs(sum) / 2
        }
    }

    /// Even-odd ray casting.
    static func ring(_ ring: [Coordinate], contains p: Coordinate) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in ring.indices {
            let a = ring[i], b = ring[j]
            if (a.latitude > p.latitude) != (b.latitude > p.latitude),
               p.longitude < (b.longitude - a.longitude) * (p.latitude - a.latitude) / (b.latitude - a.latitude) + a.longitude {
                inside.toggle()
            }
            j = i
        }
        return inside
    }
}
