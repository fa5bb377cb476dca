import CityModel
import Foundation

/// Points along a street's centerline.
enum Polyline {
    static let metresPerDegree = 111_320.0

    /// The point `fraction` of the way along `points` (by length), moved `offset` metres to the left of the
    /// direction of travel (negative: to the right).
    static func point(_ points: [Coordinate], at fraction: Double, offset: Double) -> Coordinate? {
        guard let first = points.first else { return nil }
        guard points.count > 1 else { return first }
        let scale = cos(first.latitude * .pi / 180)
        func metres(_ a: Coordinate, _ b: Coordinate) -> (Double, Double) {
            ((b.longitude - a.longitude) * metresPerDegree * scale, (b.latitude - a.latitude) * metresPerDegree)
        }
        var lengths: [Double] = []
        for i in 1..<points.count {
            let (dx, dy) = metres(points[i - 1], points[i])
            lengths.append((dx * dx + dy * dy).squareRoot())
        }
        let total = lengths.reduce(0, +)
        guard total > 0 else { return first }
        var remaining = min(max(fraction, 0), 1) * total
        for (i, length) in lengths.enumerated() {
            if remaining <= length || i == lengths.count - 1 {
                let t = length > 0 ? min(remaining / length, 1) : 0
                let (dx, dy) = metres(points[i], points[i + 1])
                let (ux, uy) = length > 0 ? (dx / length, dy / length) : (0, 0)
                let x = dx * t - uy * offset
                let y = dy * t + ux * offset
                return Coordinate(latitude: points[i].latitude + y / metresPerDegree,
                                  longitude: points[i].longitude + x / (metresPerDegree * scale))
            }
            remaining -= length
        }
        return points.last
    }
}

/// Address points in cells of about 100 m, for the nearest one to a point.
struct PointGrid: Sendable {
    static let cell = 0.001
    let points: [Coordinate]
    let cells: [Int64: [Int]]

    init(_ points: [Coordinate]) {
        self.points = points
        var cells: [Int64: [Int]] = [:]
        for (index, point) in points.enumerated() { cells[Self.key(Self.row(point.latitude), Self.row(point.longitude)), default: []].append(index) }
        self.cells = cells
    }

    static func row(_ degrees: Double) -> Int { Int((degrees / cell).rounded(.down)) }
    static func key(_ a: Int, _ b: Int) -> Int64 { Int64(a) &* 1_000_003 &+ Int64(b) }

    func nearest(to point: Coordinate, within radius: Double) -> (Int, Double)? {
        let reach = Int((radius / (Polyline.metresPerDegree * Self.cell * max(cos(point.latitude * .pi / 180), 0.1))).rounded(.up)) + 1
        let (r, c) = (Self.row(point.latitude), Self.row(point.longitude))
        var best: (Int, Double)?
        for i in (r - reach)...(r + reach) {
            for j in (c - reach)...(c + reach) {
                for index in cells[Self.key(i, j)] ?? [] {
                    let distance = point.distance(to: points[index])
                    if distance <= radius, distance < (best?.1 ?? .infinity) { best = (index, distance) }
                }
            }
        }
        return best
    }
}

/// Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one substring), giving up
/// above `limit`.
enum Edits {
    /// The letters of a word as a 64-bit set (each scalar's value modulo 64; letters that share a bit count as one).
    static func letters(_ scalars: [Unicode.Scalar]) -> UInt64 {
        scalars.reduce(0) { $0 | 1 << UInt64($1.value & 63) }
    }

    /// A lower bound of the distance between two words from their letter sets alone: every letter of one that the
    /// other lacks takes at least one edit of its own (a deletion or a substitution, and a swap keeps the letters), so
    /// the geocoder's typo scan skips most streets without aligning them. Letters sharing a bit only lower the bound.
    static func leastDistance(_ x: UInt64, _ y: UInt64) -> Int {
        max((x & ~y).nonzeroBitCount, (y & ~x).nonzeroBitCount)
    }

    static func distance(_ a: String, _ b: String, limit: Int) -> Int {
        distance(Array(a.unicodeScalars), Array(b.unicodeScalars), limit: limit)
    }

    /// The same over scalars, with its three rows on the stack: the geocoder calls this for every street of the city
    /// when a resident's street is unknown.
    static func distance(_ x: [Unicode.Scalar], _ y: [Unicode.Scalar], limit: Int) -> Int {
        if abs(x.count - y.count) > limit { return limit + 1 }
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        let width = y.count + 1
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * width) { rows in
            var before = rows.baseAddress!, previous = before + width, current = previous + width
            for j in 0..<width { before[j] = 0; previous[j] = j; current[j] = 0 }
            for i in 1...x.count {
                current[0] = i
                var smallest = i
                for j in 1...y.count {
                    let cost = x[i - 1] == y[j - 1] ? 0 : 1
                    var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                    if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { value = min(value, before[j - 2] + 1) }
                    current[j] = value
                    smallest = min(smallest, value)
                }
                if smallest > limit { return limit + 1 }
                (before, previous, current) = (previous, current, before)
            }
            return previous[y.count]
        }
    }
}

/// Coordinates as residents send them: "39.7990, -89.6440", or inside a map link (Google, Apple, OpenStreetMap).
enum Coordinates {
    static let patterns: [NSRegularExpression] = [
        #"mlat=(-?\d{1,3}(?:\.\d+)?)&(?:amp;)?mlon=(-?\d{1,3}(?:\.\d+)?)"#,
        #"[?&](?:q|ll|query|daddr|sll|center)=(-?\d{1,3}\.\d+)\s*(?:,|%2C)\s*(-?\d{1,3}\.\d+)"#,
        #"@(-?\d{1,3}\.\d+),(-?\d{1,3}\.\d+)"#,
        #"#map=\d+/(-?\d{1,3}\.\d+)/(-?\d{1,3}\.\d+)"#,
        #"(?<![\d.])(-?\d{1,3}\.\d{3,})\s*[,; ]\s*(-?\d{1,3}\.\d{3,})(?![\d.])"#,
        #"(?<![\d.])(-?\d{1,3}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)(?![\d.])"#,
    ].map { try! NSRegularExpression(pattern: $0, options: [.caseInsensitive]) }

    /// Degrees, minutes and seconds: 39°47'56.4"N 89°38'38.4"W.
    static let sexagesimal = try! NSRegularExpression(pattern:
        #"(\d{1,3})\s*°\s*(\d{1,2})\s*['′’]\s*(\d{1,2}(?:[.,]\d+)?)\s*(?:["″”]|'')?\s*([NS])[\s,;]*(\d{1,3})\s*°\s*(\d{1,2})\s*['′’]\s*(\d{1,2}(?:[.,]\d+)?)\s*(?:["″”]|'')?\s*([EW])"#,
        options: [.caseInsensitive])

    /// The first pair of numbers that reads as coordinates; `valid` false when they are out of range.
    static func parse(_ text: String) -> (Coordinate, valid: Bool)? {
        let range = NSRange(text.startIndex..., in: text)
        if text.contains("°"), let match = sexagesimal.firstMatch(in: text, range: range) {
            func group(_ i: Int) -> String { Range(match.range(at: i), in: text).map { String(text[$0]).replacingOccurrences(of: ",", with: ".") } ?? "" }
            func degrees(_ d: Int) -> Double { (Double(group(d)) ?? 0) + (Double(group(d + 1)) ?? 0) / 60 + (Double(group(d + 2)) ?? 0) / 3600 }
            let lat = degrees(1) * (group(4).uppercased() == "S" ? -1 : 1)
            let lon = degrees(5) * (group(8).uppercased() == "W" ? -1 : 1)
            let point = Coordinate(latitude: lat, longitude: lon)
            return (point, point.isValid)
        }
        guard text.contains(".") else { return nil }
        for pattern in patterns {
            guard let match = pattern.firstMatch(in: text, range: range), let a = Range(match.range(at: 1), in: text),
                  let b = Range(match.range(at: 2), in: text), let lat = Double(text[a]), let lon = Double(text[b]) else { continue }
            let point = Coordinate(latitude: lat, longitude: lon)
            return (point, point.isValid && !(lat == 0 && lon == 0))
        }
        return nil
    }

    static func isLink(_ text: String) -> Bool { text.contains("http") || text.contains("maps.") || text.contains("geo:") }

    static func format(_ point: Coordinate) -> String { String(format: "%.5f, %.5f", point.latitude, point.longitude) }
}
