import CityLineTestSupport
import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Messaging
import Outreach
import Storage
import StorageSQLite
import Switchboard
import Testing
import Transport
import WebAPI

/// The operators' dead-letter view: what gave up and why, and sending it again once the cause is fixed.
extension StaffAPITests {
    @Test func deadLettersAreListedForAdminsAndCanBeSentAgain() async throws {
        let h = try await harness()
        // An SMS the provider refused for good, and a department event whose job gave up.
        let message = RenderedMessage(to: ChannelAddress(channel: .sms, address: "+12175550177"), body: "Update on report #1000002",
                                      locale: .english, kind: .statusUpdate, ticket: TrackingNumber(serial: 1))
        let outboxID = try await h.store.enqueue(message, at: t0)
        _ = try await h.store.claimDue(now: t0, limit: 10, leaseUntil: t0.addingTimeInterval(60))
        try await h.store.markDead(outboxID, error: "Twilio 21211: invalid 'To' number", at: t0)
        try await h.store.schedule([OutreachPolicy.departmentJob(TrackingNumber(serial: 1), event: "created", at: t0)], at: t0)
        let job = try #require(try await h.store.claimJobs(now: t0, limit: 10, leaseUntil: t0.addingTimeInterval(60)).first)
        try await h.store.complete(JobCompletion(job: job.id, outcome: .dead(error: "gave up after 8 attempts"), at: t0))

        try await h.app.test(.live) { client in
            let staff = try await client.execute(uri: "/api/v1/outbox", method: .get, headers: Self.auth(h.streets))
            #expect(staff.status == .forbidden, "a department's token does not see every resident's messages")

            let dead = try await client.execute(uri: "/api/v1/outbox", method: .get, headers: Self.auth(h.admin))
            let entries = Self.json(dead)["outbox"] as? [[String: Any]] ?? []
            #expect(entries.count == 1)
            #expect(entries.first?["last_error"] as? String == "Twilio 21211: invalid 'To' number")
            #expect(entries.first?["kind"] as? String == "status_update" && entries.first?["ticket_id"] as? String == TrackingNumber(serial: 1).digits)
            #expect(entries.first?["to"] as? String != "+12175550177" && entries.first?["body"] == nil, "no number, no body: \(entries)")

            let retry = try await client.execute(uri: "/api/v1/outbox/\(outboxID)/retry", method: .post, headers: Self.auth(h.admin))
            #expect(retry.status == .ok)
            #expect(Self.json(retry)["state"] as? String == "pending" && Self.json(retry)["attempts"] as? Int == 0)
            let again = try await client.execute(uri: "/api/v1/outbox/\(outboxID)/retry", method: .post, headers: Self.auth(h.admin))
            #expect(again.status == .conflict && Self.errorCode(again) == "not_dead")
            #expect(try await client.execute(uri: "/api/v1/outbox/999/retry", method: .post, headers: Self.auth(h.admin)).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/outbox/abc/retry", method: .post, headers: Self.auth(h.admin)).status == .notFound)
            #expect(Self.errorCode(try await client.execute(uri: "/api/v1/outbox?state=lost", method: .get, headers: Self.auth(h.admin)))
                == "invalid_state")

            let jobs = try await client.execute(uri: "/api/v1/jobs?state=dead", method: .get, headers: Self.auth(h.admin))
            let listed = Self.json(jobs)["jobs"] as? [[String: Any]] ?? []
            #expect(listed.map { $0["kind"] as? String } == ["department_event"] && listed.first?["note"] as? String == "gave up after 8 attempts")
            let rerun = try await client.execute(uri: "/api/v1/jobs/\(job.id)/retry", method: .post, headers: Self.auth(h.admin))
            #expect(rerun.status == .ok)
            #expect(try await client.execute(uri: "/api/v1/jobs/\(job.id)/retry", method: .post, headers: Self.auth(h.admin)).status == .conflict)
            #expect(try await client.execute(uri: "/api/v1/jobs/\(job.id)/retry", method: .post, headers: Self.auth(h.parks)).status == .forbidden)
        }
        // The requeued message really goes out, once: the transport fails the test on any other send.
        let sink = ExpectingTransport(expecting: [.send(body: "Update on report #1000002")])
        let dispatcher = OutboxDispatcher(store: h.store, transports: TransportRegistry(fallback: sink), logger: Logger(label: "test"),
                                          clock: { t0.addingTimeInterval(3_700) })
        while try await dispatcher.dispatchDue() > 0 {}
        #expect(await sink.sent.map(\.body) == ["Update on report #1000002"])
        await sink.verify()
        #expect(try await h.store.outboxEntry(outboxID)?.state == .sent)
        #expect(try await h.store.jobs(state: .pending, limit: 10).map(\.id) == [job.id])
    }
}
