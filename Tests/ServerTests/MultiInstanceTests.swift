import AsyncHTTPClient
import ChannelSMS
import CityLineTestSupport
import CityModel
import Foundation
import Hummingbird
import NIOCore
import Storage
import StoragePostgres
import Testing
import Transport
import WebAPI

/// Three `cityline serve` processes on one PostgreSQL database, as a city runs them behind a load balancer: signed
/// webhooks for the same residents spread over them, redelivered to other instances (after the answer, and at the
/// same moment), one instance killed with SIGKILL mid-run and started again; then staff close every ticket through
/// the instances at random. Every acknowledged message is stored once, each report makes one ticket, and each
/// resident's status update reaches the carrier exactly once.
@Suite(.enabled(if: TestDatabase.server != nil, "PostgreSQL suites skipped: set CITYLINE_TEST_DATABASE_URL (bash .ci/run starts a server)"))
struct MultiInstanceTests {
    static let token = "multi-instance-token"
    static let publicURL = "https://311.springfield.example"
    /// Addresses of the demo city at least 400 m apart (no report is a duplicate of another).
    static let addresses = ["3689 10th St", "4504 10th St", "2904 12th St", "4215 12th St", "3904 13th St", "7025 13th St", "7304 13th St",
                            "2304 14th St", "3204 14th St", "304 15th St", "2704 15th St", "3004 16th St", "5404 16th St", "3404 17th St",
                            "3704 17th St", "4104 17th St", "4604 17th St", "6104 17th St", "1804 18th St", "5604 18th St", "3004 19th St",
                            "4404 19th St", "2704 1st St", "4504 1st St"]

    /// A Twilio-compatible API on loopback: records each message and answers with a new message SID.
    final class Carrier: Sendable {
        let sent = Locked<[(to: String, body: String)]>([])

        func router() -> Router<BasicRequestContext> {
            let router = Router(context: BasicRequestContext.self)
            router.post("/2010-04-01/Accounts/:sid/Messages.json") { request, _ -> Response in
                var request = request
                let form = try FormBody(Array(try await request.collectBody(upTo: 1 << 16).readableBytesView))
                let fields = Dictionary(form.parameters, uniquingKeysWith: { first, _ in first })
                let count = self.sent.withLock { sent in
                    sent.append((fields["To"] ?? "", fields["Body"] ?? ""))
                    return sent.count
                }
                let json = #"{"sid": "SMcarrier\#(count)", "status": "queued"}"#
                return Response(status: .created, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
            }
            return router
        }
    }

    /// The running instances' base URLs (an entry is replaced when its process is restarted).
    final class Instances: Sendable {
        let bases: Locked<[String]>
        init(_ bases: [String]) { self.bases = Locked(bases) }
        var all: [String] { bases.withLock { $0 } }
        func set(_ index: Int, _ base: String) { bases.withLock { $0[index] = base } }
    }

    static func post(_ base: String, sid: String, from: String, body: String, signer: TwilioSignature) async -> String? {
        let form = [("MessageSid", sid), ("From", from), ("To", "+12175550311"), ("Body", body)]
        let request = CrashTests.signedWebhook(base: base, publicURL: publicURL, form: form, signer: signer)
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(20)), response.status == .ok,
              let reply = try? await response.body.collect(upTo: 1 << 16) else { return nil }
        return String(buffer: reply)
    }

    /// Sends one message as a carrier does: to some instance, and to the next one while none answers (the killed
    /// one refuses connections); returns the reply and the instance that gave it.
    static func deliver(sid: String, from: String, body: String, first: Int, instances: Instances, signer: TwilioSignature) async throws
        -> (reply: String, instance: Int) {
        for attempt in 0..<60 {
            let bases = instances.all
            let index = (first + attempt) % bases.count
            if let reply = await post(bases[index], sid: sid, from: from, body: body, signer: signer) { return (reply, index) }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CrashTests.CrashTestError(description: "no instance acknowledged \(sid)")
    }

    @Test func threeInstancesOneDatabaseNothingLostNothingDoubled() async throws {
        let url = try TestDatabase.database()
        let carrier = Carrier()
        try await withLoopbackServer(carrier.router()) { carrierBase in
            let environment = [
                "CITYLINE_DATABASE_URL": url.description,
                "TWILIO_ACCOUNT_SID": "AC0123", "TWILIO_FROM": "+12175550311", "TWILIO_API_BASE": carrierBase,
                "TWILIO_SEGMENTS_PER_SECOND": "200",
                // Updates go out whatever the time of day the test runs; no survey questions to count.
                "CITYLINE_QUIET_HOURS_START": "00:00", "CITYLINE_QUIET_HOURS_END": "00:00", "CITYLINE_SURVEYS_DELAY": "30d",
            ]
            func start() async throws -> (Process, String) {
                try await CrashTests.startServer(dataDirectory: try temporaryDirectory(), token: Self.token, publicURL: Self.publicURL,
                                           extra: environment)
            }
            var processes: [Process] = []
            var bases: [String] = []
            for _ in 0..<3 {
                let (process, base) = try await start()
                processes.append(process)
                bases.append(base)
            }
            let running = Locked(processes)
            defer { for process in running.withLock({ $0 }) where process.isRunning { process.terminate() } }
            let instances = Instances(bases)
            let signer = TwilioSignature(authToken: Self.token)
            let acknowledged = Locked<Int>(0)
            let script = ["skip", "skip", "skip", "yes"]

            // Phase 1: 24 residents report at once; a third of their messages are redelivered to another instance
            // after the answer, a tenth to two instances at the same moment.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (resident, address) in Self.addresses.enumerated() {
                    group.addTask {
                        let phone = "+1217555\(String(format: "%04d", 7_000 + resident))"
                        for (turn, text) in (["pothole at \(address)"] + script).enumerated() {
                            let sid = "SMmulti\(resident)x\(turn)"
                            let first = Int.random(in: 0..<3)
                            let reply: String
                            if Int.random(in: 0..<10) == 0 {
                                async let one = Self.deliver(sid: sid, from: phone, body: text, first: first, instances: instances, signer: signer)
                                async let two = Self.deliver(sid: sid, from: phone, body: text, first: first + 1, instances: instances, signer: signer)
                                let (a, b) = try await (one, two)
                                #expect(a.reply == b.reply, "\(sid): two instances answered differently at once")
                                reply = a.reply
                            } else {
                                let answer = try await Self.deliver(sid: sid, from: phone, body: text, first: first, instances: instances, signer: signer)
                                reply = answer.reply
                                if Int.random(in: 0..<3) == 0 {
                                    let again = try await Self.deliver(sid: sid, from: phone, body: text, first: answer.instance + 1,
                                                                       instances: instances, signer: signer)
                                    #expect(again.reply == reply, "\(sid): the redelivery was answered differently")
                                }
                            }
                            acknowledged.withLock { $0 += 1 }
                            if turn == script.count { #expect(reply.contains("Tracking number"), "\(sid): \(reply)") }
                        }
                    }
                }
                // Kill one instance without warning once a good number of messages went through, then start it again.
                group.addTask {
                    while acknowledged.withLock({ $0 }) < 40 { try await Task.sleep(for: .milliseconds(5)) }
                    let victim = running.withLock { $0[1] }
                    kill(victim.processIdentifier, SIGKILL)
                    await victim.exited()
                    try await Task.sleep(for: .milliseconds(500))
                    let (process, base) = try await start()
                    running.withLock { $0[1] = process }
                    instances.set(1, base)
                }
                try await group.waitForAll()
            }
            #expect(running.withLock { $0[1].isRunning })

            let store = try await PostgresStore(url: url, maximumConnections: 2, leaseTimeout: .seconds(120))
            let messages = Self.addresses.count * (script.count + 1)
            for resident in Self.addresses.indices {
                for turn in 0...script.count {
                    #expect(try await store.hasInbound(externalID: "SMmulti\(resident)x\(turn)", channel: .sms), "lost SMmulti\(resident)x\(turn)")
                }
            }
            let inbound = try await store.count("messages", where: "direction = 'in'")
            #expect(inbound == messages, "each message stored once")
            #expect(try await store.count("tickets") == Self.addresses.count)
            var numbers: [TrackingNumber] = []
            for resident in Self.addresses.indices {
                let tickets = try await store.tickets(reportedBy: ChannelAddress(channel: .sms, address: "+1217555\(String(format: "%04d", 7_000 + resident))"))
                #expect(tickets.count == 1)
                numbers += tickets.map(\.trackingNumber)
            }

            // Phase 2: staff close every ticket through the instances at random (a third of the requests repeated on
            // another instance); each resident hears about it exactly once.
            let secret = "clt_multi_instance_admin"
            _ = try await store.createToken(hash: StaffTokenHash.hash(secret), role: .admin, department: nil, label: "test", at: Date())
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, number) in numbers.enumerated() {
                    group.addTask {
                        let bases = instances.all
                        for repeatIndex in 0..<(index % 3 == 0 ? 2 : 1) {
                            var request = HTTPClientRequest(url: bases[(index + repeatIndex) % bases.count] + "/api/v1/tickets/\(number.digits)")
                            request.method = .PATCH
                            request.headers.add(name: "Authorization", value: "Bearer \(secret)")
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.body = .bytes(ByteBuffer(string: #"{"status": "closed", "resolution": "fixed", "status_note": "Filled today."}"#))
                            // As a client should: a 503 (the instance found no free connection in time) is tried again.
                            var response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
                            for _ in 0..<20 where response.status == .serviceUnavailable {
                                try await Task.sleep(for: .seconds(1))
                                response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
                            }
                            #expect(response.status == .ok)
                        }
                    }
                }
                try await group.waitForAll()
            }
            // Every update is queued by the closing request itself or by a job; wait until all are sent.
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                let backlog = try await store.backlog(at: Date().addingTimeInterval(1))
                let unfinished = try await store.outboxUnfinished()
                let updates = carrier.sent.withLock { $0.count }
                if backlog == (0, 0) && unfinished == 0 && updates >= numbers.count { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let sent = carrier.sent.withLock { $0 }
            for (resident, number) in numbers.enumerated() {
                let phone = "+1217555\(String(format: "%04d", 7_000 + resident))"
                let updates = sent.filter { $0.to == phone && $0.body.contains(number.digits) }
                #expect(updates.count == 1, "\(number.digits): \(updates.count) status updates reached the carrier")
            }
            let texts = try await store.outboxEntries(state: .sent, limit: 10_000).filter { $0.message.to.channel == .sms }
            #expect(texts.count == sent.count, "every message the carrier got is one sent outbox entry")
            #expect(try await store.outboxCounts()[.pending] == nil)
            #expect(Set(sent.map { "\($0.to) \($0.body)" }).count == sent.count, "a message reached the carrier twice")
            await store.close()
        }
    }
}
