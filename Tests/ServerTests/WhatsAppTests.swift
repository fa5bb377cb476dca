import ChannelChatApps
import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import Hummingbird
import Storage
import StorageSQLite
import Testing
import Transport
import WebAPI
import Messaging
import Localization

/// WhatsApp Cloud API, end to end: the real application on loopback, a fake Cloud API of the test's own.
@Suite(.serialized) struct WhatsAppTests {
    static let secret = "app-secret"
    static let signer = WhatsAppSignature(appSecret: secret)
    static let resident = "12175550142"

    /// The application with WhatsApp credentials pointing at `api`, dispatching for real.
    static func running(api: String, clock: ShiftableClock = ShiftableClock(),
                        _ body: (_ base: String, _ store: SQLiteStore, _ configuration: AppConfiguration) async throws -> Void) async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/wa.sqlite")
        var configuration = try AppConfiguration.testing(store: .sqlite(store), environment: [
            "WHATSAPP_VERIFY_TOKEN": "verify-me", "WHATSAPP_APP_SECRET": secret, "WHATSAPP_ACCESS_TOKEN": "wa-access",
            "WHATSAPP_PHONE_NUMBER_ID": "1234567890", "WHATSAPP_API_BASE": api,
        ], clock: clock.now)
        configuration.runsBackgroundWork = true
        try await withRunningApplication(configuration) { port in
            try await body("http://127.0.0.1:\(port)", store, configuration)
        }
    }

    /// A webhook body with one message from the resident.
    static func notification(id: String, from: String = resident, _ message: String) -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"12175550311","phone_number_id":"1234567890"},"contacts":[{"profile":{"name":"Maria"},"wa_id":"\#(from)"}],"messages":[{"from":"\#(from)","id":"\#(id)","timestamp":"1732377600",\#(message)}]}}]}]}"#
    }

    static func text(_ id: String, _ text: String) -> String {
        let escaped = String(data: try! JSONEncoder().encode(text), encoding: .utf8)!
        return notification(id: id, #""type":"text","text":{"body":\#(escaped)}"#)
    }

    /// POSTs a signed notification (or one signed with `signature`).
    static func post(_ base: String, _ body: String, signature: String? = nil) async throws -> (UInt, String) {
        try await ChatAppClient.post(base + "/webhooks/whatsapp", body,
                                     headers: [("X-Hub-Signature-256", signature ?? signer.header(for: Array(body.utf8)))])
    }

    @Test func theVerificationHandshakeEchoesTheChallengeOnlyForTheRightToken() async throws {
        try await Self.running(api: "http://127.0.0.1:9") { base, _, _ in
            let ok = try await ChatAppClient.get(base + "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444")
            #expect(ok.0 == 200 && ok.1 == "1158201444")
            let wrong = try await ChatAppClient.get(base + "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444")
            #expect(wrong.0 == 403 && !wrong.1.contains("1158201444"))
            let mode = try await ChatAppClient.get(base + "/webhooks/whatsapp?hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1")
            #expect(mode.0 == 403)
        }
    }

    @Test func aBadSignatureOrAMalformedBodyIsRefusedAndStoresNothing() async throws {
        try await Self.running(api: "http://127.0.0.1:9") { base, store, _ in
            let body = Self.text("wamid.BAD1", "pothole at 1423 Oak St")
            let forged = try await Self.post(base, body, signature: WhatsAppSignature(appSecret: "guess").header(for: Array(body.utf8)))
            #expect(forged.0 == 403)
            let unsigned = try await ChatAppClient.post(base + "/webhooks/whatsapp", body)
            #expect(unsigned.0 == 403)
            // Signed, but the signature of other bytes (the same JSON re-spaced).
            let respaced = try await Self.post(base, body.replacingOccurrences(of: ",", with: ", "), signature: Self.signer.header(for: Array(body.utf8)))
            #expect(respaced.0 == 403)
            for malformed in ["{not json", #"{"object":"whatsapp_business_account"}"#,
                              Self.notification(id: "wamid.BAD2", #""type":"location","location":{"latitude":"north"}"#),
                              Self.notification(id: "wamid.BAD3", from: "+1 217", #""type":"text","text":{"body":"hi"}"#)] {
                let (status, answer) = try await Self.post(base, malformed)
                #expect(status == 400, "\(malformed): \(answer)")
            }
            let address = ChannelAddress(channel: .whatsapp, address: Self.resident)
            #expect(try await store.session(for: address) == nil)
            #expect(try await store.transcript(of: address, since: .distantPast, limit: 10).isEmpty)
            #expect(try await store.outboxCounts().values.reduce(0, +) == 0)
        }
    }

    /// Text → "where?" answered by a location pin → sizes as a list, picked → position, picked → a photo → yes:
    /// one ticket with the pin's point and the photo, every reply through the Cloud API, the choices tappable.
    @Test func aWholeReportWithAPinAPhotoAndTappedChoices() async throws {
        let api = FakeChatAppAPI()
        try await withLoopbackServer(api.router()) { apiBase in
            try await Self.running(api: apiBase) { base, store, _ in
                let steps = [
                    Self.text("wamid.R1", "There's a huge pothole"),
                    Self.notification(id: "wamid.R2", #""type":"location","location":{"latitude":39.766609,"longitude":-89.678065,"name":"Home"}"#),
                    Self.notification(id: "wamid.R3", #""type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"3","title":"Bigger than a car tire"}}"#),
                    Self.notification(id: "wamid.R4", #""type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"1","title":"In a traffic lane"}}"#),
                    Self.notification(id: "wamid.R5", #""type":"image","image":{"id":"MEDIA77","mime_type":"image/png","sha256":"x"}"#),
                    Self.text("wamid.R6", "yes"),
                ]
                for (index, step) in steps.enumerated() {
                    let (status, answer) = try await Self.post(base, step)
                    #expect(status == 200, "\(answer)")
                    _ = try await api.waitFor(index + 1) // the conversation goes at the resident's pace
                }
                let sent = try await api.waitFor(6)
                #expect(sent.count == 6)
                #expect(sent.allSatisfy { $0.path == "/v21.0/1234567890/messages" && $0.json["to"] as? String == Self.resident })
                #expect(sent[0].text == "Pothole: got it. Where is it? Send an address, cross streets like \"Oak and 5th\", or a map link.")
                // The size question: four choices, longer than a button's 20 characters → a list, ids the choices' numbers.
                let list = try #require(sent[1].json["interactive"] as? [String: Any])
                #expect(list["type"] as? String == "list")
                let action = try #require(list["action"] as? [String: Any])
                #expect(action["button"] as? String == "Choose")
                let rows = try #require(((action["sections"] as? [[String: Any]])?.first?["rows"]) as? [[String: Any]])
                #expect(rows.map { $0["id"] as? String } == ["1", "2", "3", "4"])
                #expect(rows.allSatisfy { ($0["title"] as? String ?? "").count <= 24 })
                #expect(rows[0]["description"] as? String == "Smaller than a dinner plate")
                let prompt = (list["body"] as? [String: Any])?["text"] as? String ?? ""
                #expect(prompt.hasPrefix("About how big is it?"), "\(prompt)")
                #expect(sent[5].text.hasPrefix("Thank you! Your report is in."))

                let ticket = try #require(try await store.tickets(TicketFilter()).first)
                #expect(ticket.draft.serviceCode == "pothole" && ticket.reporter == ChannelAddress(channel: .whatsapp, address: Self.resident))
                let point = try #require(ticket.draft.location?.coordinate)
                #expect(abs(point.latitude - 39.766609) < 0.0001 && abs(point.longitude + 89.678065) < 0.0001)
                #expect(ticket.draft.attributes.map(\.code) == ["size", "position"])
                #expect(ticket.draft.media.count == 1 && ticket.draft.media[0].url.hasPrefix("cityline-photo:"), "\(ticket.draft.media)")
            }
        }
    }

    /// Three short choices go as reply buttons; a sticker is answered with a helpful text; a redelivered message
    /// (the same wamid) changes nothing.
    @Test func buttonsStickersAndRedelivery() async throws {
        let api = FakeChatAppAPI()
        try await withLoopbackServer(api.router()) { apiBase in
            try await Self.running(api: apiBase) { base, store, _ in
                let address = ChannelAddress(channel: .whatsapp, address: Self.resident)
                let sticker = Self.notification(id: "wamid.S1", #""type":"sticker","sticker":{"id":"ST1","mime_type":"image/webp"}"#)
                do {
                    let status = try await Self.post(base, sticker).0
                    #expect(status == 200)
                }
                let first = try await api.waitFor(1)
                #expect(first[0].text.hasPrefix("Sorry, I can't read this kind of message."))
                do {
                    let status = try await Self.post(base, sticker).0
                    #expect(status == 200, "redelivered")
                }
                do {
                    let status = try await Self.post(base, Self.text("wamid.S2", "graffiti on the wall at 220 Walnut St")).0
                    #expect(status == 200)
                }
                let lines = try await store.transcript(of: address, since: .distantPast, limit: 50)
                do {
                    let status = try await Self.post(base, Self.text("wamid.S2", "graffiti on the wall at 220 Walnut St")).0
                    #expect(status == 200, "redelivered")
                }
                #expect(try await store.transcript(of: address, since: .distantPast, limit: 50).count == lines.count, "nothing new stored")
                #expect(lines.filter { $0.from == .resident }.count == 2)
                #expect(try await store.outboxCounts().values.reduce(0, +) == 2, "one answer each, none for the redeliveries")
                _ = try await api.waitFor(2)
                // "Is it hateful or offensive?" after the surface: two choices of a few letters → reply buttons.
                #expect(try await Self.post(base, Self.notification(id: "wamid.S3",
                    #""type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"1","title":"A building or wall"}}"#)).0 == 200)
                let sent = try await api.waitFor(3)
                let interactive = try #require(sent[2].json["interactive"] as? [String: Any])
                #expect(interactive["type"] as? String == "button")
                let buttons = try #require((interactive["action"] as? [String: Any])?["buttons"] as? [[String: Any]])
                #expect(buttons.compactMap { ($0["reply"] as? [String: Any])?["id"] as? String } == ["1", "2"])
                #expect(buttons.compactMap { ($0["reply"] as? [String: Any])?["title"] as? String } == ["Yes", "No"])
            }
        }
    }

    /// A status update days after the resident last wrote goes as the city's template, in their language; the
    /// Cloud API's statuses for it are kept, forward only.
    @Test func anUpdateOutsideTheWindowGoesAsATemplateAndItsStatusesAreRecorded() async throws {
        let api = FakeChatAppAPI()
        let clock = ShiftableClock()
        try await withLoopbackServer(api.router()) { apiBase in
            try await Self.running(api: apiBase, clock: clock) { base, store, _ in
                for (index, text) in ["Hay un bache enorme en la calle Oak 1423", "3", "1", "omitir", "sí"].enumerated() {
                    do {
                        let status = try await Self.post(base, Self.text("wamid.T\(index)", text)).0
                        #expect(status == 200)
                    }
                    _ = try await api.waitFor(index + 1)
                }
                let ticket = try #require(try await store.tickets(TicketFilter()).first)
                let admin = "admin-token"
                _ = try await store.createToken(hash: StaffTokenHash.hash(admin), role: .admin, department: nil, label: nil, at: clock.now())
                clock.advance(days: 2)
                let (status, answer) = try await ChatAppClient.patch(base + "/api/v1/tickets/\(ticket.trackingNumber.digits)",
                                                                     #"{"status": "in_progress", "status_note_key": "scheduled"}"#, token: admin)
                #expect(status == 200, "\(answer)")
                let sent = try await api.waitFor(6)
                let update = try #require(sent.count == 6 ? sent[5].json : nil)
                #expect(update["type"] as? String == "template")
                let template = try #require(update["template"] as? [String: Any])
                #expect(template["name"] as? String == "cityline_status_update")
                #expect((template["language"] as? [String: Any])?["code"] as? String == "es")
                let parameter = (((template["components"] as? [[String: Any]])?.first?["parameters"]) as? [[String: Any]])?.first
                let words = parameter?["text"] as? String ?? ""
                #expect(words.contains(ticket.trackingNumber.digits) && !words.contains("\n"), "\(words)")

                // The fake API has seen the send; the dispatcher records its message id just after. Statuses for an
                // id not recorded yet are ignored (a message we never sent), so wait for it.
                #expect(try await eventually {
                    try await store.outboxEntries(state: .sent, limit: 20).contains { $0.providerID == "wamid.OUT6" }
                }, "the update's message id is recorded")
                // Statuses: delivered, then a late "sent", then read; and one for a message we never sent.
                for (index, state) in ["delivered", "sent", "read"].enumerated() {
                    let body = #"{"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"1234567890"},"statuses":[{"id":"wamid.OUT6","status":"\#(state)","timestamp":"\#(1732377600 + index)","recipient_id":"\#(Self.resident)"},{"id":"wamid.ELSEWHERE","status":"failed","timestamp":"1","recipient_id":"1","errors":[{"code":131026}]}]}}]}]}"#
                    do {
                        let status = try await Self.post(base, body).0
                        #expect(status == 200)
                    }
                    let entry = try await store.outboxEntries(state: .sent, limit: 20).first { $0.providerID == "wamid.OUT6" }
                    #expect(entry?.deliveryStatus == (index == 1 ? "delivered" : state), "after \(state)")
                }
            }
        }
    }

    /// Outside the window with no template for the kind (an operator's reply in Vietnamese): dead-lettered saying
    /// which template to configure, nothing sent.
    @Test func withoutATemplateAMessageOutsideTheWindowIsDeadLetteredWithTheReason() throws {
        let entry = OutboxEntry(id: 7, message: RenderedMessage(to: ChannelAddress(channel: .whatsapp, address: Self.resident), body: "Xin chào",
                                                                locale: LanguageTag("vi"), kind: .operatorReply),
                                createdAt: Date(), dueAt: Date())
        let templates = try Demo.city.whatsappTemplates
        do {
            _ = try WhatsAppTransport.body(for: entry, lastInbound: Date().addingTimeInterval(-25 * 3_600), at: Date(), templates: templates,
                                           listButton: "Chọn")
            Issue.record("a message outside the window without a template was sent")
        } catch let error as TransportError {
            #expect(error.kind == .permanent && error.message.contains("whatsapp.templates.operator_reply.vi"), "\(error.message)")
        }
        let inside = try WhatsAppTransport.body(for: entry, lastInbound: Date().addingTimeInterval(-3_600), at: Date(), templates: templates,
                                                listButton: "Chọn")
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(inside)) as? [String: Any])
        #expect(json["type"] as? String == "text")
    }
}
