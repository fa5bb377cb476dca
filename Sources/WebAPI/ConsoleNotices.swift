import CityModel
import Foundation
import Rendering

/// The console's area-notice form (admin tokens): the area (everyone, a jurisdiction, or a GeoJSON polygon pasted
/// from a map tool), the text per language, the emergency flag and topic; "Show the cost" asks the API for a dry
/// run (recipients and SMS segments per language, GSM-7 or UCS-2, how long pacing takes, which languages fall
/// back), and only then may the notice be sent. Sent notices are listed with their counts and a cancel button.
enum ConsoleNotices {
    static func section(city: City) -> String {
        let jurisdictions = city.jurisdictions.map { jurisdiction in
            "<option value=\"jurisdiction:\(HTMLText.escape(jurisdiction.id))\">\(HTMLText.escape(jurisdiction.name.resolve(.english, fallbacks: city.fallbackLocales)))</option>"
        }.joined(separator: "\n")
        let topics = city.alertTopics.map { topic in
            "<option value=\"\(HTMLText.escape(topic.code))\">\(HTMLText.escape(topic.name.resolve(.english, fallbacks: city.fallbackLocales)))</option>"
        }.joined(separator: "\n")
        let texts = city.locales.map { locale in
            let code = HTMLText.escape(locale.code)
            return """
            <label for="notice-text-\(code)">Text in \(code)\(locale == city.defaultLocale ? " (the fallback for languages left empty)" : "")</label>
            <textarea id="notice-text-\(code)" data-locale="\(code)" lang="\(code)" dir="\(locale.isRightToLeft ? "rtl" : "ltr")" maxlength="1600" rows="2"></textarea>
            """
        }.joined(separator: "\n")
        return """
        <section id="notices" aria-labelledby="notices-title">
        <h2 id="notices-title">Send an area notice</h2>
        <form id="notice-form">
        <label for="notice-area">Who gets it</label>
        <select id="notice-area">
        <option value="all">Everyone who opted in</option>
        \(jurisdictions)
        <option value="polygon">The residents inside a polygon (GeoJSON below)</option>
        </select>
        <label for="notice-polygon">GeoJSON Polygon or MultiPolygon ([longitude, latitude])</label>
        <textarea id="notice-polygon" rows="3" spellcheck="false"></textarea>
        \(topics.isEmpty ? "" : "<label for=\"notice-topic\">Topic</label>\n<select id=\"notice-topic\"><option value=\"\">Every subscriber</option>\n\(topics)\n</select>")
        \(texts)
        <label><input type="checkbox" id="notice-emergency"> Emergency: send in quiet hours too</label>
        <button type="button" id="notice-cost">Show the cost</button>
        <div id="notice-preview" role="status" aria-live="polite"></div>
        <button type="submit" id="notice-send" disabled>Send the notice</button>
        </form>
        <h3>Sent notices</h3>
        <ul id="notice-list"></ul>
        </section>
        <script src="/console/notices.js" defer></script>
        """
    }

    static let script = #"""
    "use strict";
    (() => {
      const csrf = document.querySelector('meta[name="csrf-token"]').content;
      const $ = (id) => document.getElementById(id);
      let previewed = null;

      async function api(path, body) {
        const headers = { "Accept": "application/json" };
        if (body !== undefined) { headers["Content-Type"] = "application/json"; headers["X-CSRF-Token"] = csrf; }
        const response = await fetch(path, { method: body === undefined ? "GET" : "POST", headers,
          body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
        const data = await response.json().catch(() => ({}));
        if (!response.ok) { throw new Error((data.error && data.error.message) || ("HTTP " + response.status)); }
        return data;
      }

      function request() {
        const choice = $("notice-area").value;
        let area = "all";
        if (choice.startsWith("jurisdiction:")) { area = { jurisdiction: choice.slice("jurisdiction:".length) }; }
        if (choice === "polygon") {
          try { area = JSON.parse($("notice-polygon").value); } catch (error) { throw new Error("The polygon is not valid JSON."); }
        }
        const messages = {};
        document.querySelectorAll("#notice-form textarea[data-locale]").forEach((field) => {
          if (field.value.trim() !== "") { messages[field.dataset.locale] = field.value; }
        });
        const body = { area, messages, emergency: $("notice-emergency").checked };
        const topic = $("notice-topic");
        if (topic && topic.value) { body.topic = topic.value; }
        return body;
      }

      function minutes(seconds) { return seconds < 90 ? Math.round(seconds) + " s" : Math.round(seconds / 60) + " min"; }

      function show(cost) {
        const out = $("notice-preview");
        out.textContent = "";
        const summary = document.createElement("p");
        summary.textContent = cost.recipients + " recipients (" + cost.suppressed_opt_out + " opted out, not sent), " +
          cost.sms_segments + " SMS segments: about " + minutes(cost.pacing_seconds) + " at " + cost.segments_per_second +
          " segments a second" + (cost.held_quiet_hours ? "; " + cost.held_quiet_hours + " wait for the end of quiet hours." : ".");
        out.appendChild(summary);
        const table = document.createElement("table");
        table.innerHTML = "<thead><tr><th scope=\"col\">Language</th><th scope=\"col\">Recipients</th><th scope=\"col\">Text</th><th scope=\"col\">SMS</th></tr></thead>";
        const rows = document.createElement("tbody");
        cost.languages.forEach((language) => {
          const row = document.createElement("tr");
          [language.locale, String(language.recipients),
           language.fallback ? "missing: gets the " + language.text_locale + " text" : language.text_locale,
           language.encoding + ", " + language.segments + " segment" + (language.segments === 1 ? "" : "s")].forEach((text) => {
            const cell = document.createElement("td");
            cell.textContent = text;
            row.appendChild(cell);
          });
          rows.appendChild(row);
        });
        table.appendChild(rows);
        out.appendChild(table);
      }

      async function list() {
        const data = await api("/api/v1/notices?limit=20");
        const items = $("notice-list");
        items.textContent = "";
        data.notices.forEach((notice) => {
          const item = document.createElement("li");
          item.textContent = "#" + notice.id + " " + notice.created_at + (notice.emergency ? " (emergency)" : "") + ": " + notice.state +
            " — targeted " + notice.targeted + ", queued " + notice.queued + ", sent " + notice.sent + ", failed " + notice.failed +
            ", opted out " + notice.suppressed_opt_out + ", held for quiet hours " + notice.held_quiet_hours + ", cancelled " + notice.cancelled + " ";
          if (notice.state === "sending") {
            const cancel = document.createElement("button");
            cancel.type = "button";
            cancel.textContent = "Cancel #" + notice.id;
            cancel.addEventListener("click", async () => {
              if (!window.confirm("Withdraw the messages of notice #" + notice.id + " that have not gone yet?")) { return; }
              try { await api("/api/v1/notices/" + notice.id + "/cancel", {}); await list(); }
              catch (error) { $("notice-preview").textContent = error.message; }
            });
            item.appendChild(cancel);
          }
          items.appendChild(item);
        });
      }

      $("notice-form").addEventListener("input", () => { previewed = null; $("notice-send").disabled = true; });
      $("notice-cost").addEventListener("click", async () => {
        try {
          const body = request();
          const data = await api("/api/v1/notices", Object.assign({}, body, { dry_run: true }));
          show(data.cost);
          previewed = body;
          $("notice-send").disabled = false;
        } catch (error) { $("notice-preview").textContent = error.message; }
      });
      $("notice-form").addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!previewed) { return; }
        if (!window.confirm("Send this notice to " + $("notice-preview").querySelector("p").textContent + "?")) { return; }
        try {
          const data = await api("/api/v1/notices", previewed);
          $("notice-preview").textContent = "Notice #" + data.id + " queued for " + data.queued + " residents.";
          previewed = null;
          $("notice-send").disabled = true;
          await list();
        } catch (error) { $("notice-preview").textContent = error.message; }
      });
      list().catch(() => {});
      setInterval(() => { list().catch(() => {}); }, 15000);
    })();
    """#
}
