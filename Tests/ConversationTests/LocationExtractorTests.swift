import CityModel
import Foundation
import Testing
import Conversation

@Suite("LocationExtractor")
struct LocationExtractorTests {
    let extractor = LocationExtractor()

    /// An input and the location text the extractor should return for it.
    struct Case: Sendable, CustomTestStringConvertible {
        let input: String
        let expected: String
        init(_ input: String, _ expected: String) {
            self.input = input
            self.expected = expected
        }
        var testDescription: String { input }
    }

    /// A maps link and the coordinate it carries (nil for a short link without one).
    struct LinkCase: Sendable, CustomTestStringConvertible {
        let input: String
        let link: String
        let latitude: Double?
        let longitude: Double?
        var testDescription: String { input }
    }

    // MARK: Addresses

    @Test(arguments: [
        Case("Pothole at 123 Oak St", "123 Oak St"),
        Case("123 Oak St.", "123 Oak St"),
        Case("Streetlight out at 4501 N. Main Street, near the bus stop", "4501 N. Main Street"),
        Case("Graffiti on the wall at 12 W 5th Ave!", "12 W 5th Ave"),
        Case("Abandoned car at 500 Martin Luther King Jr Blvd", "500 Martin Luther King Jr Blvd"),
        Case("water leak 1600 e washington st apt 3", "1600 e washington st apt 3"),
        Case("Trash bags piled at 77 Elm since Monday", "77 Elm"),
        Case("Broken sidewalk near 9 Birch", "9 Birch"),
        Case("in front of 15 Cedar there is a sinkhole", "15 Cedar"),
        Case("Dead tree at 42 Sycamore Rd, please remove", "42 Sycamore Rd"),
        Case("Noise from 800 Lincoln Way every night", "800 Lincoln Way"),
        Case("Flooding at 31 Harbor Dr.", "31 Harbor Dr"),
        Case("Sign down at 7 Kings Hwy", "7 Kings Hwy"),
        Case("18 Maple Ln has a leaning pole", "18 Maple Ln"),
        Case("Leak at 250 Lake Shore Pkwy", "250 Lake Shore Pkwy"),
        Case("Dumping behind 5 Mill Aly.", "5 Mill Aly"),
        Case("12 Court St needs a plow", "12 Court St"),
        Case("Car alarm at 66 Hill Ter all night", "66 Hill Ter"),
        Case("Broken bench at 3 Town Sq", "3 Town Sq"),
        Case("Pothole outside 88 Pine Cir", "88 Pine Cir"),
        Case("Overgrown lot 401 Ridge Trl", "401 Ridge Trl"),
        Case("Rats at 9 Cherry Row", "9 Cherry Row"),
        Case("Hydrant leaking at 210 Park Pl NW", "210 Park Pl NW"),
        Case("CAR ON SIDEWALK NEAR 34 HARRISON AVE", "34 HARRISON AVE"),
        Case("Loud party at 525 Jackson Ave #14F tonight", "525 Jackson Ave #14F"),
        Case("Water main break at 1200 block of Elm St", "1200 block of Elm St"),
        Case("221B Baker Street", "221B Baker Street"),
    ])
    func findsAddresses(_ c: Case) {
        let found = extractor.extract(from: c.input)
        #expect(found?.kind == .address)
        #expect(found?.text == c.expected)
        #expect(found?.coordinate == nil)
    }

    @Test(arguments: ["St", "Street", "Ave", "Avenue", "Rd", "Road", "Blvd", "Boulevard", "Dr", "Drive", "Ln", "Lane",
                      "Way", "Ct", "Court", "Pl", "Place", "Pkwy", "Parkway", "Hwy", "Highway", "Ter", "Terrace", "Cir",
                      "Circle", "Sq", "Square", "Trl", "Trail", "Alley", "Aly", "Row"])
    func recognizesEverySuffix(_ suffix: String) {
        #expect(extractor.extract(from: "Pothole by 100 Grove \(suffix).")?.text == "100 Grove \(suffix)")
        #expect(extractor.extract(from: "pothole at 100 grove \(suffix.lowercased()).")?.text == "100 grove \(suffix.lowercased())")
    }

    // MARK: Intersections

    @Test(arguments: [
        Case("Oak and 5th", "Oak & 5th"),
        Case("Light out at Oak St & 5th Ave", "Oak St & 5th Ave"),
        Case("Flooding on the corner of Main and Elm", "Main & Elm"),
        Case("pothole at oak and 5th", "oak & 5th"),
        Case("5th/Main signal is stuck", "5th & Main"),
        Case("Stop sign down, Elm St at Main St", "Elm St & Main St"),
        Case("Crash at the intersection of Broadway and 3rd", "Broadway & 3rd"),
        Case("corner of main and elm", "main & elm"),
        Case("Bus shelter broken at 1st Ave and Pine", "1st Ave & Pine"),
        Case("Potholes all over Cherry and Parsons", "Cherry & Parsons"),
        Case("Sink hole at 170 st and grand concourse", "170 st & grand concourse"),
        Case("OAK ST AND 5TH AVE light out", "OAK ST & 5TH AVE"),
        Case("Trash on the NE corner of Lake Rd and Hill Ave.", "Lake Rd & Hill Ave"),
    ])
    func findsIntersections(_ c: Case) {
        let found = extractor.extract(from: c.input)
        #expect(found?.kind == .intersection)
        #expect(found?.text == c.expected)
    }

    @Test(arguments: [
        "pothole and streetlight out", "trash and recycling were missed", "cars and trucks speed here",
        "tires and a couch dumped", "black and white cat stuck in a tree", "Trash and recycling were missed",
        "the 1st and 2nd floors are flooded", "and", "his/her car", "open 24/7", "Tires and 5th wheel trailer left",
        "Manhole cover and rim are broken", "Pothole at night is dangerous", "between right lane and exit lane",
        "Every Friday and Saturday night", "Potholes and rough road here", "Henry Hudson Parkway and approach",
        "Truck too close to the corner. Health and safety issues.", "a lady on the corner trying and crying",
        "buses and big trucks drive by", "Lane on 6th street. At 6th the road is buckled",
        "Line outside Ben & Jerry's on 5th",
        // "near", "by" and "off" join two streets only when both are plainly streets
        "a car parked near 5th St", "I live by 5th St", "graffiti at Lincoln Park near 5th St",
        "pothole near the park on 5th St", "bikes parked by the door", "Dropped off by Main",
    ])
    func ignoresOrdinaryAnds(_ text: String) {
        #expect(extractor.extract(from: text) == nil)
    }

    // MARK: Coordinates

    @Test(arguments: [
        Case("39.7817, -89.6501", "39.7817, -89.6501"),
        Case("I'm at 39.7817,-89.6501 by the trail", "39.7817, -89.6501"),
        Case("lat 39.78 lon -89.65", "39.78, -89.65"),
        Case("Latitude: 39.78, Longitude: -89.65", "39.78, -89.65"),
        Case("-33.8688, 151.2093", "-33.8688, 151.2093"),
    ])
    func findsCoordinates(_ c: Case) throws {
        let found = try #require(extractor.extract(from: c.input))
        #expect(found.kind == .coordinates)
        #expect(found.text == c.expected)
        let parts = c.expected.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        #expect(found.coordinate == Coordinate(latitude: parts[0]!, longitude: parts[1]!))
    }

    @Test(arguments: ["99.1234, -89.6501", "39.7817, -189.6501", "lat 95 lon 10", "it cost 12.50, 13.75", "version 1.2.3, 4.5.6"])
    func rejectsImpossibleOrUnlikelyCoordinates(_ text: String) {
        #expect(extractor.extract(from: text) == nil)
    }

    // MARK: Map links

    @Test(arguments: [
        LinkCase(input: "here https://www.google.com/maps/place/Springfield,+IL/@39.78,-89.65,17z thanks",
                    link: "https://www.google.com/maps/place/Springfield,+IL/@39.78,-89.65,17z", latitude: 39.78, longitude: -89.65),
        LinkCase(input: "https://maps.google.com/?q=39.78,-89.65", link: "https://maps.google.com/?q=39.78,-89.65",
                    latitude: 39.78, longitude: -89.65),
        LinkCase(input: "see https://www.google.com/maps/search/?api=1&query=39.78%2C-89.65.",
                    link: "https://www.google.com/maps/search/?api=1&query=39.78%2C-89.65", latitude: 39.78, longitude: -89.65),
        LinkCase(input: "https://maps.apple.com/?ll=39.78,-89.65&q=Pin", link: "https://maps.apple.com/?ll=39.78,-89.65&q=Pin",
                    latitude: 39.78, longitude: -89.65),
        LinkCase(input: "geo:39.78,-89.65", link: "geo:39.78,-89.65", latitude: 39.78, longitude: -89.65),
        LinkCase(input: "geo:0,0?q=39.78,-89.65(Pothole)", link: "geo:0,0?q=39.78,-89.65(Pothole)", latitude: 39.78, longitude: -89.65),
        LinkCase(input: "https://www.openstreetmap.org/?mlat=39.78&mlon=-89.65#map=17/39.78/-89.65",
                    link: "https://www.openstreetmap.org/?mlat=39.78&mlon=-89.65#map=17/39.78/-89.65", latitude: 39.78, longitude: -89.65),
        LinkCase(input: "#map=17/39.78/-89.65", link: "#map=17/39.78/-89.65", latitude: 39.78, longitude: -89.65),
        LinkCase(input: "Pothole here: https://maps.app.goo.gl/AbC123", link: "https://maps.app.goo.gl/AbC123",
                    latitude: nil, longitude: nil),
        LinkCase(input: "(https://goo.gl/maps/xyz789)", link: "https://goo.gl/maps/xyz789", latitude: nil, longitude: nil),
    ])
    func readsMapLinks(_ c: LinkCase) {
        let found = extractor.extract(from: c.input)
        #expect(found?.kind == .mapLink)
        #expect(found?.text == c.link)
        if let lat = c.latitude, let lon = c.longitude {
            #expect(found?.coordinate == Coordinate(latitude: lat, longitude: lon))
        } else {
            #expect(found?.coordinate == nil)
        }
    }

    @Test func ignoresOtherLinks() {
        #expect(extractor.extract(from: "photo at https://example.com/Oak/Main/123") == nil)
        #expect(extractor.extract(from: "geo:hello") == nil)
    }

    // MARK: No false positives

    @Test(arguments: [
        "2 bags of trash", "about 3 feet wide", "since 7am", "for 2 weeks", "it's been 10 days",
        "call me at 555-123-4567", "2024", "STATUS 1234567", "5:30", "pickup at 5:30 today", "at 5 PM",
        "I have 3 kids", "we called 4 times about it", "5 cars drive past", "on 3 occasions", "Pole #9 is leaning",
        "The tree fell at 7 am", "", "Thanks!", "The signal is at 2944. Last night a car hit it",
        "On March 30 2017 Sharon Court will be closed", "sunk 3-4 inches below road", "at 75 Street",
    ])
    func findsNothingInOrdinaryText(_ text: String) {
        #expect(extractor.extract(from: text) == nil)
    }

    // MARK: Priority

    @Test func prefersLinkThenCoordinatesThenAddressThenIntersection() {
        let all = "At Oak and 5th, 123 Oak St, 39.7817, -89.6501, https://maps.google.com/?q=39.78,-89.65"
        #expect(extractor.extract(from: all)?.kind == .mapLink)
        #expect(extractor.extract(from: "At Oak and 5th, 123 Oak St, 39.7817, -89.6501")?.kind == .coordinates)
        #expect(extractor.extract(from: "At Oak and 5th near 123 Oak St")?.text == "123 Oak St")
        #expect(extractor.extract(from: "Elm and 3rd, also Oak and 5th")?.text == "Elm & 3rd")
        #expect(extractor.extract(from: "12 Elm St and 40 Pine St")?.text == "12 Elm St")
    }

    // MARK: Answers to "Where is it?"

    @Test(arguments: [
        Case("In front of the library on Main", "In front of the library on Main"),
        Case("behind the school", "behind the school"),
        Case("  Main Street.  ", "Main Street"),
        Case("the park on Elm", "the park on Elm"),
        Case("Main Street near the park", "Main Street near the park"),
        Case("by the big oak tree!", "by the big oak tree"),
    ])
    func readsDescriptions(_ c: Case) {
        let found = extractor.parseAnswer(c.input)
        #expect(found?.kind == .description)
        #expect(found?.text == c.expected)
    }

    @Test(arguments: ["idk", "IDK", "?", "no", "yes", "ok", "Okay.", "42", "", "   ", "ab", "I don't know", "not sure", "n/a", "👍"])
    func rejectsNonAnswers(_ text: String) {
        #expect(extractor.parseAnswer(text) == nil)
    }

    @Test func answersUseExtractFirst() {
        #expect(extractor.parseAnswer("123 Main") == Location(kind: .address, text: "123 Main"))
        #expect(extractor.extract(from: "123 Main") == nil)
        #expect(extractor.parseAnswer("12 oak drive") == Location(kind: .address, text: "12 oak drive"))
        #expect(extractor.parseAnswer("123 Oak St") == Location(kind: .address, text: "123 Oak St"))
        #expect(extractor.parseAnswer("oak and 5th") == Location(kind: .intersection, text: "oak & 5th"))
        #expect(extractor.parseAnswer("geo:39.78,-89.65")?.coordinate == Coordinate(latitude: 39.78, longitude: -89.65))
    }

    // MARK: Real reports (phrases adapted from NYC PublicStuff and Newport SeeClickFix requests)

    @Test(arguments: [
        Case("Bees have stung people at 2712 Sexton Place.", "2712 Sexton Place"),
        Case("Illegal clothing donation bin at 31 Powers st", "31 Powers st"),
        Case("Downed wires in front of 532 Bradford Street, between Livonia and Dumont.", "532 Bradford Street"),
        Case("Loose manhole cover in front of 124  Atlantic Ave, Brooklyn NY 11201.", "124 Atlantic Ave"),
        Case("Vandalism on the curb outside 141-18 Cherry Ave, Flushing NY 11355.", "141-18 Cherry Ave"),
        Case("Dog owner at 170 Beach 123rd Street lets his dog out", "170 Beach 123rd Street"),
        Case("Car blocking sidewalk 71 Harrison Ave", "71 Harrison Ave"),
        Case("The bike stand at 16 Bellevue Ave is almost ripped out.", "16 Bellevue Ave"),
        Case("Overgrown bush in front of 78 Catherine st blocks the view.", "78 Catherine st"),
        Case("Yard waste on the sidewalk for a month at 37 marsh st", "37 marsh st"),
        Case("Loud turbine fan at 136 Atlantic is squeaking.", "136 Atlantic"),
        Case("Car parked in front of 6525 78th Ave at corner of Cypress Hills St", "6525 78th Ave"),
        Case("Pothole at intersection of Cherry and Parsons", "Cherry & Parsons"),
        Case("Lights are out at the intersection of E. 18th and Cortelyou rd.", "E. 18th & Cortelyou rd"),
        Case("Streetlight is out on the SW corner of Marcy and Macon.", "Marcy & Macon"),
        Case("The utility pole at 205 st and 53 ave is leaning.", "205 st & 53 ave"),
        Case("Broken street gutter on corner of Spring/Perry", "Spring & Perry"),
        Case("Crosswalk button dead at intersection of Bellevue & Narragansett", "Bellevue & Narragansett"),
        Case("Graffiti on the corner of Princeton and Broadway", "Princeton & Broadway"),
        Case("Pothole At 46th Ave. and 167th St., northeast corner", "46th Ave & 167th St"),
        Case("Corner of Putnam Ave and Seneca Ave is covered in graffiti.", "Putnam Ave & Seneca Ave"),
        Case("Streetlight on Pole 9 at the corner of Stockholm and Marchant Streets is out.", "Stockholm & Marchant Streets"),
        Case("Tremont and Carter Ave. has a pothole", "Tremont & Carter Ave"),
        Case("Hole at the intersection of Mount Vernon Street and Sherman Street", "Mount Vernon Street & Sherman Street"),
        Case("Branch fell into the park at corner of Kay and Rhode Island Ave", "Kay & Rhode Island Ave"),
    ])
    func findsLocationsInRealReports(_ c: Case) {
        #expect(extractor.extract(from: c.input)?.text == c.expected)
    }

    @Test func isDeterministicAndSendable() async {
        let text = "Pothole at intersection of Cherry and Parsons"
        let shared = extractor
        let fromTask = await Task.detached { shared.extract(from: text) }.value
        #expect(fromTask == extractor.extract(from: text))
    }
}
