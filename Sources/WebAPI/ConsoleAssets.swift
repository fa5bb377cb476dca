import CityModel
import Foundation
import Rendering

/// The console's page, script and style sheet: plain HTML, CSS and JavaScript kept in the binary, so a city
/// deploys one file and nothing is fetched from elsewhere.
enum ConsoleAssets {

    static func program(_ city: City) -> String { HTMLText.escape(city.program.resolve(.english, fallbacks: city.fallbackLocales)) }

    /// The opening of every page the server serves, up to the end of `<head>`: language and direction, the
    /// title, the page's style sheet and, when it has one, its script.
    /// The start of a page, to `</head>`. `brand`: the residents' pages, which take the city's colour (`/brand.css`).
    static func head(_ title: String, locale: LanguageTag = .english, stylesheet: String, script: String? = nil,
                     meta: String = "", brand: Bool = false) -> String {
        """
        <!doctype html>
        <html lang="\(HTMLText.escape(locale.code))" dir="\(locale.isRightToLeft ? "rtl" : "ltr")">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <link rel="stylesheet" href="\(stylesheet)">
        \(brand ? "<link rel=\"stylesheet\" href=\"/brand.css\">\n" : "")\(meta)\(script.map { "<script src=\"\($0)\" defer></script>\n" } ?? "")</head>
        """
    }

    /// The sign-in form; `next` is where to go after (the dashboard), else the console.
    static func signIn(city: City, error: String?, next: String? = nil) -> String {
        let program = program(city)
        return head("Sign in — \(program) operators' console", stylesheet: "/console/console.css") + """

        <body>
        <main id="main" class="sign-in">
        <h1>\(program) operators' console</h1>
        <form method="post" action="/console/sign-in">
        \(next.map { "<input type=\"hidden\" name=\"next\" value=\"\(HTMLText.escape($0))\">" } ?? "")
        \(error.map { "<p class=\"error\" role=\"alert\" id=\"sign-in-error\">\(HTMLText.escape($0))</p>" } ?? "")
        <label for="token">Staff token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required\(error == nil ? "" : " aria-describedby=\"sign-in-error\" aria-invalid=\"true\"")>
        <p class="hint">Ask an administrator for one: <code>cityline token create --role staff --department …</code></p>
        <button type="submit">Sign in</button>
        </form>
        </main>
        </body>
        </html>
        """
    }

    /// `notices`: the area-notice form (admin tokens), or empty.
    static func app(city: City, who: String, department: String?, csrf: String, notices: String = "") -> String {
        let program = program(city)
        let departments = city.departments.map { department in
            "<option value=\"\(HTMLText.escape(department.code))\">\(HTMLText.escape(department.name.resolve(.english, fallbacks: city.fallbackLocales)))</option>"
        }.joined(separator: "\n")
        let services = city.services.map { service in
            "<option value=\"\(HTMLText.escape(service.code))\">\(HTMLText.escape(service.name.resolve(.english, fallbacks: city.fallbackLocales)))</option>"
        }.joined(separator: "\n")
        let scope = department.map { HTMLText.escape(city.departmentName($0, in: .english)) } ?? "all departments"
        return head("\(program) operators' console", stylesheet: "/console/console.css", script: "/console/console.js",
                    meta: "<meta name=\"csrf-token\" content=\"\(HTMLText.escape(csrf))\">\n") + """

        <body>
        <a class="skip" href="#conversation">Skip to the conversation</a>
        <header>
        <h1>\(program) operators' console</h1>
        <p>Signed in as <strong id="who">\(HTMLText.escape(who))</strong> · \(scope)</p>
        <form method="post" action="/console/sign-out">
        <input type="hidden" name="csrf" value="\(HTMLText.escape(csrf))">
        <button type="submit">Sign out</button>
        </form>
        </header>
        <main id="main">
        <section id="queue" aria-labelledby="queue-title">
        <h2 id="queue-title">Residents waiting for a person</h2>
        <p id="queue-status" role="status">Connecting…</p>
        <ul id="queue-list"></ul>
        </section>
        <section id="conversation" aria-labelledby="conversation-title" tabindex="-1">
        <h2 id="conversation-title">No conversation selected</h2>
        <p id="conversation-meta"></p>
        <ol id="transcript" aria-label="Messages" aria-live="polite"></ol>
        <p id="tickets"></p>
        <h3>Internal notes</h3>
        <ul id="notes"></ul>
        <div id="actions" hidden>
        <form id="reply-form">
        <label for="canned">Canned response</label>
        <select id="canned"><option value="">Choose one to edit…</option></select>
        <label for="reply">Reply to the resident</label>
        <textarea id="reply" rows="3" maxlength="1600" required></textarea>
        <button type="submit">Send reply</button>
        </form>
        <form id="note-form">
        <label for="note">Internal note (the resident does not see it)</label>
        <input id="note" maxlength="1600" required>
        <button type="submit">Add note</button>
        </form>
        <form id="transfer-form">
        <label for="department">Hand to another department</label>
        <select id="department">
        \(departments)
        </select>
        <button type="submit">Transfer</button>
        </form>
        <form id="file-form">
        <fieldset>
        <legend>File a report for this resident</legend>
        <label for="service">Service</label>
        <select id="service" required>
        \(services)
        </select>
        <label for="description">What is wrong</label>
        <textarea id="description" rows="2" maxlength="4000" required></textarea>
        <label for="address">Where: an address or cross streets</label>
        <input id="address" maxlength="200" required>
        <button type="submit">File the report</button>
        </fieldset>
        </form>
        <p id="filed" role="status"></p>
        <form id="close-form">
        <label for="closing">Last message (optional)</label>
        <input id="closing" maxlength="1600">
        <button type="submit">Close and hand back to the bot</button>
        </form>
        </div>
        <p id="feedback" role="alert"></p>
        </section>
        \(notices)
        </main>
        </body>
        </html>
        """
    }

    static let style = """
    :root { --ink: #1a1a1a; --muted: #4b5563; --accent: #1f4e8c; --line: #c9ced6; --bg: #f6f7f9; --error: #a4161a; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); background: var(--bg); }
    header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; padding: .75rem 1.5rem; background: var(--accent); color: #fff; }
    header h1 { font-size: 1.25rem; margin: 0; }
    header p { margin: 0; }
    header button { background: #fff; color: var(--accent); }
    main { display: grid; grid-template-columns: minmax(16rem, 1fr) 2fr; gap: 1.5rem; padding: 1.5rem; }
    main.sign-in { display: block; max-width: 28rem; margin: 4rem auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
    h2 { font-size: 1.1rem; margin-top: 0; }
    h3 { font-size: 1rem; margin-bottom: .25rem; }
    #notes { margin-top: 0; }
    section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; }
    #queue-list { list-style: none; margin: 0; padding: 0; }
    #queue-list li { margin: 0 0 .5rem; }
    #queue-list button { width: 100%; text-align: start; background: #fff; color: var(--ink); border: 1px solid var(--line); }
    #queue-list button[aria-current="true"] { border: 2px solid var(--accent); background: #e8eef7; }
    .state { font-weight: 600; }
    #transcript { list-style: none; padding: 0; max-height: 50vh; overflow-y: auto; }
    #transcript li { margin: .5rem 0; padding: .5rem .75rem; border-radius: 8px; max-width: 85%; white-space: pre-wrap; }
    #transcript .resident { background: #eef0f3; }
    #transcript .bot { background: #f3f0e6; margin-inline-start: auto; }
    #transcript .operator { background: #e2ecf8; margin-inline-start: auto; }
    #transcript .who { display: block; font-size: .8rem; color: var(--muted); }
    label { display: block; font-weight: 600; margin-top: .75rem; }
    input, select, textarea { font: inherit; width: 100%; padding: .5rem; border: 1px solid #6b7280; border-radius: 4px; }
    button { font: inherit; margin-top: .5rem; padding: .5rem 1rem; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
    :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
    .error, #feedback { color: var(--error); }
    fieldset { border: 1px solid var(--line); border-radius: 4px; margin-top: 1rem; }
    legend { font-weight: 600; }
    .hint { color: var(--muted); font-size: .9rem; }
    .skip { position: absolute; left: -999px; }
    .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
    @media (max-width: 48rem) { main { grid-template-columns: 1fr; } }
    """

    static let script = #"""
    "use strict";
    (() => {
      const csrf = document.querySelector('meta[name="csrf-token"]').content;
      const $ = (id) => document.getElementById(id);
      let queue = [];
      let selected = null;
      let seen = null;
      let prefilled = null;

      async function api(path, options = {}) {
        const headers = { "Accept": "application/json" };
        if (options.body !== undefined) {
          headers["Content-Type"] = "application/json";
          headers["X-CSRF-Token"] = csrf;
        }
        const response = await fetch(path, { method: options.method || "GET", headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), credentials: "same-origin" });
        const data = await response.json().catch(() => ({}));
        if (response.status === 401) { window.location.reload(); }
        if (!response.ok) { throw new Error((data.error && data.error.message) || ("HTTP " + response.status)); }
        return data;
      }

      function minutesSince(iso) {
        return Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60000));
      }

      function describe(c) {
        const waited = minutesSince(c.waiting_since);
        const state = c.state === "waiting" ? "Waiting " + waited + " min" : "With " + (c.assigned_to || "an operator");
        return state + " · " + c.channel.toUpperCase() + " · " + (c.locale || "language unknown") + " · " + c.address;
      }

      function renderQueue() {
        const list = $("queue-list");
        const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.id : null;
        list.replaceChildren(...queue.map((c) => {
          const item = document.createElement("li");
          const button = document.createElement("button");
          button.type = "button";
          button.dataset.id = c.id;
          button.textContent = describe(c);
          if (c.id === selected) { button.setAttribute("aria-current", "true"); }
          button.addEventListener("click", () => select(c.id));
          item.append(button);
          return item;
        }));
        const waiting = queue.filter((c) => c.state === "waiting").length;
        $("queue-status").textContent = queue.length === 0 ? "Nobody is waiting." : waiting + " waiting, " + (queue.length - waiting) + " with an operator.";
        if (focused) {
          const again = list.querySelector('button[data-id="' + focused + '"]');
          if (again) { again.focus(); }
        }
      }

      async function select(id) {
        selected = id;
        renderQueue();
        await load();
        $("conversation").focus();
      }

      async function load() {
        if (!selected) { return; }
        const c = await api("/api/v1/conversations/" + encodeURIComponent(selected));
        seen = c.last_message_at;
        $("conversation-title").textContent = "Conversation " + c.id + " (" + c.state + ")";
        $("conversation-meta").textContent = describe(c) + (c.department ? " · " + c.department : "");
        const transcript = $("transcript");
        transcript.lang = c.locale || "";
        transcript.dir = c.dir || "auto";
        transcript.replaceChildren(...c.messages.map((m) => {
          const item = document.createElement("li");
          item.className = m.from;
          const who = document.createElement("span");
          who.className = "who";
          who.lang = "en";
          who.dir = "ltr";
          who.textContent = ({ resident: "Resident", bot: "Bot", operator: "Operator" })[m.from] + " · " + new Date(m.at).toLocaleTimeString();
          const text = document.createElement("span");
          text.textContent = m.text;
          item.append(who, text);
          return item;
        }));
        transcript.scrollTop = transcript.scrollHeight;
        $("notes").replaceChildren(...(c.notes || []).map((n) => {
          const item = document.createElement("li");
          item.textContent = n.author + " · " + new Date(n.at).toLocaleTimeString() + ": " + n.text;
          return item;
        }));
        $("tickets").textContent = c.ticket_ids && c.ticket_ids.length ? "Reports: " + c.ticket_ids.join(", ") : "No reports yet.";
        if (prefilled !== c.id) {
          // What the resident wrote, and the report they had started with the bot, as a start for the form.
          const report = c.report || {};
          if (report.service_code && [...$("service").options].some((o) => o.value === report.service_code)) { $("service").value = report.service_code; }
          $("description").value = c.messages.filter((m) => m.from === "resident").map((m) => m.text).join(" / ").slice(0, 4000);
          $("description").lang = c.locale || "";
          $("address").value = report.address || "";
          $("filed").textContent = "";
          prefilled = c.id;
        }
        const open = c.state !== "closed";
        $("actions").hidden = !open;
        if (open) {
          const canned = await api("/api/v1/conversations/" + encodeURIComponent(selected) + "/canned");
          const select = $("canned");
          select.replaceChildren(select.options[0], ...canned.responses.map((r) => {
            const option = document.createElement("option");
            option.value = r.text;
            option.textContent = r.text;
            option.lang = canned.locale;
            return option;
          }));
          $("reply").lang = canned.locale;
          $("reply").dir = canned.dir;
          $("closing").lang = canned.locale;
          $("closing").dir = canned.dir;
        }
      }

      async function act(path, body, done) {
        $("feedback").textContent = "";
        try {
          await api("/api/v1/conversations/" + encodeURIComponent(selected) + path, { method: "POST", body });
          done();
          await load();
        } catch (error) {
          $("feedback").textContent = error.message;
        }
      }

      $("canned").addEventListener("change", (event) => {
        if (event.target.value) { $("reply").value = event.target.value; $("reply").focus(); }
      });
      $("reply-form").addEventListener("submit", (event) => {
        event.preventDefault();
        act("/messages", { text: $("reply").value }, () => { $("reply").value = ""; $("canned").value = ""; });
      });
      $("close-form").addEventListener("submit", (event) => {
        event.preventDefault();
        act("/close", { text: $("closing").value }, () => { $("closing").value = ""; });
      });
      $("note-form").addEventListener("submit", (event) => {
        event.preventDefault();
        act("/notes", { text: $("note").value }, () => { $("note").value = ""; });
      });
      $("file-form").addEventListener("submit", (event) => {
        event.preventDefault();
        const body = { service_code: $("service").value, description: $("description").value, address: $("address").value };
        $("feedback").textContent = "";
        api("/api/v1/conversations/" + encodeURIComponent(selected) + "/tickets", { method: "POST", body })
          .then((ticket) => {
            $("filed").textContent = "Report #" + ticket.id + " filed (" + ticket.service_name + ", " + ticket.department + "). The resident gets the tracking number.";
            return load();
          })
          .catch((error) => { $("feedback").textContent = error.message; });
      });
      $("transfer-form").addEventListener("submit", (event) => {
        event.preventDefault();
        act("/transfer", { department: $("department").value }, () => {});
      });

      const events = new EventSource("/console/events");
      events.addEventListener("queue", (event) => {
        queue = JSON.parse(event.data).conversations;
        renderQueue();
        const current = queue.find((c) => c.id === selected);
        if (current && current.last_message_at !== seen) { load().catch((error) => { $("feedback").textContent = error.message; }); }
      });
      events.addEventListener("error", () => { $("queue-status").textContent = "Reconnecting…"; });
      setInterval(renderQueue, 60000);
    })();
    """#
}
