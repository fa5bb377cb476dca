import CityModel
import Foundation
import Localization

extension Engine {
    /// Asks again whatever the current state is waiting for (after HELP, STATUS or an unreadable answer).
    func reprompt(_ turn: inout TurnBuilder) {
        ask(&turn)
    }

    /// Emits the question of the current state.
    /// - Parameters:
    ///   - unclear: the group menu follows a message we could not place ("Sorry, I'm not sure what the problem is").
    ///   - hint: a hint key, when re-asking after an unreadable answer.
    ///   - acknowledged: the service just chosen, named at the start of the next question.
    func ask(_ turn: inout TurnBuilder, unclear: Bool = false, hint: String? = nil, acknowledged: Service? = nil) {
        var args: [String: MessageArgument] = [:]
        if let acknowledged { args["service"] = .text(name(acknowledged, turn)) }
        switch turn.session.state {
        case .idle, .withAgent:
            return
        case .choosingLanguage:
            sayLanguageMenu(&turn)
        case .survey(let step):
            switch step.question {
            case .fixed: turn.say("survey.reask_fixed")
            case .rating: turn.say("survey.ask_rating")
            case .comment: turn.say("survey.ask_comment")
            }
        case .confirmingService(let code):
            turn.say("report.confirm_service", ["service": .text(serviceName(code, turn))])
        case .choosingService(let codes):
            var rows = codes.enumerated().map { row($0.offset + 1, serviceName($0.element, turn)) }
            rows.append(row(codes.count + 1, key: "choice.something_else"))
            turn.say("report.choose_service", ["choices": .list(rows)])
        case .choosingGroup:
            let rows = city.groups.enumerated().map {
                row($0.offset + 1, $0.element.name.resolve(turn.locale, fallbacks: city.fallbackLocales))
            }
            turn.say("report.choose_group", ["choices": .list(rows), "unclear": .flag(unclear)])
        case .choosingInGroup(let group):
            let services = city.services(inGroup: group)
            var rows = services.enumerated().map { row($0.offset + 1, name($0.element, turn)) }
            rows.append(row(services.count + 1, key: "choice.back"))
            turn.say("report.choose_in_group", ["choices": .list(rows)])
        case .askingLocation:
            askLocation(&turn, args)
        case .choosingLocation:
            askLocationChoice(&turn, args)
        case .offeringDuplicate(let number):
            sayDuplicateOffer(&turn, number, args)
        case .choosingJurisdiction(let options):
            var rows = args
            rows["choices"] = .list(options.enumerated().map { row($0.offset + 1, city.jurisdictionName($0.element, in: turn.locale)) })
            turn.say("report.choose_jurisdiction", rows)
        case .askingAttribute(let index, _):
            guard let attribute = currentService(turn)?.attributes[safe: index] else { return }
            args["question"] = .text(attribute.question.resolve(turn.locale, fallbacks: city.fallbackLocales))
            if !attribute.values.isEmpty {
                args["choices"] = .list(attribute.values.enumerated().map {
                    row($0.offset + 1, $0.element.name.resolve(turn.locale, fallbacks: city.fallbackLocales))
                })
            }
            args["multiple"] = .flag(attribute.datatype == .multivaluelist)
            args["optional"] = .flag(!attribute.required)
            if let hint { args["hint"] = .key(hint) }
            turn.say(hint == nil ? "report.ask_attribute" : "report.reask_attribute", args)
        case .askingPhoto:
            turn.say("report.ask_photo", args)
        case .confirmingSummary:
            summarize(&turn, args)
        case .choosingCorrection:
            let hasDetails = !(currentService(turn)?.attributes.isEmpty ?? true)
            turn.say("report.choose_correction", ["details": .flag(hasDetails)])
        }
    }

    private func summarize(_ turn: inout TurnBuilder, _ base: [String: MessageArgument]) {
        guard let draft = turn.session.draft, let service = currentService(turn) else { return }
        var args = base
        args["service"] = .text(name(service, turn))
        args["location"] = .text(draft.location.map(Self.display) ?? "")
        // Answers only, without their questions: short enough for one text, and the resident just gave them.
        let details = service.attributes.compactMap { attribute in
            draft.answer(attribute.code).flatMap { display($0, attribute, turn) }
        }
        args["details"] = .list(details.map { ["value": $0] })
        if !draft.media.isEmpty { args["photos"] = .number(draft.media.count) }
        turn.say("report.summary", args)
    }

    /// An answer as the resident should see it in the summary; nil for skipped questions.
    private func display(_ value: AttributeValue, _ attribute: ServiceAttribute, _ turn: TurnBuilder) -> MessageArgument? {
        switch value {
        case .skipped: return nil
        case .text(let text), .unreadable(let text): return .text(text)
        case .number(let number):
            return .text(number.rounded() == number ? String(Int(number)) : String(number))
        case .datetime(let date): return .date(date)
        case .options(let keys):
            let names = keys.compactMap { key in
                attribute.values.first { $0.key == key }?.name.resolve(turn.locale, fallbacks: city.fallbackLocales)
            }
            return .text(names.joined(separator: ", "))
        }
    }

    /// A location as the resident should recognise it: a map link as its pin's coordinates.
    static func display(_ location: Location) -> String {
        if let matched = location.matched { return matched }
        guard location.kind == .mapLink, let point = location.coordinate else { return location.text }
        return String(format: "%.5f, %.5f", point.latitude, point.longitude)
    }

    private func name(_ service: Service, _ turn: TurnBuilder) -> String {
        service.name.resolve(turn.locale, fallbacks: city.fallbackLocales)
    }

    func row(_ n: Int, _ name: String) -> [String: MessageArgument] {
        ["n": .number(n), "name": .text(name)]
    }

    func row(_ n: Int, key: String) -> [String: MessageArgument] {
        ["n": .number(n), "name": .key(key)]
    }
}
