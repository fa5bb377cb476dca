import CityModel
import Foundation
import Geocoding
import Testing

/// The geocoder on a small made-up grid: Oak St and Maple St / Maple Ave running east, 5th St and 6th St north,
/// N and S Grand Ave, one address point per street, and City Hall.
@Suite struct GeocoderTests {
    static let lon5 = -89.650, lon6 = -89.648, lat = 39.800
    static func at(_ lat: Double, _ lon: Double) -> Coordinate { Coordinate(latitude: lat, longitude: lon) }

    static let data: GeoData = {
        var segments: [StreetSegment] = []
        for (name, latitude) in [("Oak St", lat), ("Maple St", lat + 0.002), ("Maple Ave", lat + 0.004)] {
            // 500 block from 5th to 6th: odd numbers on the left (north side when walking east).
            segments.append(StreetSegment(street: name, points: [at(latitude, lon5), at(latitude, lon6)],
                                          left: HouseRange(from: 501, to: 599), right: HouseRange(from: 500, to: 598)))
        }
        for (name, longitude) in [("5th St", lon5), ("6th St", lon6)] {
            segments.append(StreetSegment(street: name, points: [at(lat - 0.002, longitude), at(lat, longitude)],
                                          left: HouseRange(from: 101, to: 199), right: HouseRange(from: 100, to: 198)))
            segments.append(StreetSegment(street: name, points: [at(lat, longitude), at(lat + 0.002, longitude)],
                                          left: HouseRange(from: 201, to: 299), right: HouseRange(from: 200, to: 298)))
        }
        for name in ["N Grand Ave", "S Grand Ave"] {
            let longitude = name.hasPrefix("N") ? -89.640 : -89.630
            segments.append(StreetSegment(street: name, points: [at(lat, longitude), at(lat + 0.002, longitude)],
                                          left: HouseRange(from: 101, to: 199), right: HouseRange(from: 100, to: 198)))
        }
        let addresses = [
            AddressPoint(number: 523, street: "Oak St", coordinate: at(lat + 0.0001, -89.6490)),
            AddressPoint(number: 523, street: "Oak St", unit: "Apt 2", coordinate: at(lat + 0.0001, -89.6490)),
        ]
        let places = [NamedPlace(id: "city-hall", name: LocalizedText([.english: "City Hall", LanguageTag("es"): "Ayuntamiento"]),
                                 aliases: ["town hall", "alcaldía", "市政厅", "مبنى البلدية"], address: "523 Oak St", coordinate: at(lat + 0.0001, -89.6490))]
        return GeoData(segments: segments, addresses: addresses, places: places,
                       streetAliases: [StreetAlias(name: "Oak", aliases: ["أوك", "橡树街"])])
    }()

    static let geocoder = Geocoder(data)

    func match(_ text: String) -> GeocodeMatch? { Self.geocoder.geocode(text).match }

    @Test func anAddressPointAsWrittenAndItsUnit() throws {
        let point = try #require(match("523 Oak St"))
        #expect(point.matched == "523 Oak St" && point.confidence == 1 && point.kind == .address)
        #expect(match("523 Oak Street Apt 2")?.coordinate == point.coordinate)
        #expect(match("523 oak st #2B")?.coordinate == point.coordinate)
        #expect(match("Oak St #523")?.matched == "523 Oak St")
    }

    @Test func aNumberWithoutAPointIsPlacedOnItsBlockOnItsSide() throws {
        let odd = try #require(match("551 Oak St")), even = try #require(match("550 Oak St"))
        // Halfway along the block, 12 m north (odd, left) or south (even, right) of the centerline.
        #expect(abs(odd.coordinate.longitude - (Self.lon5 + Self.lon6) / 2) < 0.0001)
        #expect(odd.coordinate.latitude > Self.lat && even.coordinate.latitude < Self.lat)
        #expect(abs(odd.coordinate.distance(to: Self.at(Self.lat, odd.coordinate.longitude)) - 12) < 0.5)
        #expect(odd.confidence < 1)
        #expect(Self.geocoder.geocode("1551 Oak St") == .notFound(.address), "no such number on Oak St")
        #expect(Self.geocoder.geocode("551 Zzyzx Rd") == .notFound(.address))
    }

    @Test func typosAbbreviationsAndMissingSuffixes() {
        #expect(match("551 Oka Street")?.matched == "551 Oak St")
        #expect(match("551 oak")?.matched == "551 Oak St")
        #expect(match("150 fifth street")?.matched == "150 5th St")
        #expect(match("150 N. Grand Avenue")?.matched == "150 N Grand Ave")
        // Two streets named Maple: asked back, both offered.
        guard case .ambiguous(let both) = Self.geocoder.geocode("551 Maple") else { Issue.record("not ambiguous"); return }
        #expect(Set(both.map(\.matched)) == ["551 Maple St", "551 Maple Ave"])
        #expect(match("551 Maple Ave")?.matched == "551 Maple Ave")
        // No directional given, and both Grand Aves have a 150: asked back.
        if case .ambiguous = Self.geocoder.geocode("150 Grand Ave") {} else { Issue.record("N or S Grand Ave?") }
    }

    @Test func cornersInEveryLanguage() throws {
        let corner = Self.at(Self.lat, Self.lon5)
        for text in ["Oak and 5th", "Oak St & 5th St", "corner of Oak St and Fifth", "esquina de Oak y 5th", "Oak y 5", "góc Oak và 5th",
                     "Oak和5th路口", "تقاطع Oak و 5th", "تقاطع أوك و5th", "Oak St at 5th St"] {
            let found = match(text)
            #expect(found?.kind == .intersection && found?.matched == "Oak St & 5th St" && found?.coordinate == corner, "\(text)")
        }
        #expect(Self.geocoder.geocode("Oak and Grand") == .notFound(.intersection), "they do not meet")
    }

    @Test func addressesWrittenTheWayResidentsWriteThem() {
        for text in ["in front of 551 Oak St", "calle Oak 551", "frente al 551 de la calle Oak", "551 đường Oak", "số 551 Oak St",
                     "Oak街551号", "橡树街551号", "551 شارع أوك", "شارع Oak رقم 551"] {
            #expect(match(text)?.matched == "551 Oak St", "\(text)")
        }
        #expect(match("the 500 block of Oak St")?.matched == "500 block of Oak St")
    }

    @Test func placesCoordinatesAndMapLinks() {
        for text in ["City Hall", "in front of city hall", "frente al Ayuntamiento", "la alcaldía", "市政厅门口", "أمام مبنى البلدية"] {
            #expect(match(text)?.matched == "City Hall", "\(text)")
        }
        let point = match("39.8001, -89.6490")
        #expect(point?.kind == .coordinates && point?.matched == "523 Oak St", "the nearest address names a pin")
        #expect(match("https://maps.google.com/?q=39.8001,-89.6490")?.kind == .mapLink)
        #expect(match("https://www.openstreetmap.org/?mlat=39.8001&mlon=-89.6490#map=18/39.8001/-89.6490")?.coordinate
                == Self.at(39.8001, -89.6490))
        #expect(Self.geocoder.geocode("95.0, -200.5") == .notFound(.coordinates), "absurd coordinates")
        #expect(Self.geocoder.geocode("the big tree") == .notFound(nil))
    }

    /// The longest place name said anywhere wins, wherever it stands: "city hall" comes first below, but "city hall
    /// annex" is a place of its own. Names are looked up by their first word, so the words are read once.
    @Test func theLongestPlaceNameSaidAnywhereWins() {
        var data = Self.data
        data.places.append(NamedPlace(id: "annex", name: LocalizedText([.english: "City Hall Annex"]), aliases: [],
                                      address: "599 Oak St", coordinate: Self.at(Self.lat + 0.0002, -89.6485)))
        let geocoder = Geocoder(data)
        #expect(geocoder.geocode("walk past city hall to the city hall annex").match?.matched == "City Hall Annex")
        #expect(geocoder.geocode("the city hall annex, not city hall").match?.matched == "City Hall Annex")
        #expect(geocoder.geocode("city hall").match?.matched == "City Hall")
        #expect(geocoder.geocode("annex of the city").match?.matched == "City Hall Annex", "a word only one place has")
        #expect(geocoder.geocode("hall city annex").match?.matched == "City Hall Annex", "one place word, in any order")
    }

    @Test func theNearestAddressOfAPin() {
        let near = Self.geocoder.reverse(Self.at(39.8002, -89.6491))
        #expect(near?.address == "523 Oak St" && (near?.distance ?? 99) < 20)
        #expect(Self.geocoder.reverse(Self.at(39.9, -89.5)) == nil)
    }
}
