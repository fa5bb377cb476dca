import CityModel
import Foundation
import HTTPTypes
import Hummingbird
import Localization
import NIOCore
import Rendering

/// The city's look on the residents' pages (`web:` in `city.yaml`): `/brand.css` carries its colour,
/// `/brand/logo` its logo; and the chat widget, `/chat/widget.js`, the one tag a city puts on its own site.
struct WebBrand: Sendable {
    let city: City
    let renderer: MessageRenderer

    func register(on router: Router<WebContext>) {
        let css = ":root { --brand: \(city.web.color); }\n"
        router.get("/brand.css") { _, _ in Console.asset(css, type: "text/css; charset=utf-8") }
        if let logo = city.web.logo {
            router.get("/brand/logo") { _, _ in
                var headers = Console.securityHeaders
                headers[.contentType] = logo.contentType
                headers[.cacheControl] = "public, max-age=3600"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: logo.data)))
            }
        }
        let widget = widgetScript()
        router.get("/chat/widget.js") { _, _ in
            // Loaded by the city's own pages: cacheable, and nothing in it is personal.
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600",
                                            .xContentTypeOptions: "nosniff", HTTPField.Name("Cross-Origin-Resource-Policy")!: "cross-origin"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: widget)))
        }
    }

    /// The logo for a page's header (decorative: the program's name is beside it), or nothing.
    static func logo(_ city: City) -> String {
        city.web.logo == nil ? "" : "<img class=\"logo\" src=\"/brand/logo\" alt=\"\" height=\"40\">"
    }

    /// `Content-Security-Policy` for `/chat`, which the sites in `embed_on` may show in a frame.
    static func chatPolicy(_ city: City) -> String {
        // A photo being sent shows from a blob: URL before it is uploaded.
        Console.contentSecurityPolicy(frameAncestors: (["'self'"] + city.web.embedOrigins).joined(separator: " "), images: "'self' blob:")
    }

    /// The widget: a button in the corner of the city's page that opens `/chat` in a panel, in the page's language
    /// (its `lang`, or `data-lang` on the tag), on the side where the page's text ends. Everything it needs is in
    /// this one file; it touches nothing of the page but its own element.
    func widgetScript() -> String {
        var labels: [String: [String: String]] = [:]
        for locale in city.locales {
            let program = city.program.resolve(locale, fallbacks: city.fallbackLocales)
            labels[locale.code] = ["open": renderer.render("chat.title", ["program": .text(program)], locale: locale),
                                   "close": renderer.render("chat.close", [:], locale: locale),
                                   "dir": locale.isRightToLeft ? "rtl" : "ltr"]
        }
        let data = (try? JSONSerialization.data(withJSONObject: labels, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        let json = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
        return Self.widgetTemplate
            .replacingOccurrences(of: "__LABELS__", with: json)
            .replacingOccurrences(of: "__COLOR__", with: city.web.color)
            .replacingOccurrences(of: "__DEFAULT__", with: city.defaultLocale.code)
    }

    static let widgetTemplate = #"""
    "use strict";
    // CityLine web chat widget: <script src="https://311.example.gov/chat/widget.js" async></script>
    (() => {
      const script = document.currentScript;
      if (!script || window.__citylineChat) { return; }
      window.__citylineChat = true;
      const base = new URL(script.src).origin;
      const labels = __LABELS__;
      const wanted = (script.dataset.lang || document.documentElement.lang || navigator.language || "").toLowerCase();
      const codes = Object.keys(labels);
      const code = codes.find((c) => c.toLowerCase() === wanted)
        || codes.find((c) => c.toLowerCase().split("-")[0] === wanted.split("-")[0]) || "__DEFAULT__";
      const text = labels[code];
      const side = (document.documentElement.dir || text.dir) === "rtl" ? "left" : "right";

      const host = document.createElement("div");
      host.id = "cityline-chat";
      const root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
      const button = document.createElement("button");
      button.type = "button";
      button.lang = code;
      button.textContent = text.open;
      button.setAttribute("aria-expanded", "false");
      Object.assign(button.style, {
        position: "fixed", bottom: "1rem", [side]: "1rem", zIndex: "2147483000", font: "600 1rem/1.4 system-ui, sans-serif",
        padding: ".75rem 1.25rem", border: "0", borderRadius: "2rem", background: "__COLOR__", color: "#fff", cursor: "pointer",
        boxShadow: "0 2px 8px rgba(0,0,0,.3)",
      });
      const panel = document.createElement("div");
      panel.setAttribute("role", "dialog");
      panel.setAttribute("aria-label", text.open);
      panel.lang = code;
      panel.dir = text.dir;
      panel.hidden = true;
      Object.assign(panel.style, {
        position: "fixed", bottom: "4.5rem", [side]: "1rem", zIndex: "2147483000", width: "min(24rem, calc(100vw - 2rem))",
        height: "min(40rem, calc(100vh - 6rem))", background: "#fff", border: "1px solid #6b7280", borderRadius: "8px",
        boxShadow: "0 4px 16px rgba(0,0,0,.3)", display: "flex", flexDirection: "column", overflow: "hidden",
      });
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "✕";
      close.setAttribute("aria-label", text.close);
      Object.assign(close.style, { alignSelf: "flex-end", font: "1rem system-ui, sans-serif", margin: ".25rem", padding: ".25rem .6rem",
                                   border: "1px solid #6b7280", borderRadius: "4px", background: "#fff", color: "#1a1a1a", cursor: "pointer" });
      let frame = null;
      function open() {
        if (!frame) {
          // Loaded on first open: no connection, and nothing stored, until the resident asks for the chat.
          frame = document.createElement("iframe");
          frame.src = base + "/chat?embed=1&lang=" + encodeURIComponent(code);
          frame.title = text.open;
          Object.assign(frame.style, { flex: "1", border: "0", width: "100%" });
          panel.append(frame);
        }
        panel.hidden = false;
        panel.style.display = "flex";
        button.setAttribute("aria-expanded", "true");
        frame.focus();
      }
      function shut() {
        panel.hidden = true;
        panel.style.display = "none";
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
      button.addEventListener("click", () => (panel.hidden ? open() : shut()));
      close.addEventListener("click", shut);
      panel.addEventListener("keydown", (event) => { if (event.key === "Escape") { shut(); } });
      panel.style.display = "none";
      panel.append(close);
      root.append(panel, button);
      (document.body || document.documentElement).append(host);
    })();
    """#
}
