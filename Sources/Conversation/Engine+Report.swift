import CityModel
import Foundation
import Localization

extension Engine {
    /// Routes a message that is not a command to the step the dialog is at.
    func continueDialog(_ turn: inout TurnBuilder, text: String, folded: String, media: [MediaRef], context: TurnContext) {
        if !media.isEmpty {
            if turn.session.draft == nil { turn.session.draft = ReportDraft(startedAt: turn.now) }
            turn.session.draft?.media.append(contentsOf: media)
        }
        switch turn.session.state {
        case .idle, .withAgent, .choosingLanguage:
            startOrDescribe(&turn, text: text, folded: folded, context: context)
        case .survey(let step):
            continueSurvey(&turn, step, text: text, folded: folded, context: context)
        case .confirmingService(let code):
            if lexicon.matches(folded, .yes, locale: turn.locale, marked: turn.marked) {
                chooseService(&turn, code)
            } else if lexicon.matches(folded, .no, locale: turn.locale, marked: turn.marked) {
                askGroup(&turn, unclear: false)
            } else if !text.isEmpty {
                describe(&turn, text: text)
            } else {
                reprompt(&turn)
            }
        case .choosingService(let codes):
            if let n = answers.choice(folded, count: codes.count + 1, locale: turn.locale) {
                n <= codes.count ? chooseService(&turn, codes[n - 1]) : askGroup(&turn, unclear: false)
            } else {
                describeOrRepeat(&turn, text: text, folded: folded)
            }
        case .choosingGroup:
            if let n = answers.choice(folded, count: city.groups.count, locale: turn.locale) {
                turn.session.state = .choosingInGroup(city.groups[n - 1].code)
                reprompt(&turn)
            } else {
                describeOrRepeat(&turn, text: text, folded: folded)
            }
        case .choosingInGroup(let group):
            let services = city.services(inGroup: group)
            if let n = answers.choice(folded, count: services.count + 1, locale: turn.locale) {
                n <= services.count ? chooseService(&turn, services[n - 1].code) : askGroup(&turn, unclear: false)
            } else {
                describeOrRepeat(&turn, text: text, folded: folded)
            }
        case .askingLocation(let attempts):
            readLocation(&turn, text: text, attempts: attempts)
        case .choosingLocation:
            chooseLocation(&turn, text: text, folded: folded)
        case .offeringDuplicate(let number):
            answerDuplicateOffer(&turn, number, text: text, folded: folded)
        case .choosingJurisdiction(let options):
            if let n = answers.choice(folded, count: options.count, locale: turn.locale) {
                turn.session.draft?.jurisdiction = options[n - 1]
                advance(&turn)
            } else {
                turn.say("choice.invalid")
                reprompt(&turn)
            }
        case .askingAttribute(let index, let attempts):
            readAttribute(&turn, text: text, index: index, attempts: attempts)
        case .askingPhoto:
            // Words sent instead of a photo may add to the description ("it's behind the bus stop").
            if media.isEmpty, !text.isEmpty, !isSkip(folded, turn), !lexicon.matches(folded, .yes, locale: turn.locale, marked: turn.marked) {
                turn.session.draft?.description.append(text)
            }
            turn.session.draft?.photoAsked = true
            advance(&turn)
        case .confirmingSummary:
            if lexicon.matches(folded, .yes, locale: turn.locale, marked: turn.marked) {
                submit(&turn, context: context)
            } else if lexicon.matches(folded, .no, locale: turn.locale, marked: turn.marked) {
                turn.session.state = .choosingCorrection
                reprompt(&turn)
            } else if !media.isEmpty, text.isEmpty {
                reprompt(&turn)
            } else {
                turn.say("answer.yes_no")
            }
        case .choosingCorrection:
            correct(&turn, folded: folded)
        }
    }

    private func isSkip(_ folded: String, _ turn: TurnBuilder) -> Bool {
        [.skip, .no, .done].contains { lexicon.matches(folded, $0, locale: turn.locale, marked: turn.marked) }
    }

    /// A message in the idle state: an information question, a greeting, or the start of a report.
    private func startOrDescribe(_ turn: inout TurnBuilder, text: String, folded: String, context: TurnContext) {
        turn.session.state = .idle
        if text.isEmpty {
            // A photo with no words: keep it and ask what it shows.
            turn.say(turn.session.draft == nil ? "welcome" : "report.ask_problem", ["program": .text(program(turn))])
            return
        }
        let result = classifier.classify(turn.folded(text))
        if turn.session.draft == nil, let info = informationAnswer(result) {
            turn.events.append(.informationAnswered(code: info.code))
            turn.say("info.answer", ["answer": .text(info.answer.resolve(turn.locale, fallbacks: city.fallbackLocales))])
            return
        }
        let services = result.candidates.filter { $0.kind == .service }
        if services.isEmpty, locations.extract(from: text) == nil, turn.folded(text).count <= 3, turn.session.draft == nil {
            // "hi", "hello?", "test": say who we are and how this works.
            turn.say("welcome", ["program": .text(program(turn))])
            return
        }
        // A first description was just classified: no need to do it again.
        describe(&turn, text: text, classified: (turn.session.draft?.description.isEmpty ?? true) ? result : nil)
    }

    /// An information entry that clearly beats every service.
    private func informationAnswer(_ result: Classifier.Result) -> InformationEntry? {
        guard let top = result.top, top.kind == .information else { return nil }
        switch result.decision {
        case .confident, .unsure: return city.information.first { $0.code == top.code }
        case .ambiguous, .none: return nil
        }
    }

    /// Adds `text` to the report's description and works out the service from everything said so far.
    func describe(_ turn: inout TurnBuilder, text: String, classified: Classifier.Result? = nil) {
        var draft = turn.session.draft ?? ReportDraft(startedAt: turn.now)
        draft.description.append(text)
        if draft.location == nil, draft.locationChoices == nil, draft.locationProblem == nil,
           let found = locations.extract(from: text) ?? placeInDescription(text) {
            settle(&draft, place(found, raw: text), secondTry: false)
        }
        turn.session.draft = draft
        let result = classified ?? classifier.classify(draft.description.joined(separator: " "))
        let candidates = result.candidates.filter { $0.kind == .service }
        switch classifier.decide(candidates) {
        case .confident(let top):
            chooseService(&turn, top.code, acknowledge: true)
        case .unsure(let top):
            turn.session.state = .confirmingService(top.code)
            reprompt(&turn)
        case .ambiguous(let close):
            turn.session.state = .choosingService(close.map(\.code))
            reprompt(&turn)
        case .none:
            askGroup(&turn, unclear: true)
        }
    }

    /// In a menu, a message that is not a choice: more words describe the problem and are classified again;
    /// a number out of range, a yes/no or the same menu again says it was not one of the choices.
    private func describeOrRepeat(_ turn: inout TurnBuilder, text: String, folded: String) {
        let isAnswerWord = [.yes, .no, .skip, .done].contains { lexicon.matches(folded, $0, locale: turn.locale, marked: turn.marked) }
        if folded.isEmpty || folded.allSatisfy(\.fastIsNumber) || isAnswerWord {
            turn.say("choice.invalid")
            reprompt(&turn)
            return
        }
        let before = turn.session.state
        let start = turn.events.count
        describe(&turn, text: text)
        if turn.session.state == before {
            turn.events.insert(.messageCreated(OutboundMessage("choice.invalid")), at: start)
        }
    }

    func askGroup(_ turn: inout TurnBuilder, unclear: Bool) {
        turn.session.state = .choosingGroup
        ask(&turn, unclear: unclear)
    }

    private func chooseService(_ turn: inout TurnBuilder, _ code: String, acknowledge: Bool = true) {
        if turn.session.draft == nil { turn.session.draft = ReportDraft(startedAt: turn.now) }
        if turn.session.draft?.serviceCode != code { turn.session.draft?.answers = [] }
        turn.session.draft?.serviceCode = code
        advance(&turn, acknowledge: acknowledge)
    }

    // MARK: - Location and attributes

    func readLocation(_ turn: inout TurnBuilder, text: String, attempts: Int) {
        if text.isEmpty {
            reprompt(&turn) // a photo alone: keep asking where
            return
        }
        if let location = locations.parseAnswer(text) ?? geocodedAnswer(text), var draft = turn.session.draft {
            let problem = draft.locationProblem
            let secondTry: Bool
            if case .notFound? = problem { secondTry = true } else { secondTry = false }
            settle(&draft, place(location, raw: text), secondTry: secondTry)
            turn.session.draft = draft
            if case .outside? = draft.locationProblem {
                guard case .outside? = problem else {
                    turn.session.state = .askingLocation(attempts: attempts)
                    reprompt(&turn)
                    return
                }
                // Outside the area twice: a person can say who to call better than a third question.
                turn.say("report.location_giveup")
                handOff(&turn)
                return
            }
            if draft.locationProblem != nil || draft.locationChoices != nil {
                advance(&turn)
                return
            }
        } else if attempts == 0 {
            turn.session.state = .askingLocation(attempts: 1)
            turn.say("report.reask_location")
            return
        } else {
            // Asked twice and still no place: a person can sort it out better than a third question.
            turn.say("report.location_giveup")
            handOff(&turn)
            return
        }
        advance(&turn)
    }

    private func readAttribute(_ turn: inout TurnBuilder, text: String, index: Int, attempts: Int) {
        guard let attribute = currentService(turn)?.attributes[safe: index] else {
            advance(&turn)
            return
        }
        if text.isEmpty {
            reprompt(&turn)
            return
        }
        switch answers.read(text, for: attribute, locale: turn.locale, now: turn.now, timeZone: city.timeZone) {
        case .value(let value):
            turn.session.draft?.setAnswer(attribute.code, value)
        case .skipped:
            turn.session.draft?.setAnswer(attribute.code, .skipped)
        case .invalid where attempts == 0:
            turn.session.state = .askingAttribute(index: index, attempts: 1)
            ask(&turn, hint: "hint.\(attribute.datatype.rawValue)")
            return
        case .invalid:
            turn.session.draft?.setAnswer(attribute.code, .unreadable(text))
            turn.say("report.attribute_giveup")
        }
        advance(&turn)
    }

    func currentService(_ turn: TurnBuilder) -> Service? {
        turn.session.draft?.serviceCode.flatMap(city.service)
    }

    /// Moves to the next thing the report still needs, and asks for it.
    func advance(_ turn: inout TurnBuilder, acknowledge: Bool = false) {
        guard let draft = turn.session.draft, let service = currentService(turn) else {
            askGroup(&turn, unclear: false)
            return
        }
        if draft.location == nil {
            turn.session.state = draft.locationChoices == nil ? .askingLocation(attempts: 0) : .choosingLocation
        } else if offerDuplicate(&turn, service: service, acknowledge: acknowledge) {
            return
        } else if askJurisdiction(&turn, service: service, acknowledge: acknowledge) {
            return
        } else if let index = service.attributes.firstIndex(where: { draft.answer($0.code) == nil }) {
            turn.session.state = .askingAttribute(index: index, attempts: 0)
        } else if service.photoWanted, draft.media.isEmpty, !draft.photoAsked {
            turn.session.state = .askingPhoto
        } else {
            turn.session.state = .confirmingSummary
        }
        ask(&turn, acknowledged: acknowledge ? service : nil)
    }

    // MARK: - Summary, corrections, the ticket

    private func correct(_ turn: inout TurnBuilder, folded: String) {
        let hasDetails = !(currentService(turn)?.attributes.isEmpty ?? true)
        switch answers.choice(folded, count: hasDetails ? 3 : 2, locale: turn.locale) {
        case 1:
            turn.session.draft?.serviceCode = nil
            turn.session.draft?.answers = []
            askGroup(&turn, unclear: false)
        case 2:
            turn.session.draft?.location = nil
            advance(&turn)
        case 3:
            turn.session.draft?.answers = []
            advance(&turn)
        default:
            turn.say("choice.invalid")
            reprompt(&turn)
        }
    }

    private func submit(_ turn: inout TurnBuilder, context: TurnContext) {
        guard let draft = turn.session.draft, let service = currentService(turn) else {
            askGroup(&turn, unclear: false)
            return
        }
        let ticket = city.draft(
            service, number: context.newTrackingNumber, description: draft.description.joined(separator: "\n"),
            location: draft.location, attributes: draft.answers.filter { $0.value != .skipped }, media: draft.media,
            locale: turn.locale, channel: turn.channel, at: turn.now, jurisdiction: draft.jurisdiction,
            firstContactAt: draft.startedAt
        )
        turn.events.append(.ticketRequested(ticket))
        turn.session.draft = nil
        turn.session.state = .idle
        turn.events.append(.sessionEnded(.completed))
        turn.say("report.created", [
            "number": .text(ticket.trackingNumber.digits),
            "service": .text(service.name.resolve(turn.locale, fallbacks: city.fallbackLocales)),
            "department": .text(city.departmentName(ticket.department, in: turn.locale)),
            "expected": .day(ticket.expectedAt),
        ])
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
