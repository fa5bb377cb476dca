import CityModel
import Foundation
import Geocoding
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
    /// Open tickets near the report being made, once the host has looked them up (see `Turn.nearbyQuery`); nil
    /// before.
    public var nearby: [NearbyTicket]?
    public init(tickets: [TicketSummary] = [], newTrackingNumber: TrackingNumber, nearby: [NearbyTicket]? = nil) {
        self.tickets = tickets
        self.newTrackingNumber = newTrackingNumber
        self.nearby = nearby
    }
}

/// The outcome of one turn: the new session and what happened.
public struct Turn: Hashable, Sendable {
    public var session: Session
    public var events: [Event]
    /// The language this turn's messages are in (the session's, or this turn's best guess when not yet known).
    public var locale: LanguageTag
    /// Open tickets the turn needs to know about (a report may duplicate one): the host looks them up and runs
    /// the (pure) turn again with them in `TurnContext.nearby`.
    public var nearbyQuery: NearbyQuery?

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
    /// The city's emergency triage (also used by `cityline classify`).
    public let triage: Triage
    let locations = LocationExtractor()
    /// The city's own address data: places residents name become points (empty: they stay text).
    public let geocoder: Geocoder
    let answers: AnswerReader
    let detector: LanguageDetector

    public init(city: City, lexicon: Lexicon, geocoder: Geocoder = Geocoder(GeoData())) {
        self.city = city
        self.lexicon = lexicon
        self.geocoder = geocoder
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
        turn.nearby = context.nearby
        let text = TextFolding.trimmed(inbound.text)
        // The text is folded and split once; commands, triage and answers all read it.
        let words = FoldedText(text)
        let folded = words.folded
        turn.words = words
        turn.text = text
        turn.marked = words.hasMarks ? words.markedText : nil
        expireIfIdleTooLong(&turn)
        turn.session.lastActivity = now
        // Past the city's flood limit the message is kept but not answered — except STOP, START and emergencies.
        if !admit(&turn), !isConsentCommand(turn, folded: folded) {
            answerTooFast(&turn, words: words)
            return turn.result
        }

        if turn.session.optedOut {
            if !handleWhileOptedOut(&turn, folded: folded), let finding = triage.assess(words, text: text, placed: { isInCityLanguage(text) }) {
                // Nothing goes out after STOP — except "call 911" to someone who writes about an emergency, or
                // about signs of danger.
                if finding.answer == .caution { caution(&turn, finding) } else { answerEmergency(&turn, finding) }
            }
            return turn.result
        }
        adoptCommandLanguage(&turn, folded: folded)
        if handleCommand(&turn, folded: folded, context: context) { return turn.result }
        // Emergencies come first at every step: the first message, mid-report, in a survey, in the language menu,
        // while waiting for (or talking with) an operator. Signs of danger that are not sure enough for that get
        // "if anyone is in danger now, call 911" before the turn's usual answer.
        let finding = triage.assess(words, text: text, placed: { isInCityLanguage(text) })
        if let finding, finding.answer != .caution {
            if case .choosingLanguage(_, let resume) = turn.session.state { turn.session.state = resume }
            _ = noticeLanguage(&turn, text: text)
            answerEmergency(&turn, finding)
            return turn.result
        }
        continueTurn(&turn, text: text, folded: folded, inbound: inbound, context: context)
        if let finding { caution(&turn, finding) }
        return turn.result
    }

    /// The turn of a message that is not a command or an emergency: a request for a person, the language menu,
    /// a message for the operator, or the dialog.
    private func continueTurn(_ turn: inout TurnBuilder, text: String, folded: String, inbound: Inbound, context: TurnContext) {
        if handlePersonRequest(&turn) { return }
        if case .choosingLanguage(let pending, let resume) = turn.session.state {
            readLanguageChoice(&turn, text: text, folded: folded, pending: pending, resume: resume, context: context)
            return
        }
        let language = noticeLanguage(&turn, text: text)
        if language == .ask {
            askLanguage(&turn, pending: text)
            return
        }
        if turn.session.state == .withAgent {
            if !text.isEmpty { turn.events.append(.forwardedToAgent(text)) }
            return
        }
        continueDialog(&turn, text: text, folded: folded, media: inbound.media, context: context)
        turn.session.welcomed = true
    }

    // MARK: - Session lifetime

    private func expireIfIdleTooLong(_ turn: inout TurnBuilder) {
        // A resident waiting for (or talking with) a person stays in the operators' queue however long it takes:
        // only an operator, RESTART or STOP takes them out.
        guard let last = turn.session.lastActivity,
              turn.now.timeIntervalSince(last) >= Double(city.timings.sessionExpiry),
              turn.session.state != .withAgent,
              turn.session.state != .idle || turn.session.draft != nil else { return }
        turn.session.state = .idle
        turn.session.draft = nil
        turn.events.append(.sessionEnded(.expired))
        turn.say("session.expired")
    }

    /// START and HELP while opted out; returns false for anything else (which gets no answer, unless an emergency).
    private func handleWhileOptedOut(_ turn: inout TurnBuilder, folded: String) -> Bool {
        switch lexicon.command(exactly: folded, marked: turn.marked, locale: turn.locale) {
        case .start:
            turn.session.optedOut = false
            turn.events.append(.optedIn)
            turn.say("optin.confirmed", ["program": .text(program(turn))])
            return true
        case .help:
            sayHelp(&turn)
            return true
        default:
            return false // Nothing goes out after STOP but the one confirmation, HELP and the START reply.
        }
    }

    /// "Call 911" (and 988 for someone in crisis) in the resident's language; any report in progress ends, and no
    /// ticket is opened. A resident whose language is not known yet is answered in the language of the words
    /// that raised the alarm.
    func answerEmergency(_ turn: inout TurnBuilder, _ finding: Triage.Finding) {
        adoptLanguage(of: finding, &turn)
        turn.events.append(.emergencyTriaged(trigger: finding.code))
        turn.session.pace?.emergencyAnsweredAt = turn.now
        // An operator who has the conversation sees what the resident wrote as well.
        if turn.session.state == .withAgent { turn.events.append(.forwardedToAgent(turn.text)) }
        let key = finding.answer == .crisis ? "crisis" : "emergency"
        turn.say(key, ["program": .text(program(turn))], kind: .emergency)
        if turn.session.draft != nil || (turn.session.state != .idle && turn.session.state != .withAgent) {
            turn.session.draft = nil
            turn.session.state = .idle
            turn.events.append(.sessionEnded(.emergency))
        }
    }

    /// Signs of danger, not sure enough to end the turn (a `caution` trigger): "if anyone is in danger now, call
    /// 911" comes first, before whatever else the turn answers, and is counted for the KPIs.
    func caution(_ turn: inout TurnBuilder, _ finding: Triage.Finding) {
        adoptLanguage(of: finding, &turn)
        turn.events.insert(.messageCreated(OutboundMessage("caution", ["program": .text(program(turn))], kind: .emergency)), at: 0)
        turn.events.append(.dangerCautioned(trigger: finding.code))
    }

    /// A resident whose language is not known yet is answered in the language of the words that raised the alarm.
    private func adoptLanguage(of finding: Triage.Finding, _ turn: inout TurnBuilder) {
        if turn.session.locale == nil, let match = finding.answerLocale(among: city.locales) {
            turn.locale = match
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
    /// The whole message, folded and split once.
    var words = FoldedText("")
    /// The whole message as written (trimmed).
    var text = ""
    /// The whole message lower-cased with its marks, when the resident typed any (see `TextFolding.marked`).
    var marked: String?
    /// Open tickets near the report, when the host looked them up (`TurnContext.nearby`).
    var nearby: [NearbyTicket]?
    /// What this turn asks the host to look up.
    var nearbyQuery: NearbyQuery?

    init(session: Session, now: Date, locale: LanguageTag, channel: Channel) {
        self.session = session
        self.now = now
        self.locale = locale
        self.channel = channel
    }

    mutating func say(_ key: String, _ args: [String: MessageArgument] = [:], kind: MessageKind = .reply) {
        events.append(.messageCreated(OutboundMessage(key, args, kind: kind)))
    }

    var result: Turn { Turn(session: session, events: events, locale: locale, nearbyQuery: nearbyQuery) }

    /// `text` folded: the turn's words when it is the whole message, else folded now.
    func folded(_ text: String) -> FoldedText { text == self.text ? words : FoldedText(text) }
}
