import CityModel

/// A city's own address data, as its configuration gives it (`addresses.csv`, `streets.geojson`, `places.yaml`):
/// what the geocoder is built from. Loaded once at start (CityConfig reads the files).
public struct GeoData: Sendable {
    public var segments: [StreetSegment]
    public var addresses: [AddressPoint]
    public var places: [NamedPlace]
    public var streetAliases: [StreetAlias]

    public init(segments: [StreetSegment] = [], addresses: [AddressPoint] = [], places: [NamedPlace] = [],
                streetAliases: [StreetAlias] = []) {
        self.segments = segments
        self.addresses = addresses
        self.places = places
        self.streetAliases = streetAliases
    }

    public var isEmpty: Bool { segments.isEmpty && addresses.isEmpty && places.isEmpty }
}

/// The house numbers on one side of a block (TIGER/Line `LFROMHN`–`LTOHN`): from the segment's first point to its
/// last, all of one parity.
public struct HouseRange: Hashable, Sendable {
    public var from: Int
    public var to: Int

    public init(from: Int, to: Int) {
        self.from = from
        self.to = to
    }

    public func contains(_ number: Int) -> Bool {
        (min(from, to)...max(from, to)).contains(number) && (number - from) % 2 == 0
    }

    /// Where `number` lies along the range, 0 at `from` and 1 at `to`.
    func fraction(_ number: Int) -> Double {
        from == to ? 0.5 : Double(number - from) / Double(to - from)
    }
}

/// One block of a street centerline (a TIGER edge): its full name ("N Grand Ave"), its points from start to end,
/// and the house numbers on each side (left and right as seen walking from the first point to the last).
public struct StreetSegment: Sendable {
    public var street: String
    public var points: [Coordinate]
    public var left: HouseRange?
    public var right: HouseRange?

    public init(street: String, points: [Coordinate], left: HouseRange? = nil, right: HouseRange? = nil) {
        self.street = street
        self.points = points
        self.left = left
        self.right = right
    }
}

/// One address point: "1423 Oak St" (unit "Apt 2" when the building has several) at its place.
public struct AddressPoint: Sendable {
    public var number: Int
    public var street: String
    public var unit: String?
    public var coordinate: Coordinate

    public init(number: Int, street: String, unit: String? = nil, coordinate: Coordinate) {
        self.number = number
        self.street = street
        self.unit = unit
        self.coordinate = coordinate
    }
}

/// A place residents name instead of an address ("City Hall", "Riverside Park"), in every language, with the
/// other names they give it.
public struct NamedPlace: Sendable {
    public var id: String
    public var name: LocalizedText
    /// Every name and alias in every language, as written.
    public var aliases: [String]
    public var address: String?
    public var coordinate: Coordinate

    public init(id: String, name: LocalizedText, aliases: [String], address: String?, coordinate: Coordinate) {
        self.id = id
        self.name = name
        self.aliases = aliases
        self.address = address
        self.coordinate = coordinate
    }
}

/// How residents write a street's name in another script ("أوك", "橡树街" for Oak).
public struct StreetAlias: Sendable {
    /// The street's name without suffix or directional ("Oak").
    public var name: String
    public var aliases: [String]

    public init(name: String, aliases: [String]) {
        self.name = name
        self.aliases = aliases
    }
}
