import ChannelEmail
import CityModel
import Foundation
import Localization
import Messaging
import Storage

/// Outbox entries and a sender for the email tests.
enum Fixtures {
    static let from = EmailAddress(address: "311@springfield.example", displayName: "Springfield 311")!
    static let ticket = TrackingNumber(serial: 100_000)
    /// 2025-03-04 14:05:09 UTC.
    static let date = Date(timeIntervalSince1970: 1_741_097_109)

    static func entry(id: Int64 = 42, to address: String = "resident@example.org", subject: String? = "Your report",
                      body: String = "We received your report.", html: String? = nil, locale: String = "en",
                      ticket: TrackingNumber? = Fixtures.ticket, kind: MessageKind = .acknowledgement) -> OutboxEntry {
        let message = RenderedMessage(to: ChannelAddress(channel: .email, address: address), subject: subject, body: body,
                                      html: html, locale: LanguageTag(locale), kind: kind, ticket: ticket)
        return OutboxEntry(id: id, message: message, createdAt: date, dueAt: date)
    }

    static func message(_ entry: OutboxEntry, unsubscribe: String? = "https://springfield.example/u/abc") throws -> MIMEMessage {
        try MIMEMessage(entry: entry, from: from, date: date, unsubscribeURL: unsubscribe)
    }

    static let chineseSubject = "您的报告已收到：人行道上的坑洞（编号 1000002）。我们会尽快派人处理，谢谢您的耐心等待！"
    static let arabicSubject = "تم استلام بلاغك عن الحفرة في الشارع الرئيسي، وسنرسل فريق الصيانة في أقرب وقت ممكن"
    static let spanishSubject = "Recibimos su reporte: bache en la calle Ñandú, número 1000002 — ¡gracias por avisarnos!"
}
