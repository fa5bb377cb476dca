import CityModel
import Foundation
import Localization

/// Arguments for every message key, as the engine sends them, filled from the city's own catalog in the
/// message's language: what `cityline check` renders to measure SMS length, and what the snapshot tests show.
public enum MessageSamples {
    /// Monday 23 November 2026, 2 p.m. in Springfield: a fixed moment, so renderings never change by day.
    public static let moment = Date(timeIntervalSince1970: 1_795_464_000)

    /// An operator's reply, as one would write it in each launch language.
    static let operatorWords = [
        "en": "A crew will be there this afternoon. Is anyone hurt?",
        "es": "Una cuadrilla irá esta tarde. ¿Hay alguien herido?",
        "zh": "维修人员今天下午会到。有人受伤吗？",
        "vi": "Đội sửa chữa sẽ đến chiều nay. Có ai bị thương không?",
        "ar": "سيصل فريق الصيانة بعد ظهر اليوم. هل أصيب أحد؟",
    ]

    /// An area notice, as staff would write it in each launch language.
    static let noticeWords = [
        "en": "Water main break on Oak St between 5th and 7th. Water is off until about 6 pm.",
        "es": "Rotura de tubería en Oak St entre 5th y 7th. Sin agua hasta las 6 pm aprox.",
        "zh": "橡树街第5至第7街之间水管爆裂，预计下午6点前停水。",
        "vi": "Vỡ ống nước trên Oak St (từ 5th đến 7th). Cúp nước đến khoảng 6 giờ chiều.",
        "ar": "كسر في أنبوب المياه في شارع أوك. المياه مقطوعة حتى 6 مساء تقريبا.",
    ]

    public static func arguments(for locale: LanguageTag, city: City) -> [String: [String: MessageArgument]] {
        func text(_ value: LocalizedText) -> MessageArgument { .text(value.resolve(locale, fallbacks: city.fallbackLocales)) }
        let services = city.services
        let first = services.first
        let second = services.dropFirst().first
        let serviceName = first.map { text($0.name) } ?? .text("Pothole")
        let attribute = services.lazy.flatMap(\.attributes).first { !$0.values.isEmpty }
        let choices: MessageArgument = .list([
            ["n": .number(1), "name": serviceName],
            ["n": .number(2), "name": second.map { text($0.name) } ?? .text("Sidewalk")],
            ["n": .number(3), "name": .key("choice.something_else")],
        ])
        let groups: MessageArgument = .list(city.groups.enumerated().map { ["n": .number($0.offset + 1), "name": text($0.element.name)] })
        let languages: MessageArgument = .list(city.locales.enumerated().map {
            ["n": .number($0.offset + 1), "name": .text($0.element.code)]
        })
        let options: MessageArgument = .list((attribute?.values ?? []).enumerated().map {
            ["n": .number($0.offset + 1), "name": text($0.element.name)]
        })
        let program = text(city.program)
        let week = moment.addingTimeInterval(5 * 86_400)
        return [
            "welcome": ["program": program],
            "help": ["program": program, "phone": .text(city.phone)],
            "emergency": ["program": program],
            "crisis": ["program": program],
            "caution": ["program": program],
            "optout.confirmed": ["program": program],
            "optin.confirmed": ["program": program],
            "optin.already": ["program": program],
            "cancel.done": [:], "cancel.nothing": [:], "restart.done": [:], "flood.wait": ["program": program],
            "agent.open": [:],
            "agent.closed": ["opening": .date(moment), "phone": .text(city.phone)],
            "agent.unstaffed": ["phone": .text(city.phone)],
            "agent.reply": ["program": program, "text": .text(operatorWords[locale.language] ?? operatorWords["en"]!)],
            "agent.ended": ["program": program],
            "notes.repaired": [:], "notes.scheduled": [:], "notes.investigating": [:], "notes.duplicate": [:], "notes.not_ours": [:],
            "landing.how": [:], "landing.language": [:], "landing.emergency": [:],
            "landing.intro": ["city": text(city.name)], "landing.text": ["number": .text("+1 217 555 0311")],
            "landing.email": ["address": .text("311@springfield.example")], "landing.call": ["phone": .text(city.phone)],
            "chat.title": ["program": program], "chat.log": [:], "chat.label": [:], "chat.send": [:], "chat.connecting": [:],
            "chat.offline": [:], "chat.hint": [:], "chat.photo": [:], "chat.photo_failed": ["megabytes": .number(10)],
            "chat.too_fast": [:], "chat.busy": [:], "chat.close": [:],
            "chatapp.unsupported": ["program": program], "chatapp.choose": [:],
            "canned.looking": [:], "canned.address": [:], "canned.photo": [:], "canned.filed": [:],
            "language.changed": [:],
            "language.choose": ["choices": languages],
            "session.expired": [:],
            "info.answer": ["answer": city.information.first.map { text($0.answer) } ?? .text("Trash is picked up once a week.")],
            "status.none": [:],
            "status.list": ["count": .number(2), "tickets": .list([
                ["number": .text("1000002"), "service": serviceName, "status": .key("status.name.open")],
                ["number": .text("1000015"), "service": second.map { text($0.name) } ?? serviceName,
                 "status": .key("status.name.in_progress")],
            ])],
            "status.one": [
                "number": .text("1000002"), "service": serviceName, "status": .key("status.name.in_progress"),
                "location": .text("1423 Oak St"), "updated": .date(moment), "note": .key("notes.scheduled"),
                "expected": .day(week),
            ],
            "status.unknown": ["number": .text("1000015")],
            "status.invalid": [:],
            "status.name.open": [:], "status.name.acknowledged": [:], "status.name.in_progress": [:], "status.name.closed": [:],
            "report.ask_problem": [:],
            "report.confirm_service": ["service": serviceName],
            "report.choose_service": ["choices": choices],
            "report.choose_group": ["choices": groups, "unclear": .flag(true)],
            "report.choose_in_group": ["choices": choices],
            "report.ask_location": ["service": serviceName],
            "report.reask_location": [:],
            "report.ask_attribute": [
                "service": serviceName, "question": attribute.map { text($0.question) } ?? .text("About how big is it?"),
                "choices": options, "multiple": .flag(false), "optional": .flag(true),
            ],
            "report.reask_attribute": [
                "question": attribute.map { text($0.question) } ?? .text("How many items?"), "hint": .key("hint.singlevaluelist"),
                "choices": options, "optional": .flag(true),
            ],
            "report.attribute_giveup": [:], "report.location_giveup": [:],
            "report.location_not_found": ["service": serviceName, "place": .text("1423 Oka Ave"), "city": text(city.name)],
            "report.location_outside": ["place": .text("4500 W Lake Shore Rd"), "program": program, "phone": .text(city.phone)],
            "report.duplicate": ["service": serviceName, "number": .text("1000002"), "ticket_service": serviceName, "distance": .number(40),
                                 "reported": .day(moment)],
            "report.duplicate_followed": ["number": .text("1000002")], "report.duplicate_reask": ["number": .text("1000002")],
            "report.choose_jurisdiction": ["service": serviceName, "choices": .list(city.jurisdictions.enumerated().map {
                ["n": .number($0.offset + 1), "name": text($0.element.name)]
            })],
            "report.choose_location": ["service": serviceName, "choices": .list([
                ["n": .number(1), "name": .text("405 Maple St")], ["n": .number(2), "name": .text("405 Maple Ave")],
                ["n": .number(3), "name": .key("choice.somewhere_else")],
            ])],
            "report.ask_photo": ["service": serviceName],
            "report.summary": [
                "service": serviceName, "location": .text("1423 Oak St"), "photos": .number(1),
                "details": .list((attribute?.values.prefix(1) ?? []).map { ["value": text($0.name)] }),
            ],
            "report.choose_correction": ["details": .flag(true)],
            "report.created": [
                "number": .text("1000002"), "service": serviceName,
                "department": city.departments.first.map { text($0.name) } ?? .text("Public Works"),
                "expected": .day(week),
            ],
            "follow.done": ["number": .text("1000002"), "service": serviceName],
            "alerts.subscribed": ["program": program, "address": .text("1423 Oak St"),
                                  "topic": city.alertTopics.first.map { text($0.name) } ?? .text("water")],
            "alerts.off": ["program": program],
            "alerts.usage": ["has_topics": .flag(!city.alertTopics.isEmpty),
                             "topics": .list(city.alertTopics.map { ["name": text($0.name)] })],
            "alerts.not_found": ["place": .text("1423 Oka Ave"), "city": text(city.name)],
            "alerts.ambiguous": ["choices": .list([["address": .text("405 Maple St")], ["address": .text("405 Maple Ave")]])],
            "alerts.outside": ["place": .text("4500 W Lake Shore Rd"), "program": program, "phone": .text(city.phone)],
            "alerts.unavailable": ["program": program, "phone": .text(city.phone)],
            "alerts.notice": ["program": program, "text": .text(noticeWords[locale.language] ?? noticeWords["en"]!)],
            "ack.created": [
                "program": program, "number": .text("1000002"), "service": serviceName,
                "department": city.departments.first.map { text($0.name) } ?? .text("Public Works"), "expected": .day(week),
            ],
            "update.status": [
                "number": .text("1000002"), "service": serviceName, "status": .key("status.name.in_progress"),
                "note": .key("notes.scheduled"),
            ],
            // Staff's own words, framed as the crew's note (they are not translated).
            "update.closed": ["number": .text("1000002"), "service": serviceName, "staff_note": .text("Patched today.")],
            "survey.ask_fixed": ["number": .text("1000002"), "service": serviceName, "program": program],
            "survey.reminder": ["number": .text("1000002"), "service": serviceName, "program": program],
            "survey.reask_fixed": [:], "survey.reopened": ["number": .text("1000002")], "survey.ask_rating": [:],
            "survey.reask_rating": [:], "survey.ask_comment": [:], "survey.thanks": [:],
            "answer.yes_no": [:],
            "choice.invalid": [:], "choice.something_else": [:], "choice.back": [:], "choice.somewhere_else": [:],
            "hint.string": [:], "hint.text": [:], "hint.number": [:], "hint.datetime": [:],
            "hint.singlevaluelist": [:], "hint.multivaluelist": [:],
            "email.subject.ticket": ["program": program, "number": .text("1000002")], "email.subject.general": ["program": program],
            "email.subject.alert": ["program": program],
            "email.footer.reply": [:], "email.footer.unsubscribe": ["program": program],
            "email.footer.call": ["phone": .text(city.phone)],
        ]
    }

    /// Keys that are only ever shown inside another message (a status name, a hint, a menu line) or by an email
    /// template: their SMS cost is counted as part of the message that shows them.
    public static let fragments: Set<String> = [
        "email.subject.ticket", "email.subject.general", "email.footer.reply", "email.footer.unsubscribe", "email.footer.call",
        "status.name.open", "status.name.acknowledged", "status.name.in_progress", "status.name.closed",
        "choice.something_else", "choice.back", "choice.somewhere_else", "hint.string", "hint.text", "hint.number", "hint.datetime",
        "hint.singlevaluelist", "hint.multivaluelist", "chatapp.choose",
    ]
}
