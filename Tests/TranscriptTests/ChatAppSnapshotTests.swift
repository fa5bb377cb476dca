import ChannelChatApps
import CityModel
import Foundation
import Localization
import Messaging
import Rendering
import Storage
import Testing
import Transport

/// Every resident-facing message as WhatsApp and Telegram carry it, per locale (`__Snapshots__/chatapps.<locale>.txt`):
/// the text, then how its choices are offered — WhatsApp reply buttons or a list (within WhatsApp's limits) or
/// plain numbered text; Telegram's one-time reply keyboard — and, for the messages that reach a resident later
/// (updates, surveys, reminders, operators' replies), the template message sent outside WhatsApp's 24-hour window.
/// `CITYLINE_RECORD=1 swift test --filter ChatAppSnapshotTests` rewrites the snapshots.
@Suite struct ChatAppSnapshotTests {
    /// Keys sent later than the resident's own message, with the kind they are sent as.
    static let later: [String: MessageKind] = [
        "update.status": .statusUpdate, "update.closed": .statusUpdate, "survey.ask_fixed": .survey, "survey.reminder": .reminder,
        "agent.reply": .operatorReply,
    ]

    @Test(arguments: MessageSnapshotTests.locales)
    func snapshot(locale code: String) throws {
        let composer = try DemoCity.shared.composer
        let city = try DemoCity.shared.city
        let locale = LanguageTag(code)
        let samples = MessageSamples.arguments(for: locale, city: city)
        let listButton = composer.renderer.render("chatapp.choose", locale: locale)
        var text = "# Every resident-facing message in \(code) on WhatsApp and Telegram, rendered with sample arguments from the demo city.\n"
        text += "# whatsapp: text | buttons | list, as sent within the 24-hour window; template: as sent outside it.\n"
        text += "# telegram: the reply keyboard, or none (the keyboard is removed).\n"
        for key in samples.keys.sorted() where !key.hasPrefix("email.") && !key.hasPrefix("landing.") && !key.hasPrefix("chat.")
            && !MessageSamples.fragments.contains(key) {
            var rendered: [Channel: RenderedMessage] = [:]
            for channel in [Channel.whatsapp, .telegram] {
                let to = ChannelAddress(channel: channel, address: channel == .whatsapp ? "12175550100" : "5550100")
                let body = composer.compose([OutboundMessage(key, samples[key]!)], to: to, locale: locale, ticket: nil).first?.body ?? ""
                #expect(!body.hasPrefix("["), "\(code): \(key) has no text")
                rendered[channel] = RenderedMessage(to: to, body: body, locale: locale, kind: Self.later[key] ?? .reply)
            }
            text += "\n## \(key)\n\(rendered[.whatsapp]!.body)\n"
            text += try Self.whatsapp(WhatsAppOutbound.freeForm(rendered[.whatsapp]!, listButton: listButton))
            if Self.later[key] != nil {
                let entry = OutboxEntry(id: 1, message: rendered[.whatsapp]!, createdAt: MessageSamples.moment, dueAt: MessageSamples.moment)
                text += "### outside the window\n"
                do {
                    text += try Self.whatsapp(try WhatsAppTransport.body(for: entry, lastInbound: nil, at: MessageSamples.moment,
                                                                         templates: city.whatsappTemplates, listButton: listButton))
                } catch let error as TransportError {
                    text += "whatsapp: dead-lettered: \(error.message)\n"
                }
            }
            text += Self.telegram(TelegramTransport.Body(rendered[.telegram]!))
            if rendered[.telegram]!.body != rendered[.whatsapp]!.body { text += "### telegram text\n\(rendered[.telegram]!.body)\n" }
        }
        try Snapshot.check(text, named: "chatapps.\(code).txt")
    }

    /// How a Cloud API body shows the resident the message's choices (its text is the heading's).
    static func whatsapp(_ outbound: WhatsAppOutbound) throws -> String {
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(outbound)) as? [String: Any])
        switch json["type"] as? String {
        case "interactive":
            let interactive = json["interactive"] as? [String: Any] ?? [:]
            let action = interactive["action"] as? [String: Any] ?? [:]
            let prompt = (interactive["body"] as? [String: Any])?["text"] as? String ?? ""
            if let buttons = action["buttons"] as? [[String: Any]] {
                let titles = buttons.map { ($0["reply"] as? [String: Any]) ?? [:] }.map { "\($0["id"] ?? ""): \($0["title"] ?? "")" }
                return "whatsapp: buttons [\(titles.joined(separator: " | "))] under \"\(prompt.replacingOccurrences(of: "\n", with: " / "))\"\n"
            }
            let rows = ((action["sections"] as? [[String: Any]])?.first?["rows"] as? [[String: Any]]) ?? []
            let titles = rows.map { "\($0["id"] ?? ""): \($0["title"] ?? "")" + (($0["description"] as? String).map { " (\($0))" } ?? "") }
            return "whatsapp: list \"\(action["button"] ?? "")\" [\(titles.joined(separator: " | "))] under \"\(prompt.replacingOccurrences(of: "\n", with: " / "))\"\n"
        case "template":
            let template = json["template"] as? [String: Any] ?? [:]
            let language = (template["language"] as? [String: Any])?["code"] ?? ""
            let parameter = (((template["components"] as? [[String: Any]])?.first?["parameters"]) as? [[String: Any]])?.first?["text"] ?? ""
            return "whatsapp: template \(template["name"] ?? "") (\(language)) {{1}} = \(parameter)\n"
        default:
            return "whatsapp: text\n"
        }
    }

    static func telegram(_ body: TelegramTransport.Body) -> String {
        guard let json = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(body))) as? [String: Any],
              let markup = json["reply_markup"] as? [String: Any], let keyboard = markup["keyboard"] as? [[[String: Any]]] else {
            return "telegram: no keyboard\n"
        }
        return "telegram: keyboard [\(keyboard.map { $0.map { "\($0["text"] ?? "")" }.joined() }.joined(separator: " | "))]\n"
    }
}
