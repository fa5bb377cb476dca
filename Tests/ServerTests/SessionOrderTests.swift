import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import Messaging
import Storage
import Testing

/// One resident's turns stay in order across processes: each switchboard below stands for a `cityline serve`
/// process sharing one store, and the store's session versions — not an in-process lock — keep a turn from
/// overwriting what the other committed.
@Suite struct SessionOrderTests {
    /// A store that holds the first turn's read until the test lets it go, so the other process can commit in
    /// between: the interleaving that loses an update when sessions are written blindly.
    final class HeldStore: ConversationStore, @unchecked Sendable {
        let inner: MemoryStore
        private let lock = NSLock()
        private var holdNext = true
        private var held: CheckedContinuation<Void, Never>?
        private var readHeld: CheckedContinuation<Void, Never>?
        private var reads = 0

        init(_ inner: MemoryStore) { self.inner = inner }

        /// Waits until a turn has read its context and is held.
        func waitUntilHeld() async {
            await withCheckedContinuation { continuation in
                let ready = lock.withLock { () -> Bool in
                    if held != nil { return true }
                    readHeld = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }

        func release() { lock.withLock { () -> CheckedContinuation<Void, Never>? in defer { held = nil }; return held }?.resume() }

        var contextReads: Int { lock.withLock { reads } }

        func turnContext(for address: ChannelAddress, referencing numbers: [TrackingNumber]) async throws -> (StoredSession, [Ticket]) {
            let read = await inner.turnContext(for: address, referencing: numbers)
            let hold = lock.withLock { () -> Bool in
                reads += 1
                defer { holdNext = false }
                return holdNext
            }
            if hold {
                await withCheckedContinuation { continuation in
                    let waiter = lock.withLock { () -> CheckedContinuation<Void, Never>? in
                        held = continuation
                        defer { readHeld = nil }
                        return readHeld
                    }
                    waiter?.resume()
                }
            }
            return read
        }

        func session(for address: ChannelAddress) async throws -> Session? { await inner.session(for: address) }
        func tickets(reportedBy address: ChannelAddress) async throws -> [Ticket] { await inner.tickets(reportedBy: address) }
        func ticket(_ number: TrackingNumber) async throws -> Ticket? { await inner.ticket(number) }
        func tickets(_ numbers: [TrackingNumber]) async throws -> [TrackingNumber: Ticket] { try await inner.tickets(numbers) }
        func replies(toExternalID id: String, channel: Channel) async throws -> [RenderedMessage]? {
            await inner.replies(toExternalID: id, channel: channel)
        }
        func commit(_ record: TurnRecord) async throws { try await inner.commit(record) }
        func apply(_ plan: WritePlan) async throws { try await inner.apply(plan) }
        func surveys(of tickets: [TrackingNumber]) async throws -> [TrackingNumber: SurveyRecord] { await inner.surveys(of: tickets) }
        func openTickets(near query: NearbyQuery, limit: Int) async throws -> [NearbyTicket] { await inner.openTickets(near: query, limit: limit) }
        func emergencies(since date: Date) async throws -> [EmergencyRecord] { await inner.emergencies(since: date) }
        func events(since date: Date) async throws -> [EventRecord] { await inner.events(since: date) }
    }

    /// "pothole" is read on one instance; meanwhile the resident's STOP commits on the other. The report's turn is
    /// refused and redone on the opted-out session: the STOP stands, and the report is answered as an opted-out
    /// resident's would be, not from the stale session.
    @Test func aStopCommittedByAnotherInstanceIsNeverOverwritten() async throws {
        let memory = MemoryStore()
        let held = HeldStore(memory)
        let first = try Demo.switchboard(held)
        let second = try Demo.switchboard(memory)
        let resident = "+12175550177"
        let report = Task { try await first.receive(sms(resident, "there is a pothole on Oak St", id: "SMa")) }
        await held.waitUntilHeld()
        let stop = try await second.receive(sms(resident, "STOP", id: "SMb"))
        #expect(stop.events.contains(.optedOut))
        held.release()
        let redone = try await report.value
        #expect(held.contextReads == 2, "the report's turn was read again after the STOP committed")
        #expect(await memory.session(for: ChannelAddress(channel: .sms, address: resident))?.optedOut == true)
        // The same message from a resident who had opted out, on a store of its own: the same answer.
        let reference = MemoryStore()
        let alone = try Demo.switchboard(reference)
        _ = try await alone.receive(sms(resident, "STOP", id: "SMb"))
        let expected = try await alone.receive(sms(resident, "there is a pothole on Oak St", id: "SMa"))
        #expect(redone.replies.map(\.body) == expected.replies.map(\.body))
        #expect(redone.events == expected.events)
        #expect(await memory.inbound.map(\.externalID) == ["SMb", "SMa"])
    }
}
