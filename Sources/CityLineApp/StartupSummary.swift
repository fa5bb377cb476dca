import Foundation

/// What `cityline serve` prints once it listens: the URLs it serves, how webhooks are protected, where the data
/// is and which transport each channel uses.
struct StartupSummary: Sendable {
    /// The program's name in the city's default language ("Springfield 311").
    var program: String
    var host: String
    /// Whether Twilio signatures are checked (`TWILIO_AUTH_TOKEN` is set), and against which public URL.
    var checksSignatures: Bool
    var publicURL: String?
    /// The base of unsubscribe links: the public URL, else the local address.
    var unsubscribeBase: String
    /// Whether `POST /webhooks/email/inbound` needs a Bearer token.
    var emailTokenRequired: Bool
    /// Whether WhatsApp's `X-Hub-Signature-256` is checked (`WHATSAPP_APP_SECRET`).
    var whatsappSignatures: Bool
    /// Whether Telegram's `X-Telegram-Bot-Api-Secret-Token` is checked (`TELEGRAM_SECRET_TOKEN`).
    var telegramSecret: Bool
    /// Whether `GET /metrics` needs a Bearer token.
    var metricsTokenRequired: Bool
    /// The SMTP listener's bound port; nil with `--no-smtp`.
    var smtpPort: Int?
    /// Where the data is.
    var data: String
    /// One line per channel: "sms: twilio (+1217…)".
    var transports: [String]

    /// The summary for a server bound to `port`.
    func lines(port: Int) -> [String] {
        let base = "http://\(host):\(port)"
        var lines = ["CityLine — \(program) — serving \(base)"]
        lines.append("  health        GET  \(base)/health")
        lines.append("  metrics       GET  \(base)/metrics  (Prometheus; "
            + (metricsTokenRequired ? "Bearer token required)" : "no token: set CITYLINE_METRICS_TOKEN if others can reach \(host))"))
        lines.append("  front page    GET  \(base)/  (residents: how to chat, text, email or call, in their language)")
        lines.append("  web chat      GET  \(base)/chat  (WebSocket \(base.replacingOccurrences(of: "http", with: "ws"))/chat/ws)")
        lines.append("  chat widget        <script src=\"\(base)/chat/widget.js\" async></script>  (on the sites in web.embed_on)")
        lines.append("  Twilio SMS    POST \(base)/webhooks/twilio/sms  (signatures: "
            + (checksSignatures ? "checked against \(publicURL ?? ""))" : "not checked, TWILIO_AUTH_TOKEN unset)"))
        lines.append("  delivery      POST \(base)/webhooks/twilio/status")
        lines.append("  WhatsApp      GET, POST \(base)/webhooks/whatsapp  (signatures: "
            + (whatsappSignatures ? "checked)" : "not checked, WHATSAPP_APP_SECRET unset)"))
        lines.append("  Telegram      POST \(base)/webhooks/telegram  (secret token: "
            + (telegramSecret ? "checked)" : "not checked, TELEGRAM_SECRET_TOKEN unset)"))
        lines.append("  email in      POST \(base)/webhooks/email/inbound  (raw RFC 5322; "
            + (emailTokenRequired ? "Bearer token required)" : "no token: set CITYLINE_EMAIL_INBOUND_TOKEN unless only the local MTA can reach it)"))
        if let smtpPort {
            lines.append("  SMTP in            smtp://\(host):\(smtpPort)  (mail relayed by the city's MTA)")
        } else {
            lines.append("  SMTP in       off (--no-smtp)")
        }
        lines.append("  staff API          \(base)/api/v1/tickets  (create a token: cityline token create --role admin)")
        lines.append("  console       GET  \(base)/console  (operators: cityline token create --role staff --department <code>)")
        lines.append("  dashboard     GET  \(base)/dashboard  (KPIs, equity by language and area; CSV at \(base)/api/v1/reports/tickets.csv)")
        lines.append("  Open311       GET  \(base)/open311/v2/services.json  (api_key: cityline token create --role open311)")
        lines.append("  dead letters  GET  \(base)/api/v1/outbox?state=dead, \(base)/api/v1/jobs?state=dead  (admin)")
        lines.append("  unsubscribe   POST \(base)/unsubscribe/{token}  (one-click, RFC 8058; emails link to "
            + (publicURL.map { "\($0)/unsubscribe/…)" } ?? "\(unsubscribeBase)/unsubscribe/… — set CITYLINE_PUBLIC_URL so residents can reach it)"))
        lines.append("  data          \(data)")
        lines.append("  transports:")
        lines += transports.map { "    \($0)" }
        return lines
    }

    /// Writes the summary to standard output at once.
    static func write(_ lines: [String]) {
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
