import CityModel
import Foundation
import Localization
import Messaging
import Mustache

/// Turns what the engine wants said into what a channel sends: each message's text from `Locales/`
/// (`MessageRenderer`), framed by the channel's template from `Templates/` (`TemplateSet`).
///
/// SMS and chat send one message per engine message. Email sends one email per call, its messages as
/// paragraphs, with a subject that stays the same for one ticket (so every mail client threads it), a plain-text
/// body and an HTML alternative. SMS bodies get plain punctuation (`SMSText.normalize`).
///
/// Templates see: `body`, `body_html` (email: the body as escaped HTML paragraphs), `subject` (email HTML),
/// `program`, `city`, `phone`, `website`, `ticket.number`, `kind.<kind>` (true for this message's kind),
/// `lang`, `dir` (`ltr`/`rtl`), `unsubscribe_url` (email, when the server has a public URL), and `strings.<key>`:
/// the `Locales/` string `<key>` in the message's language, rendered with the values above.
public struct MessageComposer: Sendable {
    /// One message as a channel sends it.
    public struct Composed: Hashable, Sendable {
        /// Email only.
        public var subject: String?
        public var body: String
        /// Email only: the HTML alternative.
        public var html: String?
        public var kind: MessageKind

        public init(subject: String? = nil, body: String, html: String? = nil, kind: MessageKind) {
            self.subject = subject
            self.body = body
            self.html = html
            self.kind = kind
        }
    }

    public let renderer: MessageRenderer
    public let templates: TemplateSet
    /// What each channel can carry: how a turn's messages are grouped, templated and fitted.
    public let profiles: ChannelProfiles
    let city: City
    let unsubscribeLink: @Sendable (ChannelAddress) -> String?

    /// - Parameters:
    ///   - unsubscribeLink: the one-click unsubscribe URL for an email address, or nil.
    ///   - profiles: the channels' profiles; nil: the shipped ones, SMS limited to the city's `sms.max_segments`.
    public init(renderer: MessageRenderer, templates: TemplateSet, city: City,
                unsubscribeLink: @escaping @Sendable (ChannelAddress) -> String? = { _ in nil }, profiles: ChannelProfiles? = nil) {
        self.renderer = renderer
        self.templates = templates
        self.city = city
        self.unsubscribeLink = unsubscribeLink
        self.profiles = profiles ?? ChannelProfiles(smsSegments: city.smsSegmentLimit)
    }

    /// `messages` in `locale` for `address`, about `ticket` when there is one, answering the resident's message
    /// `thread` when the channel threads (an email's subject is then "Re: <their subject>").
    public func compose(_ messages: [OutboundMessage], to address: ChannelAddress, locale: LanguageTag,
                        ticket: TrackingNumber?, thread: MessageThread? = nil) -> [Composed] {
        guard !messages.isEmpty else { return [] }
        let profile = profiles[address.channel]
        let texts = messages.map { renderer.text($0.key, $0.args, locale: locale, on: address.channel, messages: profile.messages) }
        if profile.grouping == .combined {
            return [email(body: texts.joined(separator: "\n\n"), kind: messages[0].kind, to: address, locale: locale, ticket: ticket,
                          thread: profile.threading ? thread : nil)]
        }
        return zip(messages, texts).map { message, text in
            guard profile.templateParts.contains("message") else { return Composed(body: text, kind: message.kind) }
            let context = values(body: text, kind: message.kind, to: address, locale: locale, ticket: ticket)
            var body = trimmed(templates.render(address.channel, "message", kind: message.kind, context: context) ?? text)
            if profile.plainPunctuation { body = SMSText.normalize(body) }
            if let segments = profile.maxSegments { body = SMSText.fit(body, segments: segments, locale: locale) }
            if let limit = profile.maxLength, body.count > limit { body = String(body.prefix(limit - 1)) + "…" }
            return Composed(body: body, kind: message.kind)
        }
    }

    /// `composed`, made for `from`, as it reads for any other address of the same channel in the same language: the
    /// only part of a message that depends on its recipient is the email's unsubscribe link, put in by the returned
    /// function. Lets one message to many (an area notice) be rendered once per channel and language; the text is
    /// split around the link once, so each copy costs one join.
    public func retargeting(_ composed: Composed, from: ChannelAddress) -> @Sendable (ChannelAddress) -> Composed {
        guard from.channel == .email, let old = unsubscribeLink(from) else { return { _ in composed } }
        let link = unsubscribeLink
        let body = composed.body.components(separatedBy: old)
        let escapedOld = HTMLText.escape(old)
        let raw = composed.html?.components(separatedBy: old)
        let escaped = composed.html?.components(separatedBy: escapedOld)
        // Where the HTML shows the link escaped (attributes), it is put back escaped.
        let (html, escapes) = (escaped?.count ?? 0) > (raw?.count ?? 0) ? (escaped, true) : (raw, false)
        return { to in
            guard to != from, let new = link(to) else { return composed }
            var result = composed
            result.body = body.joined(separator: new)
            result.html = html?.joined(separator: escapes ? HTMLText.escape(new) : new)
            return result
        }
    }

    /// One email: subject, text and HTML.
    func email(body: String, kind: MessageKind, to address: ChannelAddress, locale: LanguageTag, ticket: TrackingNumber?,
               thread: MessageThread? = nil) -> Composed {
        let context = values(body: body, kind: kind, to: address, locale: locale, ticket: ticket)
        // An answer to the resident's own mail keeps their subject, so it stays in the thread they started.
        let subject = thread?.subject.map { "Re: \($0)" } ?? (templates.render(.email, "subject", kind: kind, context: context) ?? "")
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: " ")
        context.subject = subject
        context.bodyHTML = HTMLText.paragraphs(body)
        let text = templates.render(.email, "text", kind: kind, context: context).map(trimmed) ?? body
        let html = templates.render(.email, "html", kind: kind, context: context)
        return Composed(subject: subject, body: text, html: html, kind: kind)
    }

    func values(body: String, kind: MessageKind, to address: ChannelAddress, locale: LanguageTag, ticket: TrackingNumber?) -> TemplateValues {
        TemplateValues(composer: self, body: body, kind: kind, address: address, locale: locale, ticket: ticket)
    }

    private func trimmed(_ text: String) -> String { TextFolding.trimmed(text) }
}

/// What every template can show, looked up by name only when a template asks (an SMS template that shows only
/// the body costs nothing more), and worked out once per message however many templates and strings ask.
final class TemplateValues: MustacheParent {
    let composer: MessageComposer
    let body: String
    let kind: MessageKind
    let address: ChannelAddress
    let locale: LanguageTag
    let ticket: TrackingNumber?
    var subject: String?
    var bodyHTML: String?

    init(composer: MessageComposer, body: String, kind: MessageKind, address: ChannelAddress, locale: LanguageTag, ticket: TrackingNumber?) {
        self.composer = composer
        self.body = body
        self.kind = kind
        self.address = address
        self.locale = locale
        self.ticket = ticket
    }

    func child(named name: String) -> Any? {
        switch name {
        case "body": body
        case "body_html": bodyHTML
        case "subject": subject
        case "kind": [kind.rawValue: true]
        case "lang": locale.code
        case "dir": locale.isRightToLeft ? "rtl" : "ltr"
        case "ticket": ticket.map { ["number": $0.digits] }
        // Strings get the channel's section flags, as the message's own strings do.
        case "strings": LocaleStrings(path: "") { [self] key in
            composer.renderer.text(key, arguments, locale: locale, on: address.channel, messages: composer.profiles[address.channel].messages)
        }
        default: arguments[name].map { argument -> Any in if case .text(let text) = argument { text } else { "" } }
        }
    }

    /// The values a template and its `Locales/` strings share (the unsubscribe link is an HMAC: made once).
    lazy var arguments: [String: MessageArgument] = {
        let city = composer.city
        var args: [String: MessageArgument] = [
            "program": .text(city.program.resolve(locale, fallbacks: city.fallbackLocales)),
            "city": .text(city.name.resolve(locale, fallbacks: city.fallbackLocales)),
            "phone": .text(city.phone),
        ]
        if let website = city.website { args["website"] = .text(website) }
        if let ticket { args["number"] = .text(ticket.digits) }
        if address.channel == .email, let link = composer.unsubscribeLink(address) { args["unsubscribe_url"] = .text(link) }
        return args
    }()
}

/// `{{strings.email.footer.reply}}`: each name adds to the key path; the whole path renders as that string.
struct LocaleStrings: MustacheParent, MustacheCustomRenderable {
    let path: String
    let lookup: (String) -> String

    func child(named name: String) -> Any? {
        LocaleStrings(path: path.isEmpty ? name : "\(path).\(name)", lookup: lookup)
    }

    var renderText: String { lookup(path) }
    var isNull: Bool { false }
}
