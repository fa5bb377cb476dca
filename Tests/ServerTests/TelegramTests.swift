import ChannelChatApps
import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import Hummingbird
import Storage
import StorageSQLite
import Testing

/// Telegram Bot API, end to end: the real application on loopback, a fake Bot API of the test's own.
@Suite(.serialized) struct TelegramTests {
    static let secret = "telegram-secret_1"
    static let chat: Int64 = 5550142

    static func running(api: String, _ body: (_ base: String, _ store: SQLiteStore) async throws -> Void) async throws {
        let store = try SQLiteStore(path: try temporaryDirectory() + "/tg.sqlite")
        var configuration = try AppConfiguration.testing(store: .sqlite(store), environment: [
            "TELEGRAM_BOT_TOKEN": FakeChatAppAPI.botToken, "TELEGRAM_SECRET_TOKEN": secret, "TELEGRAM_API_BASE": api,
        ], clock: ShiftableClock().now)
        configuration.runsBackgroundWork = true
        try await withRunningApplication(configuration) { port in try await body("http://127.0.0.1:\(port)", store) }
    }

    /// An update with one private message from the resident (`content`: its text, location or photo fields).
    static func update(_ id: Int, language: String? = "en", _ content: String) -> String {
        let from = language.map { #","language_code":"\#($0)""# } ?? ""
        return #"{"update_id":\#(9000 + id),"message":{"message_id":\#(id),"date":1732377600,"from":{"id":\#(chat),"is_bot":false,"first_name":"María"\#(from)},"chat":{"id":\#(chat),"type":"private","first_name":"María"},\#(content)}}"#
    }

    static func text(_ id: Int, _ text: String, language: String? = "en") -> String {
        update(id, language: language, #""text":\#(String(data: try! JSONEncoder().encode(text), encoding: .utf8)!)"#)
    }

    static func post(_ base: String, _ body: String, secret: String? = TelegramTests.secret) async throws -> (UInt, String) {
        try await ChatAppClient.post(base + "/webhooks/telegram", body, headers: secret.map { [("X-Telegram-Bot-Api-Secret-Token", $0)] } ?? [])
    }

    @Test func aWrongSecretTokenOrAMalformedUpdateIsRefusedAndStoresNothing() async throws {
        try await Self.running(api: "http://127.0.0.1:9") { base, store in
            do {
                let status = try await Self.post(base, Self.text(1, "pothole at 1423 Oak St"), secret: "guess").0
                #expect(status == 403)
            }
            do {
                let status = try await Self.post(base, Self.text(1, "pothole at 1423 Oak St"), secret: nil).0
                #expect(status == 403)
            }
            for malformed in ["[", #"{"message":{}}"#, Self.update(2, #""location":{"latitude":120,"longitude":0}"#)] {
                do {
                    let status = try await Self.post(base, malformed).0
                    #expect(status == 400, "\(malformed)")
                }
            }
            let address = ChannelAddress(channel: .telegram, address: String(Self.chat))
            #expect(try await store.session(for: address) == nil)
            #expect(try await store.transcript(of: address, since: .distantPast, limit: 10).isEmpty)
        }
    }

    /// A Spanish-speaking resident (Telegram says `language_code: es`) opens the bot with /start and is answered in
    /// Spanish; the report's choices come as a one-time keyboard, a tapped button is read as its choice; a pin
    /// answers "where?", a photo goes with the report; a redelivered update changes nothing.
    @Test func aSpanishSpeakingResidentReportsWithTheKeyboardAPinAndAPhoto() async throws {
        let api = FakeChatAppAPI()
        try await withLoopbackServer(api.router()) { apiBase in
            try await Self.running(api: apiBase) { base, store in
                let address = ChannelAddress(channel: .telegram, address: String(Self.chat))
                do {
                    let status = try await Self.post(base, Self.text(1, "/start", language: "es-MX")).0
                    #expect(status == 200)
                }
                let greeting = try await api.waitFor(1)
                #expect(greeting[0].path == "/bot\(FakeChatAppAPI.botToken)/sendMessage")
                #expect(greeting[0].json["chat_id"] as? String == String(Self.chat))
                let locale = try await store.session(for: address)?.locale
                #expect(locale == LanguageTag("es"))
                #expect(greeting[0].text.hasPrefix("Ya"), "\(greeting[0].body)")
                #expect((greeting[0].json["reply_markup"] as? [String: Any])?["remove_keyboard"] as? Bool == true)

                do {
                    let status = try await Self.post(base, Self.text(2, "Hay un bache enorme", language: "es")).0
                    #expect(status == 200)
                }
                _ = try await api.waitFor(2)
                do {
                    let status = try await Self.post(base, Self.update(3, language: "es", #""location":{"latitude":39.766609,"longitude":-89.678065}"#)).0
                    #expect(status == 200)
                }
                let sizes = try await api.waitFor(3)
                let markup = try #require(sizes[2].json["reply_markup"] as? [String: Any])
                #expect(markup["one_time_keyboard"] as? Bool == true)
                let keys = try #require(markup["keyboard"] as? [[[String: Any]]])
                #expect(keys.count == 4 && (keys[2][0]["text"] as? String ?? "").hasPrefix("3. "), "\(keys)")
                // The resident taps the third button: Telegram sends its text.
                let tapped = try #require(keys[2][0]["text"] as? String)
                do {
                    let status = try await Self.post(base, Self.text(4, tapped, language: "es")).0
                    #expect(status == 200)
                }
                let position = try await api.waitFor(4)
                #expect(position[3].text.hasPrefix("¿En qué"), "\(position[3].body)")
                do {
                    let status = try await Self.post(base, Self.text(5, "1", language: "es")).0
                    #expect(status == 200)
                }
                _ = try await api.waitFor(5)
                #expect(try await Self.post(base, Self.update(6, language: "es",
                    #""photo":[{"file_id":"small","file_unique_id":"s","width":90,"height":60},{"file_id":"large","file_unique_id":"l","width":1280,"height":853,"file_size":90000}],"caption":"así está""#)).0 == 200)
                _ = try await api.waitFor(6)
                let before = try await store.transcript(of: address, since: .distantPast, limit: 100).count
                #expect(try await Self.post(base, Self.update(6, language: "es",
                    #""photo":[{"file_id":"large","file_unique_id":"l","width":1280,"height":853}]"#)).0 == 200, "redelivered")
                #expect(try await store.transcript(of: address, since: .distantPast, limit: 100).count == before, "nothing new")
                do {
                    let status = try await Self.post(base, Self.text(7, "sí", language: "es")).0
                    #expect(status == 200)
                }
                let sent = try await api.waitFor(7)
                #expect(sent[6].text.hasPrefix("¡Gracias!"), "\(sent[6].body)")
                #expect(sent.count == 7)

                let ticket = try #require(try await store.tickets(TicketFilter()).first)
                #expect(ticket.draft.locale == LanguageTag("es") && ticket.reporter == address)
                #expect(ticket.draft.attributes.first { $0.code == "size" }.map { "\($0.value)" }?.contains("large") == true, "\(ticket.draft.attributes)")
                #expect(ticket.draft.media.count == 1 && ticket.draft.media[0].url.hasPrefix("cityline-photo:"))
                #expect(ticket.draft.location?.coordinate != nil)
            }
        }
    }

    /// A voice note is answered with the helpful text in the resident's language.
    @Test func aVoiceNoteIsAnsweredWithAHelpfulText() async throws {
        let api = FakeChatAppAPI()
        try await withLoopbackServer(api.router()) { apiBase in
            try await Self.running(api: apiBase) { base, _ in
                do {
                    let status = try await Self.post(base, Self.update(1, language: "es", #""voice":{"file_id":"v1","duration":3}"#)).0
                    #expect(status == 200)
                }
                let sent = try await api.waitFor(1)
                let answer = sent.first?.text ?? ""
                #expect(answer.hasPrefix("Lo siento, no puedo leer este tipo de mensaje"), "\(answer)")
            }
        }
    }
}
