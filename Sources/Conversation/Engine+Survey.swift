import CityModel
import Foundation
import Localization

/// Satisfaction surveys are flows the scheduler starts: "Is it fixed?" (yes / partly / no — "no" reopens the
/// ticket), then 1–5, then an optional comment. The answers arrive as ordinary messages and this engine reads
/// them like any other dialog step, so commands (STOP, HELP, STATUS) keep working in the middle of a survey.
extension Engine {
    /// Starts the survey about `ticket`, or returns nil when the resident is busy (in a report, with a person,
    /// in another survey, opted out): the scheduler tries again later.
    public func startSurvey(_ session: Session, ticket: TicketSummary, now: Date) -> Turn? {
        guard !session.optedOut, session.state == .idle, session.draft == nil else { return nil }
        var turn = TurnBuilder(session: session, now: now, locale: session.locale ?? city.defaultLocale, channel: .sms)
        turn.session.state = .survey(SurveyStep(ticket: ticket.trackingNumber, serviceCode: ticket.serviceCode))
        turn.session.lastActivity = now
        turn.events.append(.surveyStarted(ticket.trackingNumber))
        turn.say("survey.ask_fixed", surveyArgs(ticket.trackingNumber, ticket.serviceCode, turn), kind: .survey)
        return turn.result
    }

    /// The one reminder, when the first question is still unanswered; nil otherwise.
    public func remindSurvey(_ session: Session, ticket: TrackingNumber, now: Date) -> Turn? {
        guard !session.optedOut, case .survey(var step) = session.state, step.ticket == ticket, step.question == .fixed,
              !step.reminded else { return nil }
        var turn = TurnBuilder(session: session, now: now, locale: session.locale ?? city.defaultLocale, channel: .sms)
        step.reminded = true
        turn.session.state = .survey(step)
        turn.say("survey.reminder", surveyArgs(ticket, step.serviceCode, turn), kind: .reminder)
        return turn.result
    }

    /// Ends an unanswered survey quietly; nil when it is no longer open.
    public func expireSurvey(_ session: Session, ticket: TrackingNumber, now: Date) -> Turn? {
        guard case .survey(let step) = session.state, step.ticket == ticket else { return nil }
        var turn = TurnBuilder(session: session, now: now, locale: session.locale ?? city.defaultLocale, channel: .sms)
        turn.session.state = .idle
        turn.events.append(.surveyEnded(ticket, expired: true))
        return turn.result
    }

    /// Reads an answer to the open survey question.
    func continueSurvey(_ turn: inout TurnBuilder, _ step: SurveyStep, text: String, folded: String, context: TurnContext) {
        var step = step
        switch step.question {
        case .fixed:
            guard let fixed = fixedAnswer(folded, turn) else { return unreadable(&turn, step, text: text, folded: folded, context: context) }
            turn.events.append(.surveyAnswered(step.ticket, .fixed(fixed)))
            if fixed == .no {
                turn.events.append(.reopenRequested(step.ticket))
                turn.say("survey.reopened", ["number": .text(step.ticket.digits)])
            }
            step.question = .rating
            step.reasked = false
            turn.session.state = .survey(step)
            turn.say("survey.ask_rating")
        case .rating:
            guard let rating = answers.choice(folded, count: 5, locale: turn.locale) else {
                return unreadable(&turn, step, text: text, folded: folded, context: context)
            }
            turn.events.append(.surveyAnswered(step.ticket, .rating(rating)))
            step.question = .comment
            step.reasked = false
            turn.session.state = .survey(step)
            turn.say("survey.ask_comment")
        case .comment:
            let skipped = Self.nothingWords.contains(folded) || [.skip, .no, .done].contains { lexicon.matches(folded, $0, locale: turn.locale, marked: turn.marked) }
            if !skipped, !text.isEmpty {
                turn.events.append(.surveyAnswered(step.ticket, .comment(String(text.prefix(AnswerReader.maxTextLength)))))
            }
            turn.session.state = .idle
            turn.events.append(.surveyEnded(step.ticket, expired: false))
            turn.say("survey.thanks")
        }
    }

    /// Not an answer: a new report ends the survey and starts the report; anything else is asked once more, then
    /// the survey is left.
    private func unreadable(_ turn: inout TurnBuilder, _ step: SurveyStep, text: String, folded: String, context: TurnContext) {
        var step = step
        let looksLikeReport: Bool
        if case .confident = classifier.classify(text).decision { looksLikeReport = true } else { looksLikeReport = false }
        if step.reasked || looksLikeReport {
            turn.session.state = .idle
            turn.events.append(.surveyEnded(step.ticket, expired: false))
            if looksLikeReport { continueDialog(&turn, text: text, folded: folded, media: [], context: context) }
            return
        }
        step.reasked = true
        turn.session.state = .survey(step)
        turn.say(step.question == .fixed ? "survey.reask_fixed" : "survey.reask_rating")
    }

    private func fixedAnswer(_ folded: String, _ turn: TurnBuilder) -> SurveyFixed? {
        if let n = answers.choice(folded, count: 3, locale: turn.locale) { return [SurveyFixed.yes, .partly, .no][n - 1] }
        if Self.partlyWords.contains(folded) { return .partly }
        if Self.fixedWords.contains(folded) || lexicon.matches(folded, .yes, locale: turn.locale, marked: turn.marked) { return .yes }
        if Self.notFixedWords.contains(folded) || lexicon.matches(folded, .no, locale: turn.locale, marked: turn.marked) { return .no }
        return nil
    }

    /// "It's fixed" / "not fixed" as residents answer, in the launch languages, folded.
    static let fixedWords: Set<String> = Set([
        "fixed", "its fixed", "it is fixed", "done", "arreglado", "esta arreglado", "ya", "ya esta", "已解决", "解决了", "修好了",
        "好了", "rồi", "đã sửa", "sửa rồi", "تم", "تم الاصلاح", "اتصلح",
    ].map(TextFolding.fold))
    static let notFixedWords: Set<String> = Set([
        "not fixed", "still broken", "no arreglado", "no esta arreglado", "sigue igual", "未解决", "没解决", "没有", "还没",
        "chưa", "chưa sửa", "vẫn còn", "لم يتم", "لسه", "ما اتصلح",
    ].map(TextFolding.fold))
    /// "Nothing (to add)" at the comment question.
    static let nothingWords: Set<String> = Set([
        "nothing", "no thanks", "nope", "nada", "no gracias", "没有", "没了", "không có gì", "không", "لا شيء", "لا شكرا",
    ].map(TextFolding.fold))

    /// "Partly" in the launch languages, folded.
    static let partlyWords: Set<String> = Set([
        "partly", "partially", "sort of", "kind of", "somewhat", "half", "not completely", "parcialmente", "en parte",
        "mas o menos", "a medias", "部分", "一部分", "部分修好", "một phần", "mot phan", "chưa hết", "جزئيا", "نوعا ما",
    ].map(TextFolding.fold))

    private func surveyArgs(_ ticket: TrackingNumber, _ serviceCode: String, _ turn: TurnBuilder) -> [String: MessageArgument] {
        ["number": .text(ticket.digits), "service": .text(serviceName(serviceCode, turn)), "program": .text(program(turn))]
    }

    // MARK: - FOLLOW

    /// FOLLOW 1234567: updates on that ticket come to this resident too.
    func follow(_ turn: inout TurnBuilder, argument: String, context: TurnContext) {
        defer { reprompt(&turn) }
        guard let number = TrackingNumber(parsing: argument.filter { $0.isASCII && $0.fastIsNumber }) else {
            turn.say("status.invalid")
            return
        }
        guard let ticket = context.tickets.first(where: { $0.trackingNumber == number }) else {
            turn.say("status.unknown", ["number": .text(number.digits)])
            return
        }
        turn.events.append(.followRequested(number))
        turn.say("follow.done", ["number": .text(number.digits), "service": .text(serviceName(ticket.serviceCode, turn))])
    }
}
