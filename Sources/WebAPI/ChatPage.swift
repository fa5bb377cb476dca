import CityModel
import Foundation
import Hummingbird
import Localization
import Rendering

/// `GET /chat`: the web chat page, in the resident's language (`?lang=` or `Accept-Language`), talking to
/// `/chat/ws`. The session token lives in the browser (`localStorage`), so a reload, a network change or a server
/// restart resumes the same conversation; messages typed while offline wait in the browser and are sent once
/// (their ids make a resend harmless). Served by the binary: one page, one script, one style sheet.
struct ChatPage: Sendable {
    let city: City
    let renderer: MessageRenderer
    /// Whether residents may send photos (`POST /chat/photos`).
    let takesPhotos: Bool
    /// The largest photo, in bytes.
    var photoMaxBytes = 10 << 20

    func register(on router: Router<WebContext>) {
        router.get("/chat") { request, _ in page(request) }
        router.get("/chat/chat.js") { _, _ in Console.asset(Self.script, type: "text/javascript; charset=utf-8") }
        router.get("/chat/chat.css") { _, _ in Console.asset(Self.style, type: "text/css; charset=utf-8") }
    }

    func page(_ request: Request) -> Response {
        let locale = FrontPage.locale(query: request.uri.queryParameters["lang"].map(String.init),
                                      acceptLanguage: request.headers[.acceptLanguage], among: city.locales)
        let escape = HTMLText.escape
        let program = city.program.resolve(locale, fallbacks: city.fallbackLocales)
        func text(_ key: String, _ args: [String: MessageArgument] = [:]) -> String { escape(renderer.render(key, args, locale: locale)) }
        let title = text("chat.title", ["program": .text(program)])
        let embedded = request.uri.queryParameters["embed"] == "1"
        let photo = takesPhotos ? """
        <label class="photo" for="photo">\(text("chat.photo"))</label>
        <input id="photo" type="file" accept="image/jpeg,image/png,image/webp,image/gif,image/heic">
        """ : ""
        let html = ConsoleAssets.head(title, locale: locale, stylesheet: "/chat/chat.css", script: "/chat/chat.js", brand: true) + """

        <body\(embedded ? " class=\"embedded\"" : "") data-connecting="\(text("chat.connecting"))" data-offline="\(text("chat.offline"))" \
        data-photo-failed="\(text("chat.photo_failed", ["megabytes": .number(photoMaxBytes >> 20)]))" data-photo-max="\(photoMaxBytes)" \
        data-too-fast="\(text("chat.too_fast"))" data-busy="\(text("chat.busy"))">
        <header>
        \(WebBrand.logo(city))<h1>\(title)</h1>
        <p class="emergency">\(text("landing.emergency"))</p>
        </header>
        <main>
        <p class="hint">\(text("chat.hint"))</p>
        <div id="log" role="log" aria-live="polite" aria-label="\(text("chat.log"))" tabindex="0"></div>
        <p id="status" role="status">\(text("chat.connecting"))</p>
        <form id="send">
        <label for="text">\(text("chat.label"))</label>
        <textarea id="text" rows="2" maxlength="2000" required></textarea>
        <div class="actions">
        <button type="submit">\(text("chat.send"))</button>
        \(photo)</div>
        </form>
        </main>
        </body>
        </html>
        """
        var response = Console.html(.ok, html)
        response.headers[.contentSecurityPolicy] = WebBrand.chatPolicy(city)
        return response
    }

    static let style = """
    :root { --brand: \(WebLook.defaultColor); }
    * { box-sizing: border-box; }
    body { margin: 0; font: 18px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1a1a1a; background: #f6f7f9; }
    header { background: var(--brand); color: #fff; padding: .5rem 1rem; }
    header h1 { font-size: 1.25rem; margin: 0; display: inline; vertical-align: middle; }
    header .logo { vertical-align: middle; margin-inline-end: .5rem; }
    .embedded header { padding: .25rem .75rem; }
    .embedded header h1 { font-size: 1rem; }
    .embedded main { padding: .5rem; }
    .embedded .hint { display: none; }
    .embedded #log { max-height: none; height: calc(100vh - 17rem); min-height: 8rem; }
    .actions { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; }
    .photo { display: inline-block; margin: .5rem 0 0; padding: .45rem 1rem; border: 1px solid var(--brand); border-radius: 4px;
             color: var(--brand); background: #fff; font-weight: 600; cursor: pointer; }
    .photo:focus-within { outline: 3px solid #f59e0b; outline-offset: 2px; }
    #photo { position: absolute; width: 1px; height: 1px; opacity: 0; }
    .message img { display: block; max-width: 100%; max-height: 12rem; border-radius: 4px; }
    header .emergency { margin: 0; }
    main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
    #log { background: #fff; border: 1px solid #c9ced6; border-radius: 8px; padding: .75rem; min-height: 12rem; max-height: 60vh; overflow-y: auto; }
    .message { margin: .5rem 0; padding: .5rem .75rem; border-radius: 8px; max-width: 85%; white-space: pre-wrap; overflow-wrap: anywhere; }
    .resident { background: #e2ecf8; margin-inline-start: auto; }
    .bot { background: #eef0f3; }
    .operator { background: #f3f0e6; }
    .pending { opacity: .75; }
    .choices { display: flex; flex-wrap: wrap; gap: .5rem; margin: .25rem 0 .75rem; }
    .choices button { margin: 0; background: #fff; color: var(--brand); border: 1px solid var(--brand); text-align: start; }
    .choices button:disabled { color: #4b5563; border-color: #9ca3af; cursor: default; }
    label { display: block; font-weight: 600; margin-top: .75rem; }
    textarea { font: inherit; width: 100%; padding: .5rem; border: 1px solid #6b7280; border-radius: 4px; }
    button { font: inherit; margin-top: .5rem; padding: .5rem 1.25rem; border: 0; border-radius: 4px; background: var(--brand); color: #fff; cursor: pointer; }
    :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
    #status { color: #4b5563; min-height: 1.5em; }
    """

    static let script = #"""
    "use strict";
    (() => {
      const SESSION = "cityline-chat-session", PENDING = "cityline-chat-pending";
      const log = document.getElementById("log"), status = document.getElementById("status");
      const form = document.getElementById("send"), input = document.getElementById("text");
      const page = document.documentElement.lang;
      const rtl = (code) => /^(ar|fa|he|ur)\b/.test(code || "");
      let socket = null, started = false, delay = 1000;
      const shown = new Set();

      function pending() { try { return JSON.parse(localStorage.getItem(PENDING) || "[]"); } catch { return []; } }
      function savePending(list) { localStorage.setItem(PENDING, JSON.stringify(list)); }

      function show(m, isPending) {
        if (shown.has(m.id)) {
          const existing = log.querySelector('[data-id="' + CSS.escape(m.id) + '"]');
          if (existing && !isPending) { existing.classList.remove("pending"); }
          return;
        }
        shown.add(m.id);
        const item = document.createElement("div");
        item.className = "message " + m.from + (isPending ? " pending" : "");
        item.dataset.id = m.id;
        const lang = m.locale || (m.from === "resident" ? "" : page);
        if (lang) { item.lang = lang; }
        item.dir = m.dir || (m.from === "resident" ? "auto" : (rtl(lang) ? "rtl" : "ltr"));
        item.textContent = m.text || (m.photo ? "📷" : "");
        if (m.preview) {
          const image = document.createElement("img");
          image.src = m.preview;
          image.alt = "";
          item.prepend(image);
        }
        log.append(item);
        if (m.choices && m.choices.length) {
          // The choices as buttons (typing the number works as well); only the latest message's stay active.
          log.querySelectorAll(".choices button").forEach((b) => { b.disabled = true; });
          const group = document.createElement("div");
          group.className = "choices";
          if (lang) { group.lang = lang; }
          group.dir = item.dir;
          m.choices.forEach((c) => {
            const button = document.createElement("button");
            button.type = "button";
            button.textContent = c.key + ". " + c.label;
            button.addEventListener("click", () => submit(c.key));
            group.append(button);
          });
          log.append(group);
        }
        log.scrollTop = log.scrollHeight;
      }

      function send(m) {
        if (socket && started && socket.readyState === WebSocket.OPEN) {
          const frame = { type: "message", id: m.id, text: m.text };
          if (m.photo) { frame.photo = m.photo; }
          socket.send(JSON.stringify(frame));
        }
      }

      function connect() {
        status.textContent = document.body.dataset.connecting;
        socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/chat/ws");
        socket.addEventListener("open", () => {
          socket.send(JSON.stringify({ type: "start", session: localStorage.getItem(SESSION), locale: page }));
        });
        socket.addEventListener("message", (event) => {
          const frame = JSON.parse(event.data);
          if (frame.type === "started") {
            localStorage.setItem(SESSION, frame.session);
            started = true;
            delay = 1000;
            status.textContent = "";
            log.replaceChildren();
            shown.clear();
            frame.history.forEach((m) => show(m, false));
            pending().forEach((m) => { show({ id: m.id, from: "resident", text: m.text, photo: m.photo }, true); send(m); });
          } else if (frame.type === "ack") {
            savePending(pending().filter((m) => m.id !== frame.id));
            const item = log.querySelector('[data-id="' + CSS.escape(frame.id) + '"]');
            if (item) { item.classList.remove("pending"); }
          } else if (frame.type === "message") {
            show(frame, false);
          } else if (frame.type === "error") {
            if (frame.code === "unknown_session") {
              localStorage.removeItem(SESSION);
              socket.send(JSON.stringify({ type: "start", session: null, locale: page }));
            } else {
              if (frame.id) { savePending(pending().filter((m) => m.id !== frame.id)); }
              const said = document.body.dataset;
              status.textContent = frame.code === "too_fast" ? said.tooFast
                : (frame.code === "too_many_connections" || frame.code === "too_many_sessions") ? said.busy : frame.message;
            }
          }
        });
        socket.addEventListener("close", () => {
          started = false;
          status.textContent = document.body.dataset.offline;
          setTimeout(connect, delay);
          delay = Math.min(delay * 2, 15000);
        });
      }

      const newID = () => "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);

      function submit(raw, photo, preview) {
        const text = raw.trim();
        if (!text && !photo) { return; }
        const m = { id: newID(), text };
        if (photo) { m.photo = photo; }
        savePending(pending().concat([m]));
        show({ id: m.id, from: "resident", text, photo, preview }, true);
        send(m);
        input.value = "";
        input.focus();
      }

      // A photo: uploaded first (over HTTP, with the session's token), then sent as a message naming it, with
      // whatever is typed as its caption.
      const picker = document.getElementById("photo");
      if (picker) {
        picker.addEventListener("change", async () => {
          const file = picker.files[0];
          picker.value = "";
          const said = document.body.dataset, session = localStorage.getItem(SESSION);
          if (!file) { return; }
          if (file.size > Number(said.photoMax)) { status.textContent = said.photoFailed; return; }
          if (!session || !started) { status.textContent = said.offline; return; }
          try {
            const response = await fetch("/chat/photos", {
              method: "POST", body: file,
              headers: { "Content-Type": file.type || "application/octet-stream", "X-Chat-Session": session },
            });
            const answer = await response.json().catch(() => ({}));
            if (!response.ok) {
              status.textContent = answer.error && answer.error.code === "too_fast" ? said.tooFast : said.photoFailed;
              return;
            }
            status.textContent = "";
            submit(input.value, answer.photo, URL.createObjectURL(file));
          } catch {
            status.textContent = said.photoFailed;
          }
        });
      }
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        submit(input.value);
      });
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
      });
      connect();
    })();
    """#
}
