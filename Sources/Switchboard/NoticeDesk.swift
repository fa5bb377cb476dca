import CityModel
import Foundation
import Localization
import Messaging
import Outreach
import Rendering
import Storage

/// Where an area notice goes: a drawn polygon, a jurisdiction of the city, or every subscriber.
public enum NoticeArea: Sendable, Equatable {
    case polygon(GeoBoundary)
    case jurisdiction(String)
    case all
}

/// What staff ask to send (`POST /api/v1/notices`).
public struct NoticeRequest: Sendable, Equatable {
    public var area: NoticeArea
    /// The area as staff gave it (JSON), kept with the notice.
    public var areaJSON: String
    /// The text per language; a resident whose language has none gets the first text along the fallback chain.
    public var messages: [LanguageTag: String]
    /// Ignores quiet hours — and only that: opt-outs and pacing still apply.
    public var emergency: Bool
    /// One of the city's `alerts.topics`, or nil (every subscriber of the area).
    public var topic: String?

    public init(area: NoticeArea, areaJSON: String, messages: [LanguageTag: String], emergency: Bool = false, topic: String? = nil) {
        self.area = area
        self.areaJSON = areaJSON
        self.messages = messages
        self.emergency = emergency
        self.topic = topic
    }
}

/// Why a notice cannot be sent, in words staff can act on; nothing was queued. `code` is the API error code.
public struct NoticeError: Error, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code): \(message)" }
}

/// What a notice costs before it is sent (and what it cost, after): recipients and SMS segments per language, how
/// long the SMS sender's pace takes to send them all, and which languages fall back to another text.
public struct NoticePreview: Sendable, Equatable {
    public struct Language: Sendable, Equatable {
        /// The recipients' language.
        public var locale: LanguageTag
        /// The language of the text they get (another one when theirs has none: a fallback).
        public var textLocale: LanguageTag
        public var recipients: Int
        public var byChannel: [Channel: Int]
        /// The SMS as sent (the city's frame around the text): GSM-7 or UCS-2, and segments.
        public var sms: SMSCost
        public var isFallback: Bool { textLocale != locale }
    }

    /// Subscribers in the area (one per address), opted-out ones included.
    public var targeted: Int
    /// Subscribers in the area who sent STOP: never sent to.
    public var suppressedOptOut: Int
    /// Messages that will wait for the end of quiet hours (none for an emergency).
    public var heldQuietHours: Int
    /// Per recipients' language, the city's languages first.
    public var languages: [Language]
    /// SMS segments in all.
    public var smsSegments: Int
    /// How long the SMS sender's pace (`TWILIO_SEGMENTS_PER_SECOND`) takes for them, in seconds.
    public var pacingSeconds: Double
    /// The city's languages with no text of their own, and the language their residents get instead.
    public var fallbacks: [LanguageTag: LanguageTag]

    /// Messages to queue.
    public var queued: Int { targeted - suppressedOptOut }
}

/// Sends area notices: checks the request, resolves the recipients once — the subscriptions whose point lies in
/// the area (a bounding box on the stored points, then point-in-polygon), one message per address in the
/// resident's language — and queues them in the durable outbox in one transaction (`AlertStore.createNotice`).
/// Nothing is queued for an address that opted out, and an ordinary notice resolved at night is queued held until
/// the morning in the recipient's time zone; the dispatcher checks both again when each message goes, and the SMS
/// transport paces them per sender.
public struct NoticeDesk: Sendable {
    public let city: City
    /// Where subscriptions and notices are kept (the API reads notices' counts from it).
    public let store: any AlertStore
    let composer: MessageComposer
    let policy: OutreachPolicy
    /// The SMS sender's pace, for the cost shown before sending.
    public let segmentsPerSecond: Double
    let clock: @Sendable () -> Date

    /// The longest text staff may send (Twilio's limit for one message).
    public static let maxTextLength = 1_600

    public init(city: City, store: any AlertStore, composer: MessageComposer, policy: OutreachPolicy? = nil, segmentsPerSecond: Double = 1,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.city = city
        self.store = store
        self.composer = composer
        self.policy = policy ?? OutreachPolicy(city: city)
        self.segmentsPerSecond = segmentsPerSecond
        self.clock = clock
    }

    /// Throws what is wrong with `request`, before anything is read or written.
    public func check(_ request: NoticeRequest) throws {
        guard !request.messages.isEmpty else {
            throw NoticeError("missing_messages", "give the notice's text in at least one language, like {\"en\": \"…\"}")
        }
        for (locale, text) in request.messages.sorted(by: { $0.key < $1.key }) {
            guard city.locales.contains(where: { $0 == locale || locale.parents.contains($0) }) else {
                throw NoticeError("unknown_locale", "'\(locale.code)' is not one of the city's languages (\(city.locales.map(\.code).joined(separator: ", ")))")
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw NoticeError("empty_text", "the \(locale.code) text is empty") }
            guard trimmed.count <= Self.maxTextLength else {
                throw NoticeError("text_too_long", "the \(locale.code) text has \(trimmed.count) characters; at most \(Self.maxTextLength)")
            }
        }
        if let topic = request.topic, city.alertTopic(topic) == nil {
            let known = city.alertTopics.map(\.code)
            throw NoticeError("unknown_topic", known.isEmpty ? "this city defines no alert topics (alerts.topics in city.yaml)"
                              : "unknown topic '\(topic)'; the city's topics are \(known.joined(separator: ", "))")
        }
        switch request.area {
        case .polygon(let boundary):
            if let problem = boundary.problem { throw NoticeError("invalid_area", problem) }
        case .jurisdiction(let id):
            guard city.jurisdiction(id) != nil else {
                throw NoticeError("unknown_jurisdiction", "no jurisdiction '\(id)'; the city's are \(city.jurisdictions.map(\.id).joined(separator: ", "))")
            }
        case .all:
            break
        }
    }

    /// What sending `request` now would do, without sending it.
    public func preview(_ request: NoticeRequest) async throws -> NoticePreview {
        try check(request)
        return try await resolve(request, at: clock()).preview
    }

    /// Sends `request`: resolves the recipients and queues their messages; returns the notice's id and its cost.
    public func send(_ request: NoticeRequest, by sender: String) async throws -> (id: Int64, preview: NoticePreview) {
        try check(request)
        let now = clock()
        let (preview, deliveries) = try await resolve(request, at: now)
        let notice = NewNotice(area: request.areaJSON, messages: request.messages, emergency: request.emergency, topic: request.topic,
                               createdBy: sender, createdAt: now, suppressedOptOut: preview.suppressedOptOut)
        let id = try await store.createNotice(notice, deliveries: deliveries)
        return (id, preview)
    }

    /// Withdraws what has not gone yet; nil when there is no such notice.
    public func cancel(_ id: Int64) async throws -> Int? { try await store.cancelNotice(id, at: clock()) }

    // MARK: - Resolving

    /// Which subscribers the area holds, and each one's message.
    func resolve(_ request: NoticeRequest, at now: Date) async throws -> (preview: NoticePreview, deliveries: [NoticeDelivery]) {
        let (box, contains) = region(request.area)
        let found = try await store.alertSubscribers(in: box, topic: request.topic)
        var seen = Set<ChannelAddress>()
        var recipients: [AlertSubscriber] = []
        var suppressed = 0
        for subscriber in found where contains(subscriber.point) && seen.insert(subscriber.address).inserted {
            if subscriber.optedOut { suppressed += 1 } else { recipients.append(subscriber) }
        }
        var fallbacks: [LanguageTag: LanguageTag] = [:]
        for locale in city.locales where text(for: locale, in: request).locale != locale { fallbacks[locale] = text(for: locale, in: request).locale }

        // One rendering per channel and language (an email's unsubscribe link is put in per address), one send time
        // per time zone: a notice to 100,000 residents renders a handful of messages.
        var rendered: [String: @Sendable (ChannelAddress) -> MessageComposer.Composed] = [:]
        var dueTimes: [String: Date] = [:]
        var languages: [LanguageTag: NoticePreview.Language] = [:]
        var deliveries: [NoticeDelivery] = []
        deliveries.reserveCapacity(recipients.count)
        var held = 0
        var segments = 0
        for subscriber in recipients {
            let locale = self.locale(of: subscriber)
            let address = subscriber.address
            let key = "\(address.channel.rawValue)|\(locale.code)"
            let composed: MessageComposer.Composed
            if let copy = rendered[key] {
                composed = copy(address)
            } else {
                composed = compose(request, to: address, locale: locale)
                rendered[key] = composer.retargeting(composed, from: address)
            }
            var message = RenderedMessage(to: address, subject: composed.subject, body: composed.body, html: composed.html, locale: locale,
                                          kind: .alert)
            if request.emergency { message.urgent = true }
            let zone = subscriber.timeZone ?? ""
            let due: Date
            if request.emergency {
                due = now
            } else if let known = dueTimes[zone] {
                due = known
            } else {
                due = policy.sendTime(.alert, at: now, timeZoneID: subscriber.timeZone)
                dueTimes[zone] = due
            }
            if due > now { held += 1 }
            deliveries.append(NoticeDelivery(message: message, dueAt: due, held: due > now))
            if languages[locale] == nil { languages[locale] = language(locale, request) }
            languages[locale]?.recipients += 1
            languages[locale]?.byChannel[address.channel, default: 0] += 1
            if address.channel == .sms { segments += SMSText.cost(of: message.body).segments }
        }
        // Every city language is shown, with or without recipients: staff see each text's cost before sending.
        for locale in city.locales where languages[locale] == nil { languages[locale] = language(locale, request) }
        let order = city.locales
        let sorted = languages.values.sorted { a, b in
            (order.firstIndex(of: a.locale) ?? order.count, a.locale) < (order.firstIndex(of: b.locale) ?? order.count, b.locale)
        }
        let preview = NoticePreview(
            targeted: recipients.count + suppressed, suppressedOptOut: suppressed, heldQuietHours: held, languages: sorted,
            smsSegments: segments, pacingSeconds: Double(segments) / max(segmentsPerSecond, 0.001), fallbacks: fallbacks
        )
        return (preview, deliveries)
    }

    /// The box to read subscriptions in (nil: everywhere), and the exact test.
    func region(_ area: NoticeArea) -> (GeoBox?, @Sendable (Coordinate) -> Bool) {
        switch area {
        case .all:
            return (nil, { _ in true })
        case .polygon(let boundary):
            return (boundary.boundingBox, { boundary.contains($0) })
        case .jurisdiction(let id):
            if let boundary = city.jurisdiction(id)?.boundary { return (boundary.boundingBox, { boundary.contains($0) }) }
            // A jurisdiction with no boundary holds the points no other one does (the default).
            let city = self.city
            return (nil, { city.jurisdiction(at: $0) == id })
        }
    }

    /// The resident's language among the city's (their own, else its parent, else the city's default).
    func locale(of subscriber: AlertSubscriber) -> LanguageTag {
        guard let locale = subscriber.locale else { return city.defaultLocale }
        return locale.parents.first(where: city.locales.contains) ?? city.defaultLocale
    }

    /// The text for `locale`: its own, else along the fallback chain (its parents, the city's default, English),
    /// else the first given.
    func text(for locale: LanguageTag, in request: NoticeRequest) -> (locale: LanguageTag, text: String) {
        for tag in locale.parents + city.fallbackLocales {
            if let text = request.messages[tag] { return (tag, text) }
        }
        let first = request.messages.sorted { $0.key < $1.key }[0]
        return (first.key, first.value)
    }

    /// The notice as `address`'s channel sends it, framed in `locale` (`alerts.notice`: the program, the text, how to
    /// stop alerts).
    func compose(_ request: NoticeRequest, to address: ChannelAddress, locale: LanguageTag) -> MessageComposer.Composed {
        let text = self.text(for: locale, in: request).text.trimmingCharacters(in: .whitespacesAndNewlines)
        let program = city.program.resolve(locale, fallbacks: city.fallbackLocales)
        let outbound = OutboundMessage("alerts.notice", ["program": .text(program), "text": .text(text)], kind: .alert)
        return composer.compose([outbound], to: address, locale: locale, ticket: nil).first
            ?? MessageComposer.Composed(subject: nil, body: text, html: nil, kind: .alert)
    }

    func language(_ locale: LanguageTag, _ request: NoticeRequest) -> NoticePreview.Language {
        let sample = compose(request, to: ChannelAddress(channel: .sms, address: "+10000000000"), locale: locale)
        return NoticePreview.Language(locale: locale, textLocale: text(for: locale, in: request).locale, recipients: 0, byChannel: [:],
                                      sms: SMSText.cost(of: sample.body))
    }
}
