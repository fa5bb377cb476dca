import CityModel
import Foundation
import Localization
import Messaging

/// The Cloud API request body for one outbox message (`POST /{version}/{phone-number-id}/messages`).
///
/// Inside the 24-hour customer-service window a message goes free-form: a question with 1 to 3 choices whose
/// labels fit 20 characters as reply buttons; up to 10 choices as a list (row titles of 24 characters, longer
/// labels shortened there and given whole as the row's description, up to 72); anything else as plain text with
/// the numbered lines (the resident types the number). The button or row id is the choice's key, which the
/// resident's tap sends back. Outside the window it goes as the city's template for its kind and language, the
/// text as the template's one variable.
///
/// ```json
/// {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "12175550100", "type": "interactive",
///  "interactive": {"type": "button", "body": {"text": "About how big is it?"},
///                  "action": {"buttons": [{"type": "reply", "reply": {"id": "1", "title": "Dinner plate"}}]}}}
/// ```
public struct WhatsAppOutbound: Encodable, Sendable {
    public struct Text: Encodable, Sendable {
        var body: String
        var preview_url = false
    }

    public struct Interactive: Encodable, Sendable {
        struct Body: Encodable { var text: String }
        struct Reply: Encodable {
            var id: String
            var title: String
        }
        struct Button: Encodable {
            var type = "reply"
            var reply: Reply
        }
        struct Row: Encodable {
            var id: String
            var title: String
            var description: String?
        }
        struct Section: Encodable { var rows: [Row] }
        struct Action: Encodable {
            var buttons: [Button]?
            var button: String?
            var sections: [Section]?
        }
        var type: String
        var body: Body
        var action: Action
    }

    public struct Template: Encodable, Sendable {
        struct Language: Encodable { var code: String }
        struct Parameter: Encodable {
            var type = "text"
            var text: String
        }
        struct Component: Encodable {
            var type = "body"
            var parameters: [Parameter]
        }
        var name: String
        var language: Language
        var components: [Component]
    }

    var messaging_product = "whatsapp"
    var recipient_type = "individual"
    var to: String
    var type: String
    var text: Text?
    var interactive: Interactive?
    var template: Template?

    /// Limits of the Cloud API's interactive messages.
    public enum Limits {
        public static let buttons = 3
        public static let buttonTitle = 20
        public static let rows = 10
        public static let rowTitle = 24
        public static let rowDescription = 72
        public static let body = 1_024
        public static let listButton = 20
    }

    /// A free-form message: interactive when its choices fit, text otherwise.
    /// - Parameter listButton: the list's button label in the message's language ("Choose").
    public static func freeForm(_ message: RenderedMessage, listButton: String) -> WhatsAppOutbound {
        let menu = ChoiceMenu(message.body)
        let plain = WhatsAppOutbound(to: message.to.address, type: "text", text: Text(body: message.body))
        guard !menu.choices.isEmpty, !menu.prompt.isEmpty, menu.prompt.count <= Limits.body else { return plain }
        let body = Interactive.Body(text: menu.prompt)
        if menu.choices.count <= Limits.buttons, menu.choices.allSatisfy({ $0.label.count <= Limits.buttonTitle }) {
            let buttons = menu.choices.map { Interactive.Button(reply: .init(id: $0.key, title: $0.label)) }
            return WhatsAppOutbound(to: message.to.address, type: "interactive",
                                    interactive: Interactive(type: "button", body: body, action: .init(buttons: buttons)))
        }
        guard menu.choices.count <= Limits.rows, menu.choices.allSatisfy({ $0.label.count <= Limits.rowDescription }) else { return plain }
        let rows = menu.choices.map { choice in
            choice.label.count <= Limits.rowTitle ? Interactive.Row(id: choice.key, title: choice.label)
                : Interactive.Row(id: choice.key, title: String(choice.label.prefix(Limits.rowTitle - 1)) + "…", description: choice.label)
        }
        let button = String(listButton.prefix(Limits.listButton))
        return WhatsAppOutbound(to: message.to.address, type: "interactive",
                                interactive: Interactive(type: "list", body: body, action: .init(button: button, sections: [.init(rows: rows)])))
    }

    /// A template message carrying `message`'s text as its one body variable (one line: WhatsApp refuses line
    /// breaks, tabs and more than four spaces in a row in a variable).
    public static func template(_ message: RenderedMessage, _ template: WhatsAppTemplates.Template) -> WhatsAppOutbound {
        var text = message.body.split(whereSeparator: { $0.isNewline || $0 == "\t" }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        while text.contains("  ") { text = text.replacingOccurrences(of: "  ", with: " ") }
        if text.count > 1_000 { text = String(text.prefix(999)) + "…" }
        return WhatsAppOutbound(to: message.to.address, type: "template", template: Template(
            name: template.name, language: .init(code: template.language), components: [.init(parameters: [.init(text: text)])]))
    }
}
