import AsyncHTTPClient
import ChannelChatApps
import ChannelSMS
import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import Logging
import NIOCore
import Storage
import StorageSQLite
import Testing
import Transport
import WebAPI
import WSClient

/// Every log record of one application, as its handler received them (the label, level, message, metadata and
/// source), for a test to search.
final class CapturedLogs: Sendable {
    struct Record: Sendable {
        var label: String
        var level: Logger.Level
        var message: String
        var metadata: [String]
        var source: String

        /// Everything in the record a log line would show.
        var text: String { ([label, message, source] + metadata).joined(separator: " ") }
    }

    private let records = Locked<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    func append(_ record: Record) { records.withLock { $0.append(record) } }

    /// A handler factory for `AppConfiguration.logHandler`.
    func factory(level: Logger.Level) -> @Sendable (String) -> any LogHandler {
        { label in Handler(label: label, logs: self, logLevel: level) }
    }

    struct Handler: LogHandler {
        let label: String
        let logs: CapturedLogs
        var logLevel: Logger.Level
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let error = event.error.map { ["error", "\($0)"] } ?? []
            logs.append(Record(label: label, level: event.level, message: event.message.description,
                               metadata: merged.flatMap { key, value in [key] + Self.strings(value) } + error, source: event.source))
        }

        static func strings(_ value: Logger.Metadata.Value) -> [String] {
            switch value {
            case .string(let text): [text]
            case .stringConvertible(let convertible): [convertible.description]
            case .array(let values): values.flatMap(strings)
            case .dictionary(let values): values.flatMap { [$0.key] + strings($0.value) }
            }
        }
    }
}

/// Issue 20 item 6: no personal data in the logs. One application, logging at `trace` into a capturing handler,
/// takes real traffic on every channel — signed Twilio SMS turns (a whole report, HELP, STOP, an emergency, a
/// handoff answered by an operator), an email, a web chat, WhatsApp and Telegram webhooks, staff and Open311 calls,
/// outbound sends that fail (so the warning paths log) — and no record may hold a resident's phone number (in any
/// of its forms), email address, chat id or the words they or the operator wrote — nor the deployment's credentials.
@Suite struct LogPrivacyTests {
    static let publicURL = "https://311.springfield.example"
    static let twilioToken = "log-test-twilio-token"
    static let whatsappSecret = "log-test-app-secret"
    static let telegramSecret = "log-test-telegram-secret"

    // The residents.
    static let reporter = "+12175550171"
    static let stopper = "+12175550172"
    static let emergency = "+12175550173"
    static let handoff = "+12175550174"
    static let whatsapp = "12175550175"
    static let staffFiled = "+12175550176"
    static let telegramChat: Int64 = 771_234_567
    static let email = "rosa.delgado@example.org"
    static let open311Email = "kwame.mensah@example.net"

    // What they wrote: each phrase unique, so finding it in a log can only mean it was logged.
    static let words = [
        "enormous pothole swallowing bicycles", "raccoons nesting in the traffic cabinet", "smell gas and see smoke pouring",
        "please connect me with a human being", "my neighbour Jolene keeps a goat", "operator says the crew comes Thursday",
        "streetlight flickers like a disco", "graffiti shaped like a giraffe", "whatsapp mentions broken hydrant gushing",
        "telegram reports fallen oak branches", "staff filed collapsed culvert", "open311 filed abandoned sofa",
        "crew note mentions Jolene",
    ]

    /// Every form of each number and address a log might show it in.
    static var forbidden: [String] {
        var list: [String] = []
        for phone in [reporter, stopper, emergency, handoff, staffFiled] {
            let digits = String(phone.dropFirst())
            list += [phone, digits, String(digits.dropFirst())]
        }
        list += [whatsapp, "+" + whatsapp, String(telegramChat), email, open311Email]
        return list + words
    }

    /// The deployment's credentials are no business of a log either.
    static let credentials = [twilioToken, whatsappSecret, telegramSecret, telegramBot]
    static let telegramBot = "4242:log-test-bot-token"

    @Test func noPhoneNumberEmailAddressOrMessageReachesTheLogs() async throws {
        let logs = CapturedLogs()
        let store = try SQLiteStore(path: try temporaryDirectory() + "/logs.sqlite")
        let unreachable = "http://127.0.0.1:9" // the discard port: nothing listens, every send fails
        var configuration = try AppConfiguration.testing(store: .sqlite(store), environment: [
            "CITYLINE_PUBLIC_URL": Self.publicURL,
            "TWILIO_AUTH_TOKEN": Self.twilioToken, "TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
            "TWILIO_FROM": "+12175550311", "TWILIO_API_BASE": unreachable,
            "WHATSAPP_VERIFY_TOKEN": "verify", "WHATSAPP_APP_SECRET": Self.whatsappSecret,
            "TELEGRAM_BOT_TOKEN": Self.telegramBot, "TELEGRAM_SECRET_TOKEN": Self.telegramSecret, "TELEGRAM_API_BASE": unreachable,
        ])
        configuration.logLevel = .trace
        configuration.logHandler = logs.factory(level: .trace)
        configuration.runsBackgroundWork = true
        let admin = "log-test-admin-token"
        _ = try await store.createToken(hash: StaffTokenHash.hash(admin), role: .admin, department: nil, label: nil, at: Date())
        let open311 = "log-test-open311-key"
        _ = try await store.createToken(hash: StaffTokenHash.hash(open311), role: .open311, department: nil, label: nil, at: Date())

        try await withRunningApplication(configuration) { port in
            let base = "http://127.0.0.1:\(port)"
            var sid = 0
            func sms(_ from: String, _ body: String) async throws {
                sid += 1
                let form = [("MessageSid", "SMlog\(sid)"), ("From", from), ("To", "+12175550311"), ("Body", body), ("NumMedia", "0")]
                let signature = TwilioSignature(authToken: Self.twilioToken).sign(url: Self.publicURL + "/webhooks/twilio/sms", parameters: form)
                let (status, answer) = try await Self.send("POST", base + "/webhooks/twilio/sms", FormBody.encode(form),
                                                           headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature)])
                #expect(status == 200, "\(answer)")
            }
            // A whole report, then HELP; STOP; an emergency; a handoff.
            try await sms(Self.reporter, "There is an \(Self.words[0]) in front of 1423 Oak St")
            for answer in ["skip", "skip", "skip", "yes", "HELP", Self.words[6]] { try await sms(Self.reporter, answer) }
            try await sms(Self.stopper, Self.words[1] + " at Elm and 5th")
            try await sms(Self.stopper, "STOP")
            try await sms(Self.emergency, "I \(Self.words[2]) at 1423 Oak St")
            try await sms(Self.handoff, "I want to talk to a person")
            try await sms(Self.handoff, Self.words[3])
            try await sms(Self.handoff, Self.words[4])

            // The operator answers the handoff and closes it.
            let auth = [("Authorization", "Bearer \(admin)"), ("Content-Type", "application/json")]
            let (_, list) = try await Self.send("GET", base + "/api/v1/conversations", headers: auth)
            let conversations = ((try? JSONSerialization.jsonObject(with: Data(list.utf8))) as? [String: Any])?["conversations"] as? [[String: Any]] ?? []
            let conversation = try #require(conversations.first?["id"].map { "\($0)" }, "\(list)")
            #expect(try await Self.send("POST", base + "/api/v1/conversations/\(conversation)/messages",
                                        #"{"text": "\#(Self.words[5])"}"#, headers: auth).0 == 201)
            _ = try await Self.send("POST", base + "/api/v1/conversations/\(conversation)/close", "{}", headers: auth)

            // An email.
            let mail = "From: Rosa <\(Self.email)>\r\nSubject: \(Self.words[7])\r\nMessage-ID: <log-1@example.org>\r\n\r\n\(Self.words[7]) at Elm and 5th\r\n"
            #expect(try await Self.send("POST", base + "/webhooks/email/inbound", mail, headers: [("Content-Type", "message/rfc822")]).0 == 200)

            // WhatsApp and Telegram.
            let whatsappBody = #"{"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"12175550311","phone_number_id":"1"},"contacts":[{"profile":{"name":"Jolene"},"wa_id":"\#(Self.whatsapp)"}],"messages":[{"from":"\#(Self.whatsapp)","id":"wamid.LOG1","timestamp":"1732377600","type":"text","text":{"body":"\#(Self.words[8])"}}]}}]}]}"#
            let whatsappSignature = WhatsAppSignature(appSecret: Self.whatsappSecret).header(for: Array(whatsappBody.utf8))
            #expect(try await Self.send("POST", base + "/webhooks/whatsapp", whatsappBody,
                                        headers: [("Content-Type", "application/json"), ("X-Hub-Signature-256", whatsappSignature)]).0 == 200)
            let telegramBody = #"{"update_id":7001,"message":{"message_id":1,"date":1732377600,"from":{"id":\#(Self.telegramChat),"is_bot":false,"first_name":"Jolene","language_code":"en"},"chat":{"id":\#(Self.telegramChat),"type":"private","first_name":"Jolene"},"text":"\#(Self.words[9])"}}"#
            #expect(try await Self.send("POST", base + "/webhooks/telegram", telegramBody,
                                        headers: [("Content-Type", "application/json"), ("X-Telegram-Bot-Api-Secret-Token", Self.telegramSecret)]).0 == 200)

            // The web chat.
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/chat/ws", logger: Logger(label: "test")) { inbound, outbound, _ in
                var frames = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                try await outbound.write(.text(#"{"type":"start","session":null}"#))
                _ = try await frames.next()
                try await outbound.write(.text(#"{"type":"message","id":"m1","text":"\#(Self.words[7]) near the library"}"#))
                while case .text(let text)? = try await frames.next(), !text.contains(#""ack""#) {}
                try await outbound.close(.normalClosure, reason: nil)
            }

            // Staff and Open311 filing for residents, a staff note and a status change (their acknowledgements fail to send).
            let (filed, ticket) = try await Self.send("POST", base + "/api/v1/tickets",
                                                      #"{"service_code":"pothole","description":"\#(Self.words[10])","address":"1423 Oak St","phone":"\#(Self.staffFiled)"}"#,
                                                      headers: auth)
            #expect(filed == 201, "\(ticket)")
            let id = ((try? JSONSerialization.jsonObject(with: Data(ticket.utf8))) as? [String: Any])?["id"].map { "\($0)" } ?? "0"
            _ = try await Self.send("POST", base + "/api/v1/tickets/\(id)/notes", #"{"text":"\#(Self.words[12])","public":true}"#, headers: auth)
            _ = try await Self.send("PATCH", base + "/api/v1/tickets/\(id)", #"{"status":"in_progress","status_note":"\#(Self.words[12])"}"#, headers: auth)
            _ = try await Self.send("GET", base + "/api/v1/tickets", headers: auth)
            let open311Form = FormBody.encode([("api_key", open311), ("service_code", "pothole"), ("address_string", "1423 Oak St"),
                                               ("description", Self.words[11]), ("email", Self.open311Email)])
            #expect(try await Self.send("POST", base + "/open311/v2/requests.json", open311Form,
                                        headers: [("Content-Type", "application/x-www-form-urlencoded")]).0 == 200)

            // Bad input too: it is logged (or not) like any other.
            _ = try await Self.send("POST", base + "/webhooks/twilio/sms", "From=\(Self.reporter)&Body=%ZZ", headers: [("Content-Type", "application/x-www-form-urlencoded")])

            // The dispatcher tries the failing sends: wait until it has logged failures on both channels.
            let deadline = ContinuousClock.now + .seconds(60)
            while logs.all.filter({ $0.message.contains("send failed") }).count < 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        let records = logs.all
        if let dump = ProcessInfo.processInfo.environment["CITYLINE_LOG_DUMP"] {
            try records.map { "\($0.level) \($0.text)" }.joined(separator: "\n").write(toFile: dump, atomically: true, encoding: .utf8)
        }
        #expect(records.filter { $0.message.contains("send failed") }.count >= 2, "no send failed, so the warning paths were not exercised")
        #expect(records.count > 20, "too few records (\(records.count)) for the traffic: is the handler installed?")
        let forbidden = (Self.forbidden + Self.credentials).map { $0.lowercased() }
        for record in records {
            let text = record.text.lowercased()
            for secret in forbidden where text.contains(secret) {
                Issue.record("the log holds \"\(secret)\": [\(record.level)] \(record.label) \(record.message) \(record.metadata)")
            }
        }
    }

    /// One request; its status and answer.
    static func send(_ method: String, _ url: String, _ body: String? = nil, headers: [(String, String)] = []) async throws -> (UInt, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }
}
