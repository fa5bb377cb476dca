import ChannelEmail
import CityLineTestSupport
import CityModel
import Foundation
import Logging
import Messaging
import Outreach
import Storage
import Switchboard
import Testing

/// A report made by email stays one conversation in the resident's mail client: every answer, the confirmation
/// with the tracking number and the later update are replies in the thread the resident started.
@Suite struct EmailThreadTests {
    static let maria = ChannelAddress(channel: .email, address: "maria@example.org")

    /// Maria's k-th email: its own Message-ID, the earlier ones in References, her subject with "Re:".
    static func email(_ k: Int, _ text: String, at date: Date) -> InboundMessage {
        InboundMessage(from: maria, text: text, externalID: "m\(k)@example.org", receivedAt: date,
                       thread: MessageThread(id: "m\(k)@example.org", references: (1..<k).map { "m\($0)@example.org" },
                                             subject: "Broken streetlight"))
    }

    @Test func aReportByEmailAndItsUpdateStayInTheResidentsThread() async throws {
        let store = MemoryStore()
        let switchboard = try Demo.switchboard(store)
        var now = t0
        var k = 1
        var outcome = try await switchboard.receive(Self.email(1, "Broken streetlight\nat 5th and Oak, dark for a week", at: now),
                                                    delivery: .outbox)
        // Answer whatever is asked until the report is filed.
        for answer in ["out", "yes", "yes", "yes"] where !outcome.events.contains(where: { if case .ticketRequested = $0 { true } else { false } }) {
            k += 1
            now = now.addingTimeInterval(60)
            outcome = try await switchboard.receive(Self.email(k, answer, at: now), delivery: .outbox)
        }
        let filed = try #require(await store.tickets(reportedBy: Self.maria).first)
        #expect(filed.thread?.id == "m\(k)@example.org", "the ticket keeps the message the report was completed in")

        // Staff close it; the update goes out.
        var city = try Demo.city
        city.quietHours = QuietHours(start: .init(minutes: 0), end: .init(minutes: 0))
        let policy = OutreachPolicy(city: city)
        let closedAt = now.addingTimeInterval(3_600)
        _ = await store.update(filed.trackingNumber, TicketChange(status: .closed, statusNote: "Fixed.", resolution: "fixed"),
                               actor: "staff:1", at: closedAt) { ticket, events in policy.jobs(after: events, ticket: ticket) }
        let scheduler = Scheduler(switchboard: switchboard, jobs: store, policy: policy, logger: Logger(label: "test"), clock: { closedAt })
        for _ in 0..<5 { try await scheduler.runDue() }

        let from = try #require(EmailAddress(address: "311@springfield.example", displayName: "Springfield 311"))
        let mails = try await store.outboxEntries.filter { $0.message.to == Self.maria }.map {
            try MIMEMessage(entry: $0, from: from, date: closedAt, unsubscribeURL: nil)
        }
        #expect(mails.count == k + 1, "one answer per email, and the update")
        for (index, mail) in mails.enumerated() {
            let answered = min(index + 1, k) // the update answers the message the report was completed in
            #expect(mail.header("Subject") == "Re: Broken streetlight")
            #expect(mail.header("In-Reply-To") == "<m\(answered)@example.org>")
            #expect(mail.header("References") == (1...answered).map { "<m\($0)@example.org>" }.joined(separator: " "))
        }
        #expect(await store.outboxEntries.last?.message.kind == .statusUpdate)
    }
}
