import CityModel
import Foundation
import Localization

/// An inbound message as the engine sees it, whatever the channel.
public struct Inbound: Hashable, Sendable {
    public var text: String
    public var media: [MediaRef]
    public var channel: Channel
    public init(text: String, media: [MediaRef] = [], channel: Channel = .sms) {
        self.text = text
        self.media = media
        self.channel = channel
    }
}

/// What the host knows that a turn may need, looked up before the turn so the engine stays pure.
public struct TurnContext: Hashable, Sendable {
    /// The resident's own tickets, plus any ticket whose number appears in the message
    /// (see `Engine.referencedTrackingNumbers(in:)`).
    public var tickets: [TicketSummary]
    /// The number a ticket created in this turn gets.
    public var newTrackingNumber: TrackingNumber
    public init(tickets: [TicketSummary] = [], newTrackingNumber: TrackingNumber) {
        self.tickets = tickets
        self.newTrackingNumber = newTrackingNumber
    }
}

/// The outcome of one turn: the new session and what happened.
public struct Turn: Hashable, Sendable {
    public var session: Session
    public var events: [Event]
    /// The language this turn's messages are in (the session's, or this turn's best guess when not yet known).
    public var locale: LanguageTag

    /// The messages of this turn, in order.
    public var messages: [OutboundMessage] {
        events.compactMap { if case .messageCreated(let message) = $0 { message } else { nil } }
    }
}

/// The conversation engine: `(session, inbound, context, now) → (session, events)`, pure and deterministic.
///
/// It reads what a resident writes on any channel, works out what and where the problem is, asks the service's
/// questions, and ends in `ticketRequested`. Commands (STATUS, HELP, STOP/START, CANCEL/RESTART, AGENT or 0,
/// LANGUAGE, MENU) work at any point; emergencies get "call 911" at once. All text leaves as message keys.
public struct Engine: Sendable {
    public let city: City
    public let lexicon: Lexicon
    let classifier: Classifier
    let triage: Triage
    let locations = LocationExtractor()
    let answers: AnswerReader
    let detector: LanguageDetector

    public init(city: City, lexicon: Lexicon) {
        self.city = city
        self.lexicon = lexicon
        detector = LanguageDetector(catalogWords: city.wordsByLanguage, preferred: city.locales.map(\.language))
        classifier = Classifier(city: city)
        triage = Triage(city: city)
        answers = AnswerReader(lexicon: lexicon)
    }

    /// Tracking numbers written in `text` ("STATUS 1000009"), for the host to look up before the turn.
    public func referencedTrackingNumbers(in text: String) -> [TrackingNumber] {
        TextFolding.words(text).compactMap(TrackingNumber.init(parsing:))
    }

    public func handle(_ session: Session, _ inbound: Inbound, context: TurnContext, now: Date) -> Turn {
        var turn = TurnBuilder(
            session: session, now: now, locale: session.locale ?? city.defaultLocale, channel: inbound.channel
        )
        let text = inbound.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let folded = TextFolding.fold(text)
        expireIfIdleTooLong(&turn)
        turn.session.lastActivity = now

        if turn.session.optedOut {
            handleWhileOptedOut(&turn, folded: folded)
            return turn.result
        }
        adoptCommandLanguage(&turn, folded: folded)
        if handleCommand(&turn, folded: folded, context: context) { return turn.result }
        if case .choosingLanguage(let pending, let resume) = turn.session.state {
            readLanguageChoice(&turn, text: text, folded: folded, pending: pending, resume: resume, context: context)
            return turn.result
        }
        let language = noticeLanguage(&turn, text: text)
        if let code = triage.emergency(in: text) {
            triageEmergency(&turn, code: code)
            return turn.result
        }
        if language == .ask {
            askLanguage(&turn, pending: text)
            return turn.result
        }
        if turn.session.state == .withAgent {
            if !text.isEmpty { turn.events.append(.forwardedToAgent(text)) }
            return turn.result
        }
        continueDialog(&turn, text: text, folded: folded, media: inbound.media, context: context)
        turn.session.welcomed = true
        return turn.result
    }

    // MARK: - Session lifetime

    private func expireIfIdleTooLong(_ turn: inout TurnBuilder) {
        guard let last = turn.session.lastActivity,
              turn.now.timeIntervalSince(last) >= Double(city.timings.sessionExpiry),
              turn.session.state != .idle || turn.session.draft != nil else { return }
        let wasWithAgent = turn.session.state == .withAgent
        turn.session.state = .idle
        turn.session.draft = nil
        turn.events.append(.sessionEnded(.expired))
        if !wasWithAgent { turn.say("session.expired") }
    }

    private func handleWhileOptedOut(_ turn: inout TurnBuilder, folded: String) {
        switch lexicon.command(exactly: folded, locale: turn.locale) {
        case .start:
            turn.session.optedOut = false
            turn.events.append(.optedIn)
            turn.say("optin.confirmed", ["program": .text(program(turn))])
        case .help:
            sayHelp(&turn)
        default:
            break // Nothing goes out after STOP but the one confirmation, HELP and the START reply.
        }
    }

    private func triageEmergency(_ turn: inout TurnBuilder, code: String) {
        turn.events.append(.emergencyTriaged(trigger: code))
        turn.say("emergency", ["program": .text(program(turn))], kind: .emergency)
        if turn.session.draft != nil || turn.session.state != .idle {
            turn.session.draft = nil
            turn.session.state = .idle
            turn.events.append(.sessionEnded(.emergency))
        }
    }

    func program(_ turn: TurnBuilder) -> String { city.program.resolve(turn.locale, fallbacks: city.fallbackLocales) }

    func sayHelp(_ turn: inout TurnBuilder) {
        turn.say("help", ["program": .text(program(turn)), "phone": .text(city.phone)])
    }
}

/// The turn being built: the session as it changes and the events so far.
struct TurnBuilder {
    var session: Session
    var events: [Event] = []
    let now: Date
    var locale: LanguageTag
    let channel: Channel

    init(session: Session, now: Date, locale: LanguageTag, channel: Channel) {
        self.session = session
        self.now = now
        self.locale = locale
        self.channel = channel
    }

    mutating func say(_ key: String, _ args: [String: MessageArgument] = [:], kind: MessageKind = .reply) {
        events.append(.messageCreated(OutboundMessage(key, args, kind: kind)))
    }

    var result: Turn { Turn(session: session, events: events, locale: locale) }
}
