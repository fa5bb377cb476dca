import CityModel
import Foundation
import Localization
import Rendering
import Testing

/// The channel templates of `Templates/`: every email a resident can get, per locale, compared with a reviewed
/// snapshot (`__Snapshots__/email.<locale>.txt`), and the rules that keep templates safe to edit.
@Suite struct TemplateTests {
    static let email = ChannelAddress(channel: .email, address: "maria@example.org")
    static let sms = ChannelAddress(channel: .sms, address: "+12175550100")
    static let ticket = TrackingNumber(serial: 100_000)

    /// Kinds of email a resident gets, each with a sample message.
    static let emails: [(String, MessageKind)] = [
        ("report.created", .reply), ("ack.created", .acknowledgement), ("update.status", .statusUpdate), ("update.closed", .statusUpdate),
        ("survey.ask_fixed", .survey), ("survey.reminder", .reminder), ("help", .reply), ("optout.confirmed", .optOutConfirmation),
        ("agent.reply", .operatorReply), ("alerts.subscribed", .reply), ("alerts.notice", .alert),
    ]

    @Test(arguments: MessageSnapshotTests.locales)
    func emailSnapshot(locale code: String) throws {
        let demo = try DemoCity.shared
        let locale = LanguageTag(code)
        let samples = MessageSamples.arguments(for: locale, city: demo.city)
        var text = "# Every kind of email in \(code), as sent: subject, plain text, then the HTML alternative.\n"
        for (key, kind) in Self.emails {
            let composed = try #require(demo.composer.compose([OutboundMessage(key, samples[key] ?? [:], kind: kind)],
                                                              to: Self.email, locale: locale, ticket: Self.ticket).first)
            text += "\n## \(key) (\(kind.rawValue))\nSubject: \(composed.subject ?? "")\n\n\(composed.body)\n"
            if key == "report.created" { text += "\n### HTML\n\(composed.html ?? "")" }
            // An area notice is about no report: its subject names the alert.
            #expect(kind == .alert ? composed.subject?.contains("311") == true : composed.subject?.contains(Self.ticket.digits) == true)
            #expect(!composed.body.contains("[email."), "\(code): a template string is missing")
            #expect(composed.html?.contains("<html lang=\"\(locale.code)\" dir=\"\(locale.isRightToLeft ? "rtl" : "ltr")\">") == true)
        }
        try Snapshot.check(text, named: "email.\(code).txt")
    }

    @Test func oneEmailPerTurnWithItsMessagesAsParagraphs() throws {
        let demo = try DemoCity.shared
        let composed = demo.composer.compose([OutboundMessage("survey.thanks"), OutboundMessage("survey.reopened", ["number": .text("1000002")])],
                                             to: Self.email, locale: .english, ticket: Self.ticket)
        #expect(composed.count == 1)
        let body = try #require(composed.first?.body)
        #expect(body.hasPrefix("Thank you! Your answers help us do better.\n\nSorry it's not fixed. We reopened #1000002"))
        #expect(composed.first?.html?.contains("<p>Thank you! Your answers help us do better.</p>\n<p>Sorry it&#39;s not fixed.") == true)
        // SMS keeps one text per message.
        #expect(demo.composer.compose([OutboundMessage("survey.thanks"), OutboundMessage("survey.ask_rating")],
                                      to: Self.sms, locale: .english, ticket: nil).count == 2)
    }

    /// Strings say how they reach the resident: "texts" on a phone, "emails" in a mailbox.
    @Test(arguments: [("en", "STOP to stop texts", "STOP to stop emails"), ("es", "ALTO para no recibir textos", "ALTO para no recibir correos"),
                      ("zh-Hans", "停止接收短信", "停止接收邮件")])
    func stringsNameTheChannel(_ code: String, _ sms: String, _ email: String) throws {
        let demo = try DemoCity.shared
        let help = [OutboundMessage("help", ["program": .text("Springfield 311"), "phone": .text("311")])]
        #expect(demo.composer.compose(help, to: Self.sms, locale: LanguageTag(code), ticket: nil).first?.body.contains(sms) == true)
        #expect(demo.composer.compose(help, to: Self.email, locale: LanguageTag(code), ticket: nil).first?.body.contains(email) == true)
    }

    @Test func htmlIsEscapedInTheHTMLPartOnlyAndLinksWork() throws {
        let demo = try DemoCity.shared
        let args: [String: MessageArgument] = ["answer": .text("Bins <b>out</b> by 7 & see https://springfield.example/trash.")]
        let composed = try #require(demo.composer.compose([OutboundMessage("info.answer", args)], to: Self.email,
                                                          locale: .english, ticket: nil).first)
        #expect(composed.body.hasPrefix("Bins <b>out</b> by 7 & see https://springfield.example/trash."))
        let html = try #require(composed.html)
        #expect(html.contains("Bins &lt;b&gt;out&lt;/b&gt; by 7 &amp; see <a href=\"https://springfield.example/trash\">https://springfield.example/trash</a>."))
        #expect(!html.contains("<b>out"))
        #expect(composed.subject == "Springfield 311")
    }

    @Test func unsubscribeLinkShowsOnlyWhenThereIsOne() throws {
        let demo = try DemoCity.shared
        let message = [OutboundMessage("survey.thanks")]
        let with = try #require(demo.composer.compose(message, to: Self.email, locale: .english, ticket: nil).first)
        #expect(with.body.contains("Unsubscribe from these emails: https://springfield.example/unsubscribe/maria-at-example.org"))
        #expect(with.html?.contains("<a href=\"https://springfield.example/unsubscribe/maria-at-example.org\"") == true)
        let plain = MessageComposer(renderer: demo.renderer, templates: demo.composer.templates, city: demo.city)
        let without = try #require(plain.compose(message, to: Self.email, locale: .english, ticket: nil).first)
        #expect(!without.body.contains("Unsubscribe"))
        #expect(without.html?.contains("unsubscribe") == false)
    }

    @Test func aKindCanHaveItsOwnTemplate() throws {
        let demo = try DemoCity.shared
        let templates = TemplateSet(sources: Self.minimal + [
            .init(name: "sms/survey/message", file: "sms/survey/message.mustache", text: "{{body}} ({{strings.email.subject.ticket}})"),
        ])
        #expect(templates.problems == [])
        let composer = MessageComposer(renderer: demo.renderer, templates: templates, city: demo.city)
        let survey = composer.compose([OutboundMessage("survey.ask_rating", kind: .survey)], to: Self.sms, locale: LanguageTag("es"), ticket: Self.ticket)
        #expect(survey.first?.body.hasSuffix("(Springfield 311: reporte #\(Self.ticket.digits))") == true)
        let reply = composer.compose([OutboundMessage("survey.ask_rating")], to: Self.sms, locale: .english, ticket: Self.ticket)
        #expect(reply.first?.body == "How happy are you with how we handled it? Reply 1 (very unhappy) to 5 (very happy).")
    }

    @Test func brokenTemplatesAreReportedWithFileAndLine() {
        let templates = TemplateSet(sources: [
            .init(name: "sms/message", file: "Templates/sms/message.mustache", text: "{{body}}\n{{#ticket}}\n#{{ticket.number}}\n"),
            .init(name: "email/subject", file: "Templates/email/subject.mustache", text: "{{program}}"),
            .init(name: "email/reminders/text", file: "Templates/email/reminders/text.mustache", text: "{{body}}"),
            .init(name: "email/layout.html", file: "Templates/email/layout.html.mustache", text: "<p>"),
        ])
        #expect(templates.problems.map(\.description) == [
            "Templates/email/layout.html.mustache: 'layout.html': template and folder names are letters, digits, _ and -",
            "Templates/email/reminders/text.mustache: 'reminders' is not a kind of message (one of acknowledgement, alert, emergency, "
                + "notice, operator_reply, opt_out_confirmation, reminder, reply, status_update, survey)",
            "Templates/sms/message.mustache:4: a section is not closed: ",
            "Templates/chat/message.mustache: missing: every chat message needs it",
            "Templates/email/text.mustache: missing: every email message needs it",
            "Templates/email/html.mustache: missing: every email message needs it",
        ])
    }

    @Test func checkFindsAStringATemplateShowsButALocaleLacks() throws {
        let demo = try DemoCity.shared
        var sources = Self.minimal
        sources[0].text = "{{body}} {{strings.sms.signature}}"
        let composer = MessageComposer(renderer: demo.renderer, templates: TemplateSet(sources: sources), city: demo.city)
        let problems = ConfigurationCheck(city: demo.city, catalog: demo.renderer.catalog, composer: composer).problems()
        #expect(problems.contains("sms/message.mustache: shows string 'sms.signature', which en does not have"))
        #expect(problems.contains("sms/message.mustache: shows string 'sms.signature', which ar does not have"))
    }

    /// The smallest complete set: the body as is on every channel.
    static let minimal: [TemplateSet.Source] = [
        .init(name: "sms/message", file: "sms/message.mustache", text: "{{body}}"),
        .init(name: "chat/message", file: "chat/message.mustache", text: "{{body}}"),
        .init(name: "email/subject", file: "email/subject.mustache", text: "{{program}}"),
        .init(name: "email/text", file: "email/text.mustache", text: "{{body}}"),
        .init(name: "email/html", file: "email/html.mustache", text: "<html lang=\"{{lang}}\" dir=\"{{dir}}\">{{{body_html}}}</html>"),
    ]
}

/// Reviewed text snapshots in `__Snapshots__/`; `CITYLINE_RECORD=1` rewrites them.
enum Snapshot {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")

    static func check(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["CITYLINE_RECORD"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        } else {
            let expected = try String(contentsOf: file, encoding: .utf8)
            #expect(text == expected, "\(name) differs; review and re-record with CITYLINE_RECORD=1", sourceLocation: sourceLocation)
        }
    }
}
