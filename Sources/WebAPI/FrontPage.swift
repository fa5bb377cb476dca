import CityModel
import Foundation
import Hummingbird
import Localization
import NIOCore
import Rendering

/// How residents reach the city, as the front page shows it: the SMS number and email address that are set up.
public struct FrontDoor: Sendable {
    /// The number residents text (`TWILIO_FROM`), when SMS is set up.
    public var smsNumber: String?
    /// The address residents write to (`SMTP_FROM`), when email is set up.
    public var emailAddress: String?

    public init(smsNumber: String? = nil, emailAddress: String? = nil) {
        self.smsNumber = smsNumber
        self.emailAddress = emailAddress
    }
}

/// `GET /`: the public front page in the city's languages — the program, how to text, email or call, and that
/// emergencies go to 911 — in the language the browser asks for (`Accept-Language`) or the one picked in the
/// page's language switch (`?lang=`), right to left where the language is.
struct FrontPage: Sendable {
    let city: City
    let renderer: MessageRenderer
    let door: FrontDoor

    func register(on router: Router<WebContext>) {
        router.get("/") { request, _ in page(request) }
        router.get("/front.css") { _, _ in Console.asset(Self.style, type: "text/css; charset=utf-8") }
    }

    func page(_ request: Request) -> Response {
        let locale = Self.locale(query: request.uri.queryParameters["lang"].map(String.init),
                                 acceptLanguage: request.headers[.acceptLanguage], among: city.locales)
        let escape = HTMLText.escape
        func text(_ key: String, _ args: [String: MessageArgument] = [:]) -> String { escape(renderer.render(key, args, locale: locale)) }
        let program = escape(city.program.resolve(locale, fallbacks: city.fallbackLocales))
        let languages = city.locales.map { tag in
            let name = escape(renderer.catalog.names[tag] ?? tag.code)
            let current = tag == locale ? " aria-current=\"true\"" : ""
            return "<li><a href=\"/?lang=\(escape(tag.code))\" lang=\"\(escape(tag.code))\" hreflang=\"\(escape(tag.code))\""
                + " dir=\"\(tag.isRightToLeft ? "rtl" : "ltr")\"\(current)>\(name)</a></li>"
        }.joined(separator: "\n")
        var ways = ["<li><a href=\"/chat?lang=\(escape(locale.code))\">\(text("chat.title", ["program": .text(city.program.resolve(locale, fallbacks: city.fallbackLocales))]))</a></li>"]
        if let number = door.smsNumber {
            ways.append("<li><a href=\"sms:\(escape(number))\">\(text("landing.text", ["number": .text(number)]))</a></li>")
        }
        if let address = door.emailAddress {
            ways.append("<li><a href=\"mailto:\(escape(address))\">\(text("landing.email", ["address": .text(address)]))</a></li>")
        }
        ways.append("<li><a href=\"tel:\(escape(city.phone))\">\(text("landing.call", ["phone": .text(city.phone)]))</a></li>")
        let html = ConsoleAssets.head(program, locale: locale, stylesheet: "/front.css", brand: true) + """

        <body>
        <header>
        <nav aria-label="\(text("landing.language"))">
        <ul>
        \(languages)
        </ul>
        </nav>
        </header>
        <main>
        <h1>\(WebBrand.logo(city))\(program)</h1>
        <p>\(text("landing.intro", ["city": .text(city.name.resolve(locale, fallbacks: city.fallbackLocales))]))</p>
        <h2>\(text("landing.how"))</h2>
        <ul class="ways">
        \(ways.joined(separator: "\n"))
        </ul>
        <p class="emergency"><strong>\(text("landing.emergency"))</strong></p>
        </main>
        </body>
        </html>
        """
        return Console.html(.ok, html)
    }

    /// `?lang=` when it names one of the city's locales; else the best of `Accept-Language` (by q, then order);
    /// else the city's default.
    static func locale(query: String?, acceptLanguage: String?, among locales: [LanguageTag]) -> LanguageTag {
        func match(_ raw: String) -> LanguageTag? { LanguageTag(raw.trimmingCharacters(in: .whitespaces)).match(among: locales) }
        if let query, let chosen = match(query) { return chosen }
        let ranked = (acceptLanguage ?? "").split(separator: ",").enumerated().compactMap { index, part -> (Double, Int, LanguageTag)? in
            let pieces = part.split(separator: ";")
            guard let first = pieces.first, let tag = match(String(first)) else { return nil }
            let q = pieces.dropFirst().compactMap { piece -> Double? in
                let trimmed = piece.trimmingCharacters(in: .whitespaces)
                return trimmed.hasPrefix("q=") ? Double(trimmed.dropFirst(2)) : nil
            }.first ?? 1
            return q > 0 ? (q, index, tag) : nil
        }
        return ranked.sorted { ($0.0, -$0.1) > ($1.0, -$1.1) }.first?.2 ?? locales.first ?? .english
    }

    static let style = """
    :root { --brand: \(WebLook.defaultColor); }
    * { box-sizing: border-box; }
    body { margin: 0; font: 18px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1a1a1a; background: #f6f7f9; }
    header { background: var(--brand); padding: .5rem 1rem; }
    nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; }
    nav a { color: #fff; }
    nav a[aria-current="true"] { font-weight: 700; }
    main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem; }
    h1 { color: var(--brand); margin-top: 0; }
    h1 .logo { vertical-align: middle; margin-inline-end: .5rem; }
    .ways { padding-inline-start: 1.25rem; }
    .ways a { color: var(--brand); }
    .emergency { border-inline-start: 4px solid #a4161a; padding: .5rem 1rem; background: #fff; }
    :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
    """
}
