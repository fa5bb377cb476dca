import AsyncHTTPClient
import ChannelSMS
import CityLineTestSupport
import CityModel
import Foundation
import NIOCore
import Storage
import StorageSQLite
import Testing
import WebAPI

/// The geocoding issue's "done when", against the real `cityline serve` process over HTTP: "pothole in front of
/// 1423 oak st" becomes a ticket with coordinates, the city's jurisdiction and the streets department; a second
/// resident reporting the same pothole is offered to follow it and does (staff see the follower); a pothole on a
/// county road goes to the county.
@Suite struct WhereTests {
    let done = DoneWhenTests()

    @Test func aPlaceBecomesAPointTheRightDepartmentAndNoDuplicate() async throws {
        let directory = try temporaryDirectory()
        do {
            let store = try SQLiteStore(path: directory + "/cityline.sqlite")
            _ = try await store.createToken(hash: StaffTokenHash.hash("admin-secret"), role: .admin, department: nil, label: nil, at: Date())
        }
        let (server, base) = try await CrashTests.startServer(dataDirectory: directory, token: DoneWhenTests.token, publicURL: DoneWhenTests.publicURL)
        try await stopping(server) {
            func report(_ from: String, _ words: [String], sid: String) async throws -> [String] {
                var replies: [String] = []
                for (index, text) in words.enumerated() { replies.append(try await done.text(base, from: from, text, sid: "\(sid)\(index)")) }
                return replies
            }

            let first = try await report("+12175550120", ["pothole in front of 1423 oak st", "skip", "skip", "skip", "yes"], sid: "SMa")
            #expect(first[3].contains("Where: 1423 Oak St"), "the summary confirms the matched address: \(first[3])")
            let number = try #require(TrackingNumber(parsing: String(first[4].split(separator: "Tracking number: ").last?.prefix(7) ?? "")), "\(first[4])")
            var ticket = try await done.get(base, number)
            let location = ticket["location"] as? [String: Any] ?? [:]
            #expect(location["matched"] as? String == "1423 Oak St")
            #expect(abs((location["latitude"] as? Double ?? 0) - 39.7666) < 0.0002 && abs((location["longitude"] as? Double ?? 0) + 89.6781) < 0.0002)
            #expect(ticket["jurisdiction"] as? String == "springfield" && ticket["department"] as? String == "streets")

            // Another resident, the same pothole a few metres on: offered to follow, follows, no second ticket.
            let second = try await report("+12175550121", ["big pothole at 1425 Oak St", "FOLLOW"], sid: "SMb")
            #expect(second[0].contains("#\(number.digits) (Pothole, ") && second[0].contains("Reply FOLLOW"), "\(second[0])")
            #expect(second[1].contains("you'll get updates on #\(number.digits)"), "\(second[1])")
            ticket = try await done.get(base, number)
            #expect(ticket["followers"] as? Int == 1)

            // A pothole on a county road, by its address.
            let county = try await report("+12175550122", ["pothole at 1010 River Rd", "skip", "skip", "skip", "yes"], sid: "SMc")
            let countyNumber = try #require(TrackingNumber(parsing: String(county[4].split(separator: "Tracking number: ").last?.prefix(7) ?? "")))
            let countyTicket = try await done.get(base, countyNumber)
            #expect(countyTicket["jurisdiction"] as? String == "greene-county" && countyTicket["department"] as? String == "county-roads")
            let tickets = try await SQLiteStore(path: directory + "/cityline.sqlite").tickets(TicketFilter())
            #expect(tickets.count == 2, "the second resident's report made no ticket")
        }
    }
}
