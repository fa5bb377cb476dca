import ChannelSMS
import CityLineApp
import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import StorageSQLite
import Testing
import Transport

/// Carriers redeliver late. The same MessageSid minutes, hours and days later — to the application that answered
/// it or to one started again on the same database, after the resident has moved on in the dialog — gets the reply
/// it got then and changes nothing: no message, ticket, session write, job or outbox entry, and the dialog does not
/// go back.
///
/// Nothing prunes the message log, where `(channel, external_id)` is unique (`Switchboard.receive` looks the id up
/// before anything else; the insert's uniqueness catches a race), so how late a redelivery may come is not
/// bounded by the application: this proves 73 hours.
@Suite struct LateRedeliveryTests {
    static let token = "late-redelivery-token"
    static let publicURL = "https://311.springfield.example"
    static let resident = "+12175550142"

    /// What a redelivery must not change.
    struct Snapshot: Equatable {
        var counts: [String: Int]
        var session: Session?
        var version: Int
        var ticket: Ticket?
    }

    static func snapshot(_ store: SQLiteStore, ticket: TrackingNumber?) async throws -> Snapshot {
        var counts: [String: Int] = [:]
        for table in ["messages", "tickets", "sessions", "outbox", "jobs", "events", "contacts", "ticket_events"] {
            counts[table] = try await store.count(table)
        }
        let (stored, _) = try await store.turnContext(for: ChannelAddress(channel: .sms, address: resident), referencing: [])
        let fetched: Ticket? = if let ticket { try await store.ticket(ticket) } else { nil }
        return Snapshot(counts: counts, session: stored.session, version: stored.version, ticket: fetched)
    }

    /// The application `cityline serve` builds, on the SQLite database at `path`, its clock the test's.
    static func application(_ path: String, clock: TestClock) async throws -> (SQLiteStore, some ApplicationProtocol) {
        let store = try SQLiteStore(path: path)
        let environment = ["CITYLINE_PUBLIC_URL": publicURL, "TWILIO_AUTH_TOKEN": token]
        let app = try await buildApplication(try .testing(store: .sqlite(store), environment: environment, clock: { clock.now }))
        return (store, app)
    }

    /// Sends a signed SMS webhook; the TwiML.
    static func send(_ client: some TestClientProtocol, _ sid: String, _ body: String) async throws -> String {
        let form = [("MessageSid", sid), ("From", resident), ("To", "+12175550311"), ("Body", body), ("NumMedia", "0")]
        let signature = TwilioSignature(authToken: token).sign(url: publicURL + "/webhooks/twilio/sms", parameters: form)
        return try await client.execute(uri: "/webhooks/twilio/sms", method: .post,
                                        headers: [.contentType: "application/x-www-form-urlencoded",
                                                  HTTPField.Name("X-Twilio-Signature")!: signature],
                                        body: ByteBuffer(string: FormBody.encode(form))) { response in
            #expect(response.status == .ok)
            return String(buffer: response.body)
        }
    }

    @Test func minutesHoursAndDaysLaterAndAfterARestartTheSameReplyAndNothingChanges() async throws {
        let path = try temporaryDirectory() + "/cityline.sqlite"
        let clock = TestClock(t0)
        let (replies, number, settled): ([String: String], TrackingNumber?, Snapshot?)
        do {
            let (store, app) = try await Self.application(path, clock: clock)
            (replies, number, settled) = try await app.test(.live) { client in
                var replies: [String: String] = [:]
                // The report, one message a minute.
                for sid in ["SMlate1", "SMlate2", "SMlate3"] {
                    replies[sid] = try await Self.send(client, sid, Self.body(sid))
                    clock.advance(60)
                }
                #expect(replies["SMlate1"]?.contains("About how big is it?") == true, "\(replies)")
                #expect(replies["SMlate3"]?.contains("send a photo") == true, "\(replies)")

                // Moved on: two messages later the first two come again. Each gets the reply it got then; the dialog
                // stays at the photo question.
                let before = try await Self.snapshot(store, ticket: nil)
                for sid in ["SMlate1", "SMlate2"] {
                    #expect(try await Self.send(client, sid, Self.body(sid)) == replies[sid])
                }
                #expect(try await Self.snapshot(store, ticket: nil) == before, "a redelivery changed something")
                guard case .askingPhoto = before.session?.state else {
                    Issue.record("expected the photo question, the session is at \(String(describing: before.session?.state))")
                    return (replies, nil, nil)
                }
                // The next answer goes on from where the resident was, not from where the redelivery was.
                replies["SMlate4"] = try await Self.send(client, "SMlate4", Self.body("SMlate4"))
                #expect(replies["SMlate4"]?.contains("Please check your report") == true, "\(replies)")
                clock.advance(60)
                replies["SMlate5"] = try await Self.send(client, "SMlate5", Self.body("SMlate5"))
                let created = try #require(replies["SMlate5"]?.firstMatch(of: /Tracking number: (\d+)\./)?.1)
                let number = try #require(TrackingNumber(parsing: String(created)))

                // At least 5 minutes, 6 hours and 73 hours after each was first sent: the same answer, nothing changed.
                let settled = try await Self.snapshot(store, ticket: number)
                #expect(settled.counts["tickets"] == 1 && settled.counts["messages"] == 10, "\(settled.counts)")
                let all = ["SMlate1", "SMlate2", "SMlate3", "SMlate4", "SMlate5"]
                for (later, sids) in [(5.0 * 60, ["SMlate5"]), (6 * 3_600, ["SMlate3", "SMlate5"]), (73 * 3_600, all)] {
                    clock.set(t0.addingTimeInterval(5 * 60 + later))
                    for sid in sids {
                        #expect(try await Self.send(client, sid, Self.body(sid)) == replies[sid], "\(sid) \(Int(later)) s later")
                    }
                    #expect(try await Self.snapshot(store, ticket: number) == settled, "a redelivery \(Int(later)) s later changed something")
                }
                return (replies, number, settled)
            }
        }

        // The application started again on the same database, 73 hours and a minute later: the same answers, nothing
        // changed, and the resident's dialog where their own last message left it (done, not back at the start).
        clock.set(t0.addingTimeInterval(73 * 3_600 + 6 * 60))
        let (store, app) = try await Self.application(path, clock: clock)
        try await app.test(.live) { client in
            for sid in replies.keys.sorted() {
                let again = try await Self.send(client, sid, Self.body(sid))
                #expect(again == replies[sid], "\(sid) after a restart")
            }
        }
        let after = try await Self.snapshot(store, ticket: number)
        #expect(after == settled, "a redelivery after a restart changed something")
        #expect(after.counts["tickets"] == 1 && after.counts["messages"] == 10, "\(after.counts)")
        guard case .idle = after.session?.state else {
            Issue.record("the dialog went back: \(String(describing: after.session?.state))")
            return
        }
    }

    /// The body each message had (a redelivery repeats it).
    static func body(_ sid: String) -> String {
        ["SMlate1": "pothole at 1423 Oak St", "SMlate2": "2", "SMlate3": "1", "SMlate4": "skip", "SMlate5": "yes"][sid] ?? ""
    }
}
