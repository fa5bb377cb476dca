import Foundation

/// A way messages travel: a channel residents use (`sms`, `email`, `chat`, …) or a department's system
/// (`webhook`). An open set — a new channel is one adapter and one `ChannelProfile`, not a change here; what a
/// channel can do is its profile's business.
///
/// Names are short lower-case words (`[a-z0-9_]`, 1–32), as stored and shown.
public struct Channel: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String

    /// Nil for a name that is not a lower-case word.
    public init?(rawValue: String) {
        guard (1...32).contains(rawValue.utf8.count),
              rawValue.utf8.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    public static let sms = Channel(known: "sms")
    public static let email = Channel(known: "email")
    public static let chat = Channel(known: "chat")
    public static let whatsapp = Channel(known: "whatsapp")
    public static let telegram = Channel(known: "telegram")
    /// Not a resident channel: a department's own system, reached through the outbox like a channel.
    public static let webhook = Channel(known: "webhook")
    /// Not a channel at all: requests brought in from a city's earlier system (`cityline import`), whose reporters
    /// CityLine never contacts.
    public static let history = Channel(known: "import")
    /// Not a resident channel: a department's work-order system, filed into as an Open311 client.
    public static let open311 = Channel(known: "open311")

    /// Whether a resident is at the other end (not a department's system, the staff API or an imported record).
    public var reachesResident: Bool { self != .webhook && self != .history && self != .open311 }

    public var description: String { rawValue }
    public static func < (a: Channel, b: Channel) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let channel = Channel(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a channel name: \(raw)"))
        }
        self = channel
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A photo or other file attached to an inbound message (an MMS media URL, an email attachment).
public struct MediaRef: Hashable, Sendable, Codable {
    public var url: String
    public var contentType: String?
    public init(url: String, contentType: String? = nil) {
        self.url = url
        self.contentType = contentType
    }
}

/// Where a problem is, as the resident described it and, when we could tell, as a point.
public struct Location: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// "123 Oak St"
        case address
        /// "Oak and 5th"
        case intersection
        /// "39.78, -89.65"
        case coordinates
        /// A maps link that carried coordinates.
        case mapLink
        /// Free text such as "in front of the library".
        case description
    }

    public var kind: Kind
    /// The location in the resident's words (normalized: "123 Oak St", "Oak St & 5th Ave").
    public var text: String
    public var coordinate: Coordinate?
    /// The address the city's own data matched ("1423 Oak St", "Oak St & 5th St", "City Hall"); nil when the
    /// location stayed text.
    public var matched: String?

    public init(kind: Kind, text: String, coordinate: Coordinate? = nil, matched: String? = nil) {
        self.kind = kind
        self.text = text
        self.coordinate = coordinate
        self.matched = matched
    }
}

/// A resident's answer to a service attribute.
public enum AttributeValue: Hashable, Sendable, Codable {
    case text(String)
    case number(Double)
    case datetime(Date)
    /// Keys of the chosen options (one for singlevaluelist).
    case options([String])
    /// An answer we could not read after asking twice, kept as written for staff.
    case unreadable(String)
    /// An optional question the resident skipped.
    case skipped
}

/// A short tracking number residents can type on a phone keypad: six digits and a check digit.
///
/// The check digit (Damm's algorithm) catches every single mistyped digit and every swap of two neighbouring
/// digits, so `STATUS` answers "that doesn't look like a tracking number" instead of showing a stranger's ticket.
public struct TrackingNumber: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let digits: String

    /// Builds the number for a six-digit `serial` (0…999_999) by appending its check digit.
    public init(serial: Int) {
        let body = String(format: "%06d", serial % 1_000_000)
        digits = body + String(Self.checkDigit(forBody: body))
    }

    /// The number of the `index`-th ticket of a sequence (0, 1, 2 …): each index gets its own number, never
    /// reused, and they cannot run out. The first 900,000 get seven digits (six and a check digit, like
    /// `TrackingNumber(serial:)`), the next 9,000,000 eight, and so on. Within each length the order is shuffled by a
    /// fixed permutation, so a number does not tell how many tickets came before it, and two numbers in a row do
    /// not differ by one (a mistyped neighbour is rarely a real ticket; the check digit catches most mistypes).
    public init(sequence index: Int) {
        precondition(index >= 0, "a sequence index is not negative")
        var offset = index
        var block = 900_000 // numbers of this length: 100000…999999, then 1000000…9999999, …
        while offset >= block {
            offset -= block
            block *= 10
        }
        let first = block / 9
        // An affine map modulo the block size; the multiplier shares no factor with 2, 3 or 5, so it is a bijection.
        let shuffled = Int((UInt64(offset) &* 7_654_321 &+ 271_828) % UInt64(block))
        let body = String(first + shuffled)
        digits = body + String(Self.checkDigit(forBody: body))
    }

    /// Parses what a resident typed: spaces, dashes and a leading `#` are ignored; nil when the
    /// length or check digit is wrong.
    public init?(parsing text: String) {
        let cleaned = text.filter { !" -#.".contains($0) }
        guard (7...12).contains(cleaned.count), cleaned.first != "0" || cleaned.count == 7,
              cleaned.allSatisfy({ $0.isASCII && $0.isNumber }),
              Self.checkDigit(forBody: String(cleaned.dropLast())) == Int(String(cleaned.last!)) else { return nil }
        digits = cleaned
    }

    public var description: String { digits }
    public static func < (a: TrackingNumber, b: TrackingNumber) -> Bool { a.digits < b.digits }

    /// Damm's quasigroup of order 10 (totally anti-symmetric).
    private static let damm: [[Int]] = [
        [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3], [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
        [1, 7, 5, 0, 9, 8, 3, 4, 2, 6], [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
        [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7], [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
        [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
    ]

    /// The check digit of `digits`; a number with its check digit appended gives 0.
    static func checkDigit(_ digits: String) -> Int {
        digits.reduce(0) { interim, char in damm[interim][Int(String(char)) ?? 0] }
    }

    /// The check digit that ends a number with this body. Bodies longer than six digits include their length in
    /// the check: Damm's check holds again after a trailing 0, so without it "10000020" (a 0 typed too many after
    /// 1000002) would pass as an eight-digit number.
    static func checkDigit(forBody body: String) -> Int {
        checkDigit(body.count > 6 ? String(body.count) + body : body)
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = TrackingNumber(parsing: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad tracking number"))
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(digits)
    }
}

/// Open311 status, refined with the steps staff use.
public enum TicketStatus: String, Sendable, Codable, CaseIterable {
    case open, acknowledged, inProgress = "in_progress", closed

    public var isOpen: Bool { self != .closed }
}

/// What the engine hands over when a resident has confirmed a report.
public struct TicketDraft: Hashable, Sendable, Codable {
    public var trackingNumber: TrackingNumber
    public var serviceCode: String
    public var department: String
    public var jurisdiction: String
    /// The resident's own words, every message that described the problem.
    public var description: String
    public var location: Location?
    /// Attribute answers in catalog order (code, value).
    public var attributes: [AttributeAnswer]
    public var media: [MediaRef]
    public var locale: LanguageTag
    public var channel: Channel
    public var requestedAt: Date
    public var expectedAt: Date
    /// When the resident's first message about this report arrived (nil: the ticket was filed directly, at
    /// `requestedAt`). Time to close is measured from here, as residents feel it.
    public var firstContactAt: Date?
    /// The city area (`areas:`) its point lies in, for the KPIs; nil without a point or areas.
    public var area: String?

    public init(
        trackingNumber: TrackingNumber, serviceCode: String, department: String, jurisdiction: String,
        description: String, location: Location?, attributes: [AttributeAnswer], media: [MediaRef],
        locale: LanguageTag, channel: Channel, requestedAt: Date, expectedAt: Date, firstContactAt: Date? = nil,
        area: String? = nil
    ) {
        self.trackingNumber = trackingNumber
        self.serviceCode = serviceCode
        self.department = department
        self.jurisdiction = jurisdiction
        self.description = description
        self.location = location
        self.attributes = attributes
        self.media = media
        self.locale = locale
        self.channel = channel
        self.requestedAt = requestedAt
        self.expectedAt = expectedAt
        self.firstContactAt = firstContactAt
        self.area = area
    }

    /// When the resident first asked: their first message, or the filing itself.
    public var firstContact: Date { min(firstContactAt ?? requestedAt, requestedAt) }
}

/// One answered attribute.
public struct AttributeAnswer: Hashable, Sendable, Codable {
    public var code: String
    public var value: AttributeValue
    public init(code: String, value: AttributeValue) {
        self.code = code
        self.value = value
    }
}

/// What a resident may learn about a ticket through `STATUS`: no personal data.
public struct TicketSummary: Hashable, Sendable, Codable {
    public var trackingNumber: TrackingNumber
    public var serviceCode: String
    public var status: TicketStatus
    public var locationText: String?
    public var requestedAt: Date
    public var updatedAt: Date
    public var expectedAt: Date?
    /// The latest public status note from staff.
    public var publicNote: String?

    public init(
        trackingNumber: TrackingNumber, serviceCode: String, status: TicketStatus, locationText: String?,
        requestedAt: Date, updatedAt: Date, expectedAt: Date?, publicNote: String? = nil
    ) {
        self.trackingNumber = trackingNumber
        self.serviceCode = serviceCode
        self.status = status
        self.locationText = locationText
        self.requestedAt = requestedAt
        self.updatedAt = updatedAt
        self.expectedAt = expectedAt
        self.publicNote = publicNote
    }
}

/// Open tickets a new report may duplicate: of `serviceCode`, within `radius` metres of `coordinate`, requested
/// since `since`.
public struct NearbyQuery: Hashable, Sendable, Codable {
    public var serviceCode: String
    public var coordinate: Coordinate
    public var radius: Double
    public var since: Date

    public init(serviceCode: String, coordinate: Coordinate, radius: Double, since: Date) {
        self.serviceCode = serviceCode
        self.coordinate = coordinate
        self.radius = radius
        self.since = since
    }

    /// The box around the circle, in degrees (for a spatial index): south, north, west, east.
    public var box: (south: Double, north: Double, west: Double, east: Double) {
        let dLat = radius / 111_320
        let dLon = radius / (111_320 * max(cos(coordinate.latitude * .pi / 180), 0.01))
        return (coordinate.latitude - dLat, coordinate.latitude + dLat, coordinate.longitude - dLon, coordinate.longitude + dLon)
    }
}

/// An open ticket near a new report, and how far.
public struct NearbyTicket: Hashable, Sendable, Codable {
    public var ticket: TicketSummary
    /// Metres from the new report.
    public var distance: Double

    public init(ticket: TicketSummary, distance: Double) {
        self.ticket = ticket
        self.distance = distance
    }
}
