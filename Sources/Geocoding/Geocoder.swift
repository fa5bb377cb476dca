import CityModel
import Foundation
import Localization

/// What a location resolved to: the kind, the address as the city writes it ("1423 Oak St", "Oak St & 5th St",
/// "City Hall"), its point, and how sure the geocoder is (1 an address point as written; less for a point
/// interpolated on the block, a typo, a missing or wrong suffix).
public struct GeocodeMatch: Hashable, Sendable {
    public var kind: Location.Kind
    public var matched: String
    public var coordinate: Coordinate
    public var confidence: Double

    public init(kind: Location.Kind, matched: String, coordinate: Coordinate, confidence: Double) {
        self.kind = kind
        self.matched = matched
        self.coordinate = coordinate
        self.confidence = confidence
    }
}

public enum GeocodeResult: Hashable, Sendable {
    /// One place.
    case matched(GeocodeMatch)
    /// Several equally good places ("1423 Maple St" and "1423 Maple Ave"), best first.
    case ambiguous([GeocodeMatch])
    /// It reads as a location of this kind (an address, a corner) but the city has no such place; nil when it
    /// does not read as a location at all.
    case notFound(Location.Kind?)

    public var match: GeocodeMatch? {
        if case .matched(let match) = self { return match }
        return nil
    }
}

/// Finds places in the city's own address data (see `GeoData`): house number and street with directionals,
/// USPS suffixes and units; corners; "the 1400 block of"; named places; coordinates and map links — written the
/// way residents write them in English, Spanish, Chinese, Vietnamese and Arabic, with typos. A house number with
/// no address point is placed on its block by interpolation, on its side of the street. `reverse` gives the
/// nearest address of a point. Pure: built once from the data into indexes, then only read.
public struct Geocoder: Sendable {
    struct Street: Sendable {
        let name: StreetName
        var segments: [Int] = []
        /// House number → address points (the building's own point first).
        var points: [Int: [Int]] = [:]
    }

    let data: GeoData
    let streets: [Street]
    /// Folded name words ("oak", "5th", "martin luther king") → streets.
    let byKey: [String: [Int]]
    /// Other scripts' names, folded ("اوك", "橡 树") → a key of `byKey`.
    let aliases: [String: String]
    /// Every key with its scalars, sorted, for typos (a key's length and scalars are worked out once, not for
    /// every word a resident types: an unknown street is compared with every key).
    let keys: [(key: String, scalars: [Unicode.Scalar], letters: UInt64)]
    /// Two streets' ids (smaller first) → the points where they meet.
    let corners: [Pair: [Coordinate]]
    /// Folded place names and aliases → places.
    let placeNames: [(words: [String], place: Int)]
    /// A name's first word → the indices in `placeNames` of the names it starts, in order: a resident's words are
    /// read once, not once per name.
    let placeStarts: [String: [Int]]
    /// Words of five letters or more that only one place's names have ("hospital", "reciclaje"), without a final s.
    let placeWords: [String: Int]
    let grid: PointGrid

    struct Pair: Hashable, Sendable {
        let a: Int
        let b: Int
        init(_ x: Int, _ y: Int) { (a, b) = x < y ? (x, y) : (y, x) }
    }

    /// The longest street name, in words, the index holds (windows of the query are tried up to this).
    let longestName: Int

    public init(_ data: GeoData) {
        self.data = data
        var streets: [Street] = []
        var ids: [String: Int] = [:]
        func id(_ full: String) -> Int {
            if let known = ids[full] { return known }
            streets.append(Street(name: StreetName(full)))
            ids[full] = streets.count - 1
            return streets.count - 1
        }
        for (index, segment) in data.segments.enumerated() { streets[id(segment.street)].segments.append(index) }
        for (index, point) in data.addresses.enumerated() {
            let street = id(point.street)
            // The building's own point (no unit) first.
            if point.unit == nil { streets[street].points[point.number, default: []].insert(index, at: 0) } else {
                streets[street].points[point.number, default: []].append(index)
            }
        }
        var byKey: [String: [Int]] = [:]
        for (index, street) in streets.enumerated() { byKey[street.name.key, default: []].append(index) }
        var aliases: [String: String] = [:]
        for alias in data.streetAliases {
            let key = StreetName(alias.name).key
            for name in alias.aliases { aliases[Self.core(TextFolding.words(name)).joined(separator: " ")] = key }
        }
        // Corners: a point shared by blocks of two streets.
        var atVertex: [Int64: (Coordinate, Set<Int>)] = [:]
        for (index, segment) in data.segments.enumerated() {
            guard let street = ids[segment.street] else { continue }
            for point in [segment.points.first, segment.points.last].compactMap({ $0 }) {
                let key = Int64((point.latitude * 1e5).rounded()) &* 100_000_000 &+ Int64((point.longitude * 1e5).rounded())
                atVertex[key, default: (point, [])].1.insert(street)
                _ = index
            }
        }
        var corners: [Pair: [Coordinate]] = [:]
        for (point, meeting) in atVertex.values where meeting.count > 1 {
            let list = meeting.sorted()
            for i in list.indices { for j in list.indices where j > i { corners[Pair(list[i], list[j]), default: []].append(point) } }
        }
        var placeNames: [(words: [String], place: Int)] = []
        for (index, place) in data.places.enumerated() {
            for name in Set(place.aliases + place.name.values.values) {
                let words = TextFolding.words(name)
                if !words.isEmpty { placeNames.append((words, index)) }
            }
        }
        placeNames.sort { $0.words.count > $1.words.count } // the longest name wins
        var owners: [String: Set<Int>] = [:]
        for (words, place) in placeNames {
            for word in words where word.count >= 5 && !Vocabulary.noise.contains(word) { owners[Self.singular(word), default: []].insert(place) }
        }
        let streetWords = Set(streets.flatMap { $0.name.key.split(separator: " ").map(String.init) })
        placeWords = owners.compactMapValues { $0.count == 1 ? $0.first : nil }.filter { !streetWords.contains($0.key) }
        self.streets = streets
        self.byKey = byKey
        self.aliases = aliases
        keys = byKey.keys.sorted().map { key in
            let scalars = Array(key.unicodeScalars)
            return (key, scalars, Edits.letters(scalars))
        }
        self.corners = corners
        self.placeNames = placeNames
        var placeStarts: [String: [Int]] = [:]
        for (index, name) in placeNames.enumerated() { placeStarts[name.words[0], default: []].append(index) }
        self.placeStarts = placeStarts
        grid = PointGrid(data.addresses.map(\.coordinate))
        longestName = max(3, (byKey.keys.map { $0.split(separator: " ").count } + aliases.keys.map { $0.split(separator: " ").count }).max() ?? 3)
    }

    public var isEmpty: Bool { data.isEmpty }

    // MARK: - Forward

    /// Resolves a location as a resident wrote it (the whole text is taken as the location).
    public func geocode(_ text: String) -> GeocodeResult {
        if let (point, valid) = Coordinates.parse(text) {
            guard valid else { return .notFound(.coordinates) }
            let near = reverse(point).map { $0.distance <= 60 ? $0.address : nil } ?? nil
            return .matched(GeocodeMatch(kind: Coordinates.isLink(text) ? .mapLink : .coordinates, matched: near ?? Coordinates.format(point),
                                         coordinate: point, confidence: 1))
        }
        let query = Query(text, isStreet: { byKey[$0] != nil })
        if let number = query.number {
            let result = address(number, words: query.words, at: query.numberAt, block: query.block)
            if case .notFound = result, let place = place(query.allWords) { return .matched(place) }
            return result
        }
        if let split = query.connector {
            let result = corner(Array(query.words[..<split]), Array(query.words[split...]))
            if case .notFound = result, let place = place(query.allWords) { return .matched(place) }
            return result
        }
        if let place = place(query.allWords) { return .matched(place) }
        return .notFound(nil)
    }

    /// `location` with the point and the address the city's data give its words, when it has no point yet and they
    /// name exactly one place; else `location` as it is.
    public func placing(_ location: Location) -> Location {
        guard location.coordinate == nil, let match = geocode(location.text).match else { return location }
        var placed = location
        placed.coordinate = match.coordinate
        placed.matched = match.matched
        return placed
    }

    /// A named place among `words` ("in front of City Hall", "frente al Ayuntamiento"); else a word only one
    /// place's names have ("near the hospital" when the city has one).
    func place(_ words: [String]) -> GeocodeMatch? {
        func match(_ index: Int, _ confidence: Double) -> GeocodeMatch {
            let place = data.places[index]
            return GeocodeMatch(kind: .description, matched: place.name.resolve(.english, fallbacks: []), coordinate: place.coordinate,
                                confidence: confidence)
        }
        // The first name in `placeNames` order (the longest) said anywhere in the words.
        var first: Int?
        for start in words.indices {
            guard let names = placeStarts[words[start]] else { continue }
            for name in names {
                if let first, first <= name { break }
                let count = placeNames[name].words.count
                if start + count <= words.count, words[start..<(start + count)].elementsEqual(placeNames[name].words) {
                    first = name
                    break
                }
            }
        }
        if let first { return match(placeNames[first].place, 0.95) }
        let hits = Set(words.compactMap { placeWords[Self.singular($0)] })
        return hits.count == 1 ? match(hits.first!, 0.8) : nil
    }

    static func singular(_ word: String) -> String { word.count > 5 && word.hasSuffix("s") ? String(word.dropLast()) : word }

    /// `number` on the street `words` name.
    func address(_ number: Int, words: [String], at position: Int? = nil, block: Bool) -> GeocodeResult {
        let candidates = streetCandidates(words, near: position, having: number)
        guard !candidates.isEmpty else { return .notFound(.address) }
        var matches: [GeocodeMatch] = []
        for candidate in candidates {
            let street = streets[candidate.street]
            if block, let point = blockMiddle(number, on: candidate.street) {
                let start = number / 100 * 100
                matches.append(GeocodeMatch(kind: .address, matched: "\(start) block of \(street.name.full)", coordinate: point,
                                            confidence: 0.9 * candidate.confidence))
            } else if let index = street.points[number]?.first {
                matches.append(GeocodeMatch(kind: .address, matched: "\(number) \(street.name.full)", coordinate: data.addresses[index].coordinate,
                                            confidence: candidate.confidence))
            } else if let point = interpolate(number, on: candidate.street) {
                matches.append(GeocodeMatch(kind: .address, matched: "\(number) \(street.name.full)", coordinate: point,
                                            confidence: 0.9 * candidate.confidence))
            }
        }
        return Self.decide(matches, kind: .address)
    }

    /// The corner of the streets `left` and `right` name.
    func corner(_ left: [String], _ right: [String]) -> GeocodeResult {
        let one = streetCandidates(left), other = streetCandidates(right)
        guard !one.isEmpty, !other.isEmpty else { return .notFound(.intersection) }
        var matches: [GeocodeMatch] = []
        for a in one {
            for b in other where a.street != b.street {
                for point in corners[Pair(a.street, b.street)] ?? [] {
                    matches.append(GeocodeMatch(kind: .intersection, matched: "\(streets[a.street].name.full) & \(streets[b.street].name.full)",
                                                coordinate: point, confidence: 0.95 * a.confidence * b.confidence))
                }
            }
        }
        return Self.decide(matches, kind: .intersection)
    }

    /// The best matches: one clearly best, or several as good as each other (different places).
    static func decide(_ matches: [GeocodeMatch], kind: Location.Kind) -> GeocodeResult {
        let sorted = matches.sorted { $0.confidence > $1.confidence }
        guard let best = sorted.first else { return .notFound(kind) }
        let tied = sorted.filter { best.confidence - $0.confidence < 0.04 && $0.matched != best.matched }
        if tied.isEmpty { return .matched(best) }
        var seen: Set<String> = []
        return .ambiguous(([best] + tied).filter { seen.insert($0.matched).inserted })
    }

    struct Candidate {
        let street: Int
        let confidence: Double
    }

    /// The streets `words` may name: the longest run of words that is a street's name (or another script's
    /// name for it) — of equally long ones, the one nearest the house number at `position` — filtered by the
    /// suffix and directionals given; with a typo when nothing matches as written (only streets that have
    /// `number`, when there is one).
    func streetCandidates(_ words: [String], near position: Int? = nil, having number: Int? = nil) -> [Candidate] {
        let parts = StreetWords(words)
        guard !parts.name.isEmpty else { return [] }
        // Where the number sits among the name words (the suffix and directionals were taken out of `words`).
        let anchor = position.map { position in parts.origins.firstIndex { $0 >= position } ?? parts.name.count }
        let canonical = parts.name.map(StreetName.canonicalWord) // once, not for every run of words
        var found: [Int] = []
        var confidence = 1.0
        var best: (length: Int, distance: Int)?
        for length in stride(from: min(longestName, parts.name.count), through: 1, by: -1) {
            if let best, best.length > length { break }
            for start in 0...(parts.name.count - length) {
                let key = canonical[start..<(start + length)].joined(separator: " ")
                guard let ids = byKey[key] ?? aliases[key].flatMap({ byKey[$0] }) else { continue }
                let distance = anchor.map { min(abs($0 - start), abs($0 - (start + length))) } ?? start
                if best == nil || distance < best!.distance {
                    best = (length, distance)
                    found = ids
                }
            }
        }
        if found.isEmpty {
            // Typos: one edit in a name of up to four letters (three only when two are swapped), two in a longer one.
            var closest = Int.max
            for length in stride(from: min(longestName, parts.name.count), through: 1, by: -1) {
                for start in 0...(parts.name.count - length) {
                    let key = canonical[start..<(start + length)].joined(separator: " ")
                    guard key.count >= 3, !key.contains(where: { $0.fastIsNumber }) else { continue }
                    let allowed = min(key.count >= 5 ? 2 : 1, closest)
                    let scalars = Array(key.unicodeScalars)
                    let letters = Edits.letters(scalars)
                    for (candidate, candidateScalars, candidateLetters) in keys
                    where abs(candidateScalars.count - scalars.count) <= allowed && Edits.leastDistance(letters, candidateLetters) <= allowed {
                        let distance = Edits.distance(scalars, candidateScalars, limit: allowed)
                        guard distance <= allowed, key.count > 3 || number != nil || key.sorted() == candidate.sorted() else { continue }
                        var ids = byKey[candidate] ?? []
                        if let number { ids = ids.filter { has(number, on: $0) } }
                        guard !ids.isEmpty else { continue }
                        if distance < closest {
                            closest = distance
                            found = ids
                        } else if distance == closest {
                            found += ids.filter { !found.contains($0) }
                        }
                    }
                }
            }
            confidence = closest == 1 ? 0.85 : 0.75
        }
        guard !found.isEmpty else { return [] }
        // The suffix and directionals the resident gave narrow the streets down; a wrong one costs a little.
        var candidates = found.map { Candidate(street: $0, confidence: confidence) }
        if let suffix = parts.suffix {
            let same = candidates.filter { streets[$0.street].name.suffix == suffix }
            candidates = same.isEmpty ? candidates.map { Candidate(street: $0.street, confidence: $0.confidence * 0.9) } : same
        }
        if let direction = parts.direction {
            let same = candidates.filter { streets[$0.street].name.predirectional == direction || streets[$0.street].name.postdirectional == direction }
            if !same.isEmpty { candidates = same }
        }
        return candidates
    }

    // MARK: - Points on streets

    /// Whether `street` has the house `number` (a point, or a block whose range holds it).
    func has(_ number: Int, on street: Int) -> Bool {
        streets[street].points[number] != nil || streets[street].segments.contains { index in
            let segment = data.segments[index]
            return segment.left?.contains(number) == true || segment.right?.contains(number) == true
        }
    }

    /// Where `number` lies on `street`: on the block whose range holds it, interpolated, on its side.
    func interpolate(_ number: Int, on street: Int) -> Coordinate? {
        for index in streets[street].segments {
            let segment = data.segments[index]
            if let range = segment.left, range.contains(number) {
                return Polyline.point(segment.points, at: range.fraction(number), offset: Self.setback)
            }
            if let range = segment.right, range.contains(number) {
                return Polyline.point(segment.points, at: range.fraction(number), offset: -Self.setback)
            }
        }
        return nil
    }

    /// The middle of the block of `street` that holds `number`'s hundred ("the 1400 block"): halfway between the
    /// first and the last point of the segments numbered in that hundred.
    func blockMiddle(_ number: Int, on street: Int) -> Coordinate? {
        let hundred = number / 100 * 100
        var ends: [(Int, Coordinate)] = []
        for index in streets[street].segments {
            let segment = data.segments[index]
            guard let range = segment.left ?? segment.right, min(range.from, range.to) / 100 * 100 == hundred,
                  let first = segment.points.first, let last = segment.points.last else { continue }
            ends.append((range.from, first))
            ends.append((range.to, last))
        }
        guard let low = ends.min(by: { $0.0 < $1.0 }), let high = ends.max(by: { $0.0 < $1.0 }) else { return nil }
        return Coordinate(latitude: (low.1.latitude + high.1.latitude) / 2, longitude: (low.1.longitude + high.1.longitude) / 2)
    }

    /// How far from the centerline a house is placed when it has no point of its own, in metres.
    static let setback = 12.0

    // MARK: - Reverse

    /// The address nearest `point`, within `radius` metres.
    public func reverse(_ point: Coordinate, within radius: Double = 150) -> (address: String, coordinate: Coordinate, distance: Double)? {
        guard let (index, distance) = grid.nearest(to: point, within: radius) else { return nil }
        let address = data.addresses[index]
        return ("\(address.number) \(address.street)", address.coordinate, distance)
    }

    /// The words of a street's name with the words around it (street-type words, lead-ins) taken away.
    static func core(_ words: [String]) -> [String] {
        words.filter { !Vocabulary.noise.contains($0) }
    }
}
