import CityModel
import Foundation
import Localization

extension Engine {
    /// Handles a command sent as the whole message; returns false when the text is not one.
    func handleCommand(_ turn: inout TurnBuilder, folded: String, context: TurnContext) -> Bool {
        if handleAlerts(&turn, folded: folded) { return true }
        // "STATUS 1234567" and "LANGUAGE es" — but not "check the light on Elm" or "language barrier at city hall".
        if let (command, argument) = lexicon.command(prefixOf: folded, marked: turn.marked, locale: turn.locale, among: [.status, .language, .follow]) {
            if command == .follow, argument.filter(\.fastIsNumber).count >= 2 {
                follow(&turn, argument: argument, context: context)
                return true
            }
            if command == .status, argument.filter(\.fastIsNumber).count >= 2 {
                answerStatus(&turn, argument: argument, context: context)
                return true
            }
            if command == .language, !argument.contains(" ") || locale(named: argument) != nil {
                changeLanguage(&turn, argument: argument)
                return true
            }
        }
        // "0" asks for a person, except as the answer to a number question.
        if folded == "0", !isAskingNumber(turn.session) {
            handOff(&turn)
            return true
        }
        guard let command = lexicon.command(exactly: folded, marked: turn.marked, locale: turn.locale) else { return false }
        switch command {
        case .stop:
            turn.session.optedOut = true
            endDialog(&turn, .optedOut)
            turn.events.append(.optedOut)
            turn.say("optout.confirmed", ["program": .text(program(turn))], kind: .optOutConfirmation)
        case .start:
            turn.say("optin.already", ["program": .text(program(turn))])
        case .help:
            sayHelp(&turn)
            reprompt(&turn)
        case .status:
            answerStatus(&turn, argument: "", context: context)
        case .cancel:
            if hasDialog(turn.session) {
                endDialog(&turn, .cancelled)
                turn.say("cancel.done")
            } else {
                turn.say("cancel.nothing")
            }
        case .restart:
            // "NEW" answers "… is already being handled. Reply FOLLOW … or NEW …": the report goes on.
            if case .offeringDuplicate = turn.session.state { return false }
            endDialog(&turn, .restarted)
            turn.say("restart.done")
        case .agent:
            handOff(&turn)
        case .language:
            changeLanguage(&turn, argument: "")
        case .menu:
            if turn.session.state == .withAgent { return false }
            if turn.session.draft == nil { turn.session.draft = ReportDraft(startedAt: turn.now) }
            askGroup(&turn, unclear: false)
        case .alerts, .alertsOff:
            return false // read above (handleAlerts)
        case .yes, .no, .skip, .done, .follow:
            return false // answers, read by the dialog step that asked (FOLLOW needs a number)
        }
        return true
    }

    private func isAskingNumber(_ session: Session) -> Bool {
        guard case .askingAttribute(let index, _) = session.state,
              let code = session.draft?.serviceCode, let attributes = city.service(code)?.attributes,
              attributes.indices.contains(index) else { return false }
        return attributes[index].datatype == .number
    }

    func hasDialog(_ session: Session) -> Bool { session.draft != nil || session.state != .idle }

    func endDialog(_ turn: inout TurnBuilder, _ reason: EndReason) {
        guard hasDialog(turn.session) else { return }
        turn.session.draft = nil
        turn.session.state = .idle
        turn.events.append(.sessionEnded(reason))
    }

    // MARK: - AGENT

    /// "can I talk to someone?", "quiero hablar con una persona", "我要人工": like AGENT, anywhere in a message.
    /// Read after triage, so "I need to talk to someone, my son wants to kill himself" gets the crisis answer.
    func handlePersonRequest(_ turn: inout TurnBuilder) -> Bool {
        guard let language = lexicon.personRequest(in: turn.words) else { return false }
        if turn.session.locale == nil, let match = LanguageDetector.locale(for: language.language, among: city.locales) {
            adopt(&turn, match)
        }
        handOff(&turn)
        return true
    }

    func handOff(_ turn: inout TurnBuilder) {
        let open = city.businessHours.isOpen(at: turn.now, in: city.timeZone)
        turn.events.append(.handedOff(duringBusinessHours: open))
        if let draft = turn.session.draft, draft.serviceCode != nil || draft.location != nil || !draft.description.isEmpty {
            turn.events.append(.reportHandedOver(draft))
        }
        if hasDialog(turn.session) { turn.events.append(.sessionEnded(.handedOff)) }
        turn.session.draft = nil
        turn.session.state = .withAgent
        if open {
            turn.say("agent.open")
        } else if let opening = city.businessHours.nextOpeningDate(after: turn.now, in: city.timeZone) {
            turn.say("agent.closed", ["opening": .date(opening), "phone": .text(city.phone)])
        } else {
            turn.say("agent.unstaffed", ["phone": .text(city.phone)])
        }
    }

    // MARK: - STATUS

    private func answerStatus(_ turn: inout TurnBuilder, argument: String, context: TurnContext) {
        defer { reprompt(&turn) }
        let digits = argument.filter { $0.isASCII && $0.fastIsNumber }
        if argument.isEmpty || digits.isEmpty {
            let open = context.tickets.filter { $0.status.isOpen }.sorted { $0.requestedAt > $1.requestedAt }
            if open.isEmpty {
                turn.say("status.none")
            } else {
                turn.say("status.list", ["count": .number(open.count), "tickets": .list(open.prefix(5).map { statusRow($0, turn) })])
            }
            return
        }
        guard let number = TrackingNumber(parsing: digits) else {
            turn.say("status.invalid")
            return
        }
        guard let ticket = context.tickets.first(where: { $0.trackingNumber == number }) else {
            turn.say("status.unknown", ["number": .text(number.digits)])
            return
        }
        var args = statusRow(ticket, turn)
        args["updated"] = .date(ticket.updatedAt)
        if let note = ticket.publicNote { args.merge(MessageArgument.statusNote(note)) { $1 } }
        if let expected = ticket.expectedAt, ticket.status.isOpen { args["expected"] = .day(expected) }
        if let location = ticket.locationText { args["location"] = .text(location) }
        turn.say("status.one", args)
    }

    private func statusRow(_ ticket: TicketSummary, _ turn: TurnBuilder) -> [String: MessageArgument] {
        [
            "number": .text(ticket.trackingNumber.digits),
            "service": .text(serviceName(ticket.serviceCode, turn)),
            "status": .key("status.name.\(ticket.status.rawValue)"),
        ]
    }

    func serviceName(_ code: String, _ turn: TurnBuilder) -> String {
        city.serviceName(code, in: turn.locale)
    }
}
