import ChannelSMS
import CityLineApp
import CityLineTestSupport
import CityModel
import Conversation
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Localization
import Messaging
import NIOCore
import Storage
import StorageSQLite
import Switchboard
import Testing
import Transport
import WebAPI

/// Human handoff through the switchboard and the operator desk, on both stores: a resident who asks for a person
/// is queued, what they write reaches the operator (not the bot), the operator's replies reach them through the
/// outbox, and closing hands them back to the bot.
@Suite struct HandoffTests {
    static let maria = ChannelAddress(channel: .sms, address: "+12175550142")

    struct Harness {
        let store: any StoreKind.AllPorts
        let switchboard: Switchboard
        let desk: OperatorDesk
        let clock: Clock

        func say(_ text: String, after seconds: TimeInterval = 60) async throws -> Switchboard.Outcome {
            let at = clock.advance(seconds)
            return try await switchboard.receive(InboundMessage(from: HandoffTests.maria, text: text, externalID: UUID().uuidString,
                                                                receivedAt: at))
        }

        func open() async throws -> Handoff? { try await store.openHandoff(for: HandoffTests.maria) }
        func outbox() async throws -> [OutboxEntry] { try await outboxEntries(store) }
    }

    /// The test's time, moved on by hand.
    final class Clock: Sendable {
        private let now = Locked(t0)
        func advance(_ seconds: TimeInterval) -> Date { now.withLock { $0 = $0.addingTimeInterval(seconds); return $0 } }
        var date: Date { now.withLock { $0 } }
    }

    func harness(_ kind: StoreKind) async throws -> Harness {
        let store = try await kind.make()
        let switchboard = try Demo.switchboard(store)
        let clock = Clock()
        return Harness(store: store, switchboard: switchboard, desk: OperatorDesk(switchboard: switchboard, store: store, clock: { clock.date }),
                       clock: clock)
    }

    static func replies(_ outcome: Switchboard.Outcome) -> [String] { outcome.replies.map(\.body) }

    @Test(arguments: StoreKind.allCases)
    func aSpanishResidentReachesAnOperatorAndComesBackToTheBot(kind: StoreKind) async throws {
        let h = try await harness(kind)
        // Asking for a person in Spanish: the operators' queue has her, in Spanish, for the city's operators.
        let asked = try await h.say("quiero hablar con una persona")
        #expect(Self.replies(asked) == ["Bien, en breve le escribe un operador del 311. Responda REINICIAR para volver al servicio automatizado."])
        let waiting = try #require(try await h.open())
        #expect(waiting.state == .waiting && waiting.locale == LanguageTag("es") && waiting.department == "customer-service")
        #expect(try await h.desk.queue(states: [.waiting], departments: ["customer-service"]).map(\.id) == [waiting.id])
        #expect(try await h.desk.queue(states: [.waiting], departments: ["streets"]).isEmpty)

        // What she writes now goes to the operator: no bot answer.
        let forwarded = try await h.say("hay un bache enorme frente a mi casa")
        #expect(forwarded.replies.isEmpty)
        #expect(forwarded.events.contains(.forwardedToAgent("hay un bache enorme frente a mi casa")))
        #expect(try await h.open()?.lastMessageAt == h.clock.date)

        // The operator answers: one outbox message on her channel, in her language, as the operator's own words.
        let replied = try await h.desk.reply(waiting.id, text: "¿En qué dirección está?", by: "Ana")
        #expect(replied.state == .active && replied.assignedTo == "Ana" && replied.firstReplyAt == h.clock.date)
        let sent = try await h.outbox()
        #expect(sent.count == 1)
        #expect(sent.first?.message.to == Self.maria && sent.first?.message.kind == .operatorReply)
        #expect(sent.first?.message.body == "Operador de Springfield 311: ¿En qué dirección está?")

        // The transcript holds all three voices, in order.
        let (_, lines, _) = try await h.desk.conversation(waiting.id)
        #expect(lines.map(\.from) == [.resident, .bot, .resident, .operator])

        // Closing hands her back to the bot, and says so in Spanish.
        _ = try await h.say("en la calle Oak 1423")
        let closed = try await h.desk.close(waiting.id, by: "Ana", text: "Gracias, lo reporto ahora.")
        #expect(closed.state == .closed && closed.closedBy == "Ana")
        let after = try await h.outbox()
        #expect(after.count == 3)
        #expect(after[1].message.body == "Operador de Springfield 311: Gracias, lo reporto ahora.")
        #expect(after[2].message.body.hasPrefix("Terminó su conversación con un operador de Springfield 311."))
        #expect(try await h.store.session(for: Self.maria)?.state == .idle)
        #expect(try await h.open() == nil)
        let bot = try await h.say("hay un bache en 1423 Oak St")
        #expect(!bot.replies.isEmpty && !bot.events.contains { if case .forwardedToAgent = $0 { true } else { false } })

        // A closed conversation takes no more replies, and nothing is sent.
        await #expect(throws: OperatorDesk.Problem.closed) { try await h.desk.reply(waiting.id, text: "¿Sigue ahí?", by: "Ana") }
        await #expect(throws: OperatorDesk.Problem.closed) { try await h.desk.close(waiting.id, by: "Ana") }
        #expect(try await h.outbox().count == 3)
    }

    @Test(arguments: StoreKind.allCases)
    func stopTakesTheResidentOutOfTheQueueAndNothingMoreIsSent(kind: StoreKind) async throws {
        let h = try await harness(kind)
        _ = try await h.say("AGENT")
        let handoff = try #require(try await h.open())
        _ = try await h.say("STOP")
        let closed = try #require(try await h.store.handoff(handoff.id))
        #expect(closed.state == .closed && closed.closedBy == "resident")
        await #expect(throws: OperatorDesk.Problem.closed) { try await h.desk.reply(handoff.id, text: "Hello?", by: "Ana") }
        #expect(try await h.outbox().isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func restartGoesBackToTheBot(kind: StoreKind) async throws {
        let h = try await harness(kind)
        _ = try await h.say("0")
        let handoff = try #require(try await h.open())
        let restarted = try await h.say("RESTART")
        #expect(!restarted.replies.isEmpty)
        #expect(try await h.store.handoff(handoff.id)?.closedBy == "resident")
        #expect(try await h.store.session(for: Self.maria)?.state == .idle)
    }

    @Test(arguments: StoreKind.allCases)
    func aWaitingResidentIsNeverTimedOutOfTheQueue(kind: StoreKind) async throws {
        let h = try await harness(kind)
        _ = try await h.say("I want to talk to a person")
        let handoff = try #require(try await h.open())
        // Three days later (longer than any session expiry), what she writes still reaches the queue, silently.
        let later = try await h.say("hello? is anyone there?", after: 3 * 86_400)
        #expect(later.replies.isEmpty)
        #expect(try await h.open()?.id == handoff.id)
        // Asking again does not queue her twice.
        _ = try await h.say("AGENT")
        #expect(try await h.desk.queue(states: nil, departments: nil).count == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func emergenciesAreAnsweredAtOnceWhileWaitingForAPerson(kind: StoreKind) async throws {
        let h = try await harness(kind)
        _ = try await h.say("AGENT")
        let emergency = try await h.say("my neighbor collapsed and isn't breathing")
        #expect(emergency.replies.contains { $0.kind == .emergency && $0.body.contains("911") })
        // The operator still has her, and sees what she wrote.
        let open = try #require(try await h.open())
        let (_, lines, _) = try await h.desk.conversation(open.id)
        #expect(lines.contains { $0.from == .resident && $0.text.contains("collapsed") })
    }

    @Test(arguments: StoreKind.allCases)
    func anOperatorFilesAReportForTheResident(kind: StoreKind) async throws {
        let h = try await harness(kind)
        _ = try await h.say("necesito hablar con alguien")
        let handoff = try #require(try await h.open())
        let pothole = try #require(try Demo.city.service("pothole"))
        let (ticket, created) = try await h.desk.file(handoff.id, service: pothole, description: "bache profundo",
                                                      location: Location(kind: .address, text: "1423 Oak St"), by: "staff:2", idempotencyKey: "k1")
        #expect(created && ticket.reporter == Self.maria && ticket.draft.locale == LanguageTag("es") && ticket.department == "streets")
        // A retry with the same key files nothing more; the resident's acknowledgement is scheduled once.
        let (again, createdAgain) = try await h.desk.file(handoff.id, service: pothole, description: "bache profundo",
                                                          location: Location(kind: .address, text: "1423 Oak St"), by: "staff:2", idempotencyKey: "k1")
        #expect(!createdAgain && again.trackingNumber == ticket.trackingNumber)
        #expect(try await h.store.tickets(reportedBy: Self.maria).count == 1)
        _ = try await h.desk.close(handoff.id, by: "Ana")
        await #expect(throws: OperatorDesk.Problem.closed) {
            try await h.desk.file(handoff.id, service: pothole, description: "otro", location: nil, by: "staff:2", idempotencyKey: nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func operatorsSeeConversationsInTheirLanguagesFirstAndEveryoneSeesAll(kind: StoreKind) async throws {
        let h = try await harness(kind)
        _ = try await h.say("quiero hablar con una persona")
        _ = try await h.switchboard.receive(InboundMessage(from: ChannelAddress(channel: .sms, address: "+12175550199"),
                                                           text: "أريد التحدث مع موظف", receivedAt: h.clock.advance(60)))
        let arabic = try await h.store.createToken(hash: "a", role: .staff, department: "customer-service", label: "Huda",
                                                   languages: [LanguageTag("ar")], at: t0)
        let anyone = try await h.store.createToken(hash: "b", role: .staff, department: "customer-service", label: "Sam", at: t0)
        let streets = try await h.store.createToken(hash: "c", role: .staff, department: "streets", label: "Lee", at: t0)
        #expect(try await h.desk.queue(for: arabic, states: [.waiting]).map { $0.locale?.code } == ["ar", "es"])
        #expect(try await h.desk.queue(for: anyone, states: [.waiting]).map { $0.locale?.code } == ["es", "ar"])
        #expect(try await h.desk.queue(for: streets, states: [.waiting]).isEmpty)
        #expect(try await h.store.token(hash: "a")?.languages == [LanguageTag("ar")])
    }

    @Test(arguments: StoreKind.allCases)
    func theReportInProgressGoesToTheOperator(kind: StoreKind) async throws {
        let h = try await harness(kind)
        _ = try await h.say("there's a big pothole at 1423 Oak St")
        let asked = try await h.say("AGENT")
        #expect(asked.events.contains { if case .reportHandedOver = $0 { true } else { false } })
        let report = try #require(try await h.open()?.report)
        #expect(report.serviceCode == "pothole" && report.location?.text == "1423 Oak St")
        #expect(report.description == ["there's a big pothole at 1423 Oak St"])
    }

    @Test(arguments: StoreKind.allCases)
    func transferPutsTheConversationInAnotherDepartmentsQueue(kind: StoreKind) async throws {
        let h = try await harness(kind)
        _ = try await h.say("AGENT")
        let handoff = try #require(try await h.open())
        _ = try await h.desk.reply(handoff.id, text: "Let me pass you to Streets.", by: "Ana")
        try await h.desk.addNote(handoff.id, text: "Probably a water main, not a pothole.", by: "Ana")
        #expect(try await h.desk.notes(handoff.id).map(\.text) == ["Probably a water main, not a pothole."])
        let moved = try await h.desk.transfer(handoff.id, to: "streets")
        #expect(moved.department == "streets" && moved.state == .waiting && moved.assignedTo == nil)
        await #expect(throws: OperatorDesk.Problem.unknownDepartment) { try await h.desk.transfer(handoff.id, to: "nowhere") }
        await #expect(throws: OperatorDesk.Problem.emptyText) { try await h.desk.reply(handoff.id, text: "  \n", by: "Ana") }
        await #expect(throws: OperatorDesk.Problem.notFound) { try await h.desk.reply(9_999, text: "hi", by: "Ana") }
        #expect(try await h.outbox().count == 1)
    }
}

/// `/api/v1/conversations` over HTTP, with an SMS resident on the real webhook.
@Suite struct ConversationsAPITests {
    static func form(_ sid: String, _ body: String) -> String {
        FormBody.encode([("MessageSid", sid), ("From", "+12175550142"), ("To", "+12175550311"), ("Body", body), ("NumMedia", "0")])
    }

    @Test func operatorsSeeAnswerAndCloseTheirDepartmentsConversations() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        for (secret, role, department) in [("admin", StaffRole.admin, nil), ("ops", .staff, "customer-service"),
                                           ("streets", .staff, "streets")] as [(String, StaffRole, String?)] {
            _ = try await store.createToken(hash: StaffTokenHash.hash(secret), role: role, department: department, label: nil, at: t0)
        }
        let app = try await buildApplication(try .testing(store: .sqlite(store), clock: { t0.addingTimeInterval(60) }))
        let auth = StaffAPITests.auth
        let json = StaffAPITests.json
        try await app.test(.live) { client in
            let sms: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            for (sid, text) in [("SM1", "necesito hablar con alguien"), ("SM2", "un árbol cayó sobre la calle")] {
                try await client.execute(uri: "/webhooks/twilio/sms", method: .post, headers: sms, body: ByteBuffer(string: Self.form(sid, text))) {
                    #expect($0.status == .ok)
                }
            }
            var id = ""
            try await client.execute(uri: "/api/v1/conversations?state=waiting", method: .get, headers: auth("ops")) { response in
                let rows = json(response)["conversations"] as? [[String: Any]] ?? []
                #expect(rows.count == 1)
                #expect(rows.first?["channel"] as? String == "sms" && rows.first?["locale"] as? String == "es")
                #expect(rows.first?["address"] as? String == "sms:…42")
                id = rows.first?["id"] as? String ?? ""
            }
            // Another department sees nothing and may not open it; unknown ids are 404; no token is 401.
            try await client.execute(uri: "/api/v1/conversations", method: .get, headers: auth("streets")) { response in
                #expect((json(response)["conversations"] as? [Any])?.isEmpty == true)
            }
            for (token, path, status) in [("streets", "/api/v1/conversations/\(id)", HTTPResponse.Status.forbidden),
                                          ("ops", "/api/v1/conversations/999", .notFound), ("ops", "/api/v1/conversations/x", .notFound),
                                          ("admin", "/api/v1/conversations/\(id)", .ok), ("ops", "/api/v1/conversations?state=bogus", .badRequest)] {
                try await client.execute(uri: path, method: .get, headers: auth(token)) { #expect($0.status == status, "\(token) \(path)") }
            }
            try await client.execute(uri: "/api/v1/conversations", method: .get, headers: auth(nil)) { #expect($0.status == .unauthorized) }

            // The conversation so far, both ways.
            try await client.execute(uri: "/api/v1/conversations/\(id)", method: .get, headers: auth("ops")) { response in
                let messages = json(response)["messages"] as? [[String: Any]] ?? []
                #expect(messages.map { $0["from"] as? String } == ["resident", "bot", "resident"])
                #expect(messages.last?["text"] as? String == "un árbol cayó sobre la calle")
            }
            // Bad replies change nothing: empty text, not JSON, another department's token.
            let before = try await outboxEntries(store).count
            for (token, body, status) in [("ops", #"{"text": "  "}"#, HTTPResponse.Status.badRequest), ("ops", "not json", .badRequest),
                                          ("ops", #"{"text": 5}"#, .badRequest), ("streets", #"{"text": "hi"}"#, .forbidden)] {
                try await client.execute(uri: "/api/v1/conversations/\(id)/messages", method: .post, headers: auth(token),
                                         body: ByteBuffer(string: body)) { #expect($0.status == status, "\(body)") }
            }
            #expect(try await outboxEntries(store).count == before)

            // A reply goes to the resident's outbox as the operator's words.
            try await client.execute(uri: "/api/v1/conversations/\(id)/messages", method: .post, headers: auth("ops"),
                                     body: ByteBuffer(string: #"{"text": "Enviamos una cuadrilla. ¿Hay alguien herido?"}"#)) { response in
                #expect(response.status == .created)
                #expect(json(response)["state"] as? String == "active")
            }
            let replies = try await outboxEntries(store).filter { $0.message.kind == .operatorReply }
            #expect(replies.map(\.message.body) == ["Operador de Springfield 311: Enviamos una cuadrilla. ¿Hay alguien herido?"])
            #expect(replies.first?.message.to.address == "+12175550142")

            // Filing her report: an operator may file for any department; bad input is 400 and files nothing.
            for (body, status) in [(#"{"service_code": "nope", "description": "x", "address": "1 Oak St"}"#, HTTPResponse.Status.badRequest),
                                   (#"{"service_code": "pothole", "description": "", "address": "1 Oak St"}"#, .badRequest),
                                   (#"{"service_code": "pothole", "description": "árbol", "phone": "+1"}"#, .badRequest),
                                   (#"{"service_code": "pothole", "description": "bache", "address": "1423 Oak St"}"#, .created)] {
                try await client.execute(uri: "/api/v1/conversations/\(id)/tickets", method: .post, headers: auth("ops"),
                                         body: ByteBuffer(string: body)) { response in
                    #expect(response.status == status, "\(body)")
                    if status == .created { #expect(json(response)["department"] as? String == "streets") }
                }
            }
            #expect(try await store.tickets(reportedBy: ChannelAddress(channel: .sms, address: "+12175550142")).count == 1)

            // Closing hands the resident back; a reply after that is 409 and sends nothing.
            try await client.execute(uri: "/api/v1/conversations/\(id)/close", method: .post, headers: auth("ops")) { response in
                #expect(response.status == .ok && json(response)["state"] as? String == "closed")
            }
            let closedCount = try await outboxEntries(store).count
            try await client.execute(uri: "/api/v1/conversations/\(id)/messages", method: .post, headers: auth("ops"),
                                     body: ByteBuffer(string: #"{"text": "hola"}"#)) { response in
                #expect(response.status == .conflict && StaffAPITests.errorCode(response) == "closed")
            }
            #expect(try await outboxEntries(store).count == closedCount)
            try await client.execute(uri: "/api/v1/conversations?state=closed", method: .get, headers: auth("ops")) { response in
                #expect((json(response)["conversations"] as? [Any])?.count == 1)
            }
        }
    }
}

/// The console's sign-in as HTTP sees it: a signed cookie, CSRF on every change, other sites refused.
@Suite struct ConsoleSessionTests {
    @Test func cookieSessionsNeedTheirCSRFTokenAndCannotBeForged() async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/db.sqlite")
        _ = try await store.createToken(hash: StaffTokenHash.hash("ops"), role: .staff, department: "customer-service", label: "Ana", at: t0)
        let app = try await buildApplication(try .testing(store: .sqlite(store)))
        let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        try await app.test(.live) { client in
            try await client.execute(uri: "/webhooks/twilio/sms", method: .post, headers: form,
                                     body: ByteBuffer(string: ConversationsAPITests.form("SM1", "AGENT"))) { #expect($0.status == .ok) }
            // Signing in from another site, or with a wrong token, sets no cookie.
            var evil = form
            evil[.origin] = "https://evil.example"
            try await client.execute(uri: "/console/sign-in", method: .post, headers: evil, body: ByteBuffer(string: "token=ops")) { response in
                #expect(response.status == .forbidden && response.headers[.setCookie] == nil)
            }
            try await client.execute(uri: "/console/sign-in", method: .post, headers: form, body: ByteBuffer(string: "token=nope")) { response in
                #expect(response.status == .unauthorized && response.headers[.setCookie] == nil)
            }
            var cookie = ""
            try await client.execute(uri: "/console/sign-in", method: .post, headers: form, body: ByteBuffer(string: "token=ops")) { response in
                #expect(response.status == .seeOther && response.headers[.location] == "/console")
                let set = response.headers[.setCookie] ?? ""
                #expect(set.contains("HttpOnly") && set.contains("SameSite=Strict"))
                cookie = String(set.prefix { $0 != ";" })
            }
            var csrf = ""
            try await client.execute(uri: "/console", method: .get, headers: [.cookie: cookie]) { response in
                let html = String(buffer: response.body)
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                csrf = html.components(separatedBy: #"<meta name="csrf-token" content=""#).dropFirst().first?.components(separatedBy: "\"").first ?? ""
                #expect(!csrf.isEmpty && html.contains("Signed in as <strong id=\"who\">Ana</strong>"))
            }
            // Reading needs only the cookie; a change without its CSRF token is refused and sends nothing.
            var id = ""
            try await client.execute(uri: "/api/v1/conversations", method: .get, headers: [.cookie: cookie]) { response in
                id = ((StaffAPITests.json(response)["conversations"] as? [[String: Any]])?.first?["id"] as? String) ?? ""
                #expect(response.status == .ok && !id.isEmpty)
            }
            let reply = ByteBuffer(string: #"{"text": "Hello, this is Ana."}"#)
            for headers: HTTPFields in [[.cookie: cookie, .contentType: "application/json"],
                                        [.cookie: cookie, .contentType: "application/json", ConsoleSessions.csrfHeader: "wrong"]] {
                try await client.execute(uri: "/api/v1/conversations/\(id)/messages", method: .post, headers: headers, body: reply) { response in
                    #expect(response.status == .forbidden && StaffAPITests.errorCode(response) == "csrf")
                }
            }
            #expect(try await outboxEntries(store).isEmpty)
            try await client.execute(uri: "/api/v1/conversations/\(id)/messages", method: .post,
                                     headers: [.cookie: cookie, .contentType: "application/json", ConsoleSessions.csrfHeader: csrf], body: reply) {
                #expect($0.status == .created)
            }
            #expect(try await outboxEntries(store).count == 1)
            // A cookie altered by hand is no session.
            let forged = cookie.replacingOccurrences(of: "cityline_console=", with: "cityline_console=x")
            try await client.execute(uri: "/api/v1/conversations", method: .get, headers: [.cookie: forged]) { #expect($0.status == .unauthorized) }
            // Signing out needs the CSRF token too, then clears the cookie.
            try await client.execute(uri: "/console/sign-out", method: .post, headers: [.cookie: cookie] + form, body: ByteBuffer(string: "csrf=x")) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/console/sign-out", method: .post, headers: [.cookie: cookie] + form,
                                     body: ByteBuffer(string: "csrf=\(csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")) { response in
                #expect(response.status == .seeOther && response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
        }
    }
}
