import CityLineApp
import CityLineTestSupport
import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing
import WebAPI

/// `GET /`: the public front page in the resident's language.
@Suite struct FrontPageTests {
    @Test func thePageSpeaksTheBrowsersLanguageAndOffersTheOthers() async throws {
        let environment = ["TWILIO_FROM": "+12175550311"]
        let app = try await buildApplication(try .testing(store: .memory(MemoryStore()), environment: environment))
        try await app.test(.router) { client in
            // Spanish first in Accept-Language (Mexican Spanish maps to the city's es).
            try await client.execute(uri: "/", method: .get, headers: [.acceptLanguage: "es-MX,es;q=0.9,en;q=0.5"]) { response in
                let html = String(buffer: response.body)
                #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(html.contains(#"<html lang="es" dir="ltr">"#))
                #expect(html.contains("Cuéntenos un problema en Ciudad de Springfield"))
                #expect(html.contains(#"<a href="sms:+12175550311">Envíe un texto al +12175550311</a>"#))
                #expect(html.contains("¿Emergencia? Llame al 911."))
                // The switch names every language in itself, and marks the current one.
                #expect(html.contains(#"<a href="/?lang=ar" lang="ar" hreflang="ar" dir="rtl">العربية</a>"#))
                #expect(html.contains(#"hreflang="es" dir="ltr" aria-current="true">Español</a>"#))
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            }
            // A language picked in the switch wins; Arabic reads right to left; a q=0 language is never chosen.
            try await client.execute(uri: "/?lang=ar", method: .get, headers: [.acceptLanguage: "es"]) { response in
                #expect(String(buffer: response.body).contains(#"<html lang="ar" dir="rtl">"#))
            }
            try await client.execute(uri: "/?lang=xx", method: .get, headers: [.acceptLanguage: "vi;q=0, zh-CN;q=0.8, fr"]) { response in
                #expect(String(buffer: response.body).contains(#"<html lang="zh-Hans" dir="ltr">"#))
            }
            try await client.execute(uri: "/", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains(#"<html lang="en" dir="ltr">"#) && html.contains(#"<a href="tel:311">Call 311</a>"#))
                #expect(!html.contains("mailto:"), "no email address is set up")
            }
        }
    }

    @Test func theCitysLookAndTheWidgetForItsOwnSite() async throws {
        let app = try await buildApplication(try .testing(store: .memory(MemoryStore())))
        try await app.test(.router) { client in
            try await client.execute(uri: "/brand.css", method: .get) { response in
                #expect(String(buffer: response.body) == ":root { --brand: #1f4e8c; }\n")
            }
            try await client.execute(uri: "/brand/logo", method: .get) { response in
                #expect(response.headers[.contentType] == "image/svg+xml" && String(buffer: response.body).hasPrefix("<svg"))
            }
            try await client.execute(uri: "/", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains(#"<link rel="stylesheet" href="/brand.css">"#) && html.contains(#"<img class="logo" src="/brand/logo" alt="""#))
            }
            // The chat may be framed by the city's own site (embed_on) and this server, nobody else.
            try await client.execute(uri: "/chat?embed=1&lang=es", method: .get) { response in
                let policy = response.headers[.contentSecurityPolicy] ?? ""
                #expect(policy.contains("frame-ancestors 'self' https://springfield.example;"))
                let html = String(buffer: response.body)
                #expect(html.contains(#"<body class="embedded""#) && html.contains(#"<label class="photo" for="photo">Agregar una foto</label>"#))
            }
            try await client.execute(uri: "/chat", method: .get) { response in
                #expect(!String(buffer: response.body).contains(#"class="embedded""#))
            }
            // The widget carries the button's words in every language and the city's colour.
            try await client.execute(uri: "/chat/widget.js", method: .get) { response in
                let script = String(buffer: response.body)
                #expect(response.headers[.contentType]?.hasPrefix("text/javascript") == true)
                #expect(script.contains(#""es":{"close":"Cerrar el chat","dir":"ltr","open":"Chat con Springfield 311"}"#))
                #expect(script.contains(#""ar":{"close":"إغلاق المحادثة","dir":"rtl""#) && script.contains(##"background: "#1f4e8c""##))
                #expect(!script.contains("__LABELS__") && !script.contains("__COLOR__"))
            }
        }
    }
}
