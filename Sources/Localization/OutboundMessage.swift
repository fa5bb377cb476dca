import CityModel
import Foundation

/// A value a message template can show. Dates are rendered in the resident's locale and the city's time zone.
public indirect enum MessageArgument: Hashable, Sendable, Codable {
    case text(String)
    case number(Int)
    /// A moment: weekday, date and time ("Mon, Nov 23, 8:00 AM").
    case date(Date)
    /// A day, for deadlines where the hour would be false precision ("Mon, Nov 30").
    case day(Date)
    /// Another message key, rendered in the same locale (a status name, a hint).
    case key(String)
    /// A condition for a Mustache section (`{{#optional}}…{{/optional}}`).
    case flag(Bool)
    /// Rows of a numbered menu or list: each row a small dictionary (`n`, `name`, …).
    case list([[String: MessageArgument]])
}

/// What kind of message this is, for delivery rules (a STOP confirmation may go out after opt-out; quiet
/// hours hold back updates, never replies) and for the outbox's `kind` field.
///
/// The kind says why a message was sent: `survey` is the question that opens a survey (CityLine starts it),
/// `reminder` its one reminder; the survey's next questions answer the resident, so they are `reply`.
public enum MessageKind: String, Sendable, Codable, CaseIterable {
    case reply, acknowledgement, statusUpdate = "status_update", survey, reminder, notice
    case optOutConfirmation = "opt_out_confirmation", emergency
    /// A 311 operator's own words to a resident who asked for a person.
    case operatorReply = "operator_reply"
    /// An area notice staff sent to the residents who opted in (`ALERTS <address>`).
    case alert
}

/// A message the engine wants sent: a key into `Locales/` and its arguments — never finished text.
///
/// ```json
/// {"key": "report.created", "args": {"number": {"text": "1000009"}}, "kind": "reply"}
/// ```
public struct OutboundMessage: Hashable, Sendable, Codable {
    public var key: String
    public var args: [String: MessageArgument]
    public var kind: MessageKind

    public init(_ key: String, _ args: [String: MessageArgument] = [:], kind: MessageKind = .reply) {
        self.key = key
        self.args = args
        self.kind = kind
    }
}

extension MessageArgument {
    /// A ticket's public note as message arguments: a canned note as `note`, rendered in the recipient's language;
    /// staff's own words as `staff_note`, which the messages frame as the crew's note.
    public static func statusNote(_ stored: String) -> [String: MessageArgument] {
        switch StatusNote(stored) {
        case .canned(let key): ["note": .key(key)]
        case .words(let text): ["staff_note": .text(text)]
        }
    }
}
