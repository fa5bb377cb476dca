import CityModel
import Conversation
import Foundation
import Localization
import Messaging
import Storage

/// What chat apps (WhatsApp, Telegram) bring that SMS does not: a language the app already knows, and messages
/// the engine cannot read (a sticker, a voice note) that still deserve an answer.
extension Switchboard {
    /// Starts a new resident's conversation in `locale` (a chat app's language setting, matched among the city's
    /// locales), as the web chat does with its page's language. A resident already known keeps theirs; a message
    /// clearly in another language still switches, as everywhere.
    public func hintLanguage(_ locale: LanguageTag, for address: ChannelAddress, at date: Date) async throws {
        guard let matched = locale.match(among: engine.city.locales) else { return }
        try await locks.withLock(address) {
            guard try await store.session(for: address) == nil else { return }
            try await store.apply(WritePlan(session: SessionWrite(address, Session(locale: matched), .absent),
                                            contact: ContactWrite(address, locale: matched), at: date))
        }
    }

    /// Answers a message the engine cannot read (`key`: what to say, e.g. `chatapp.unsupported`) in the resident's
    /// language, through the outbox, and stores it with its id like any message: a redelivery changes nothing,
    /// the session is left as it was (a report in progress waits for a readable answer), and an opted-out
    /// resident is not answered.
    public func answerUnreadable(_ message: InboundMessage, say key: String) async throws -> Outcome {
        try await locks.withLock(message.from) {
            if let id = message.externalID, let earlier = try await store.replies(toExternalID: id, channel: message.from.channel) {
                return Outcome(replies: earlier, events: [], redelivered: true)
            }
            let session = try await store.session(for: message.from)
            let locale = session?.locale ?? engine.city.defaultLocale
            let replies = session?.optedOut == true ? []
                : render([OutboundMessage(key, ["program": .text(engine.city.program.resolve(locale, fallbacks: engine.city.fallbackLocales))])],
                         to: message.from, locale: locale, ticket: nil)
            do {
                try await store.commit(TurnRecord(inbound: message, plan: WritePlan(outbox: replies, at: message.receivedAt)))
            } catch let error as StoreError where error == .duplicateInbound {
                return Outcome(replies: [], events: [], redelivered: true)
            }
            return Outcome(replies: [], events: [], redelivered: false)
        }
    }
}
