import CityModel
import Foundation
import Geocoding
import Localization

/// Area notices, resident side: `ALERTS <address>` (and its translations) asks for the notices of the area
/// around that address; `ALERTS OFF` stops them all. An address the city's data cannot place gets a helpful answer
/// and no subscription. Several addresses may be added, one message each.
extension Engine {
    /// Handles ALERTS, ALERTS OFF and `ALERTS <address>`; returns false when the message is none of them.
    func handleAlerts(_ turn: inout TurnBuilder, folded: String) -> Bool {
        switch lexicon.command(exactly: folded, marked: turn.marked, locale: turn.locale) {
        case .alertsOff:
            turn.events.append(.alertsStopped)
            turn.say("alerts.off", ["program": .text(program(turn))])
            reprompt(&turn)
            return true
        case .alerts:
            turn.say("alerts.usage", usage(turn))
            reprompt(&turn)
            return true
        default:
            break
        }
        guard let (_, argument) = lexicon.command(prefixOf: folded, marked: turn.marked, locale: turn.locale, among: [.alerts]) else {
            return false
        }
        subscribe(&turn, argument: argument, folded: folded)
        reprompt(&turn)
        return true
    }

    private func subscribe(_ turn: inout TurnBuilder, argument: String, folded: String) {
        var words = argument.split(separator: " ").map(String.init)
        var topic: AlertTopic?
        // "ALERTS water 1423 Oak St", "alertas agua …", "提醒 供水 …" (a name may fold to several words).
        for length in (1...min(3, max(words.count, 1))).reversed() where words.count >= length {
            if let named = alertTopic(named: words.prefix(length).joined(separator: " ")) {
                topic = named
                words.removeFirst(length)
                break
            }
        }
        let place = written(turn.text, argument: words, folded: folded)
        guard !words.isEmpty else {
            turn.say("alerts.usage", usage(turn))
            return
        }
        guard !geocoder.isEmpty else {
            turn.say("alerts.unavailable", ["program": .text(program(turn)), "phone": .text(city.phone)])
            return
        }
        switch geocoder.geocode(place) {
        case .matched(let match):
            let inside = city.jurisdictions.allSatisfy { $0.boundary == nil } || city.jurisdiction(containing: match.coordinate) != nil
            guard inside else {
                turn.say("alerts.outside", ["place": .text(match.matched), "program": .text(program(turn)), "phone": .text(city.phone)])
                return
            }
            turn.events.append(.alertsSubscribed(AlertPlace(matched: match.matched, point: match.coordinate, topic: topic?.code)))
            var args: [String: MessageArgument] = ["program": .text(program(turn)), "address": .text(match.matched)]
            if let topic { args["topic"] = .text(topic.name.resolve(turn.locale, fallbacks: city.fallbackLocales)) }
            turn.say("alerts.subscribed", args)
        case .ambiguous(let matches):
            turn.say("alerts.ambiguous", ["choices": .list(matches.prefix(5).map { ["address": .text($0.matched)] })])
        case .notFound:
            turn.say("alerts.not_found", ["place": .text(place), "city": .text(city.name.resolve(turn.locale, fallbacks: city.fallbackLocales))])
        }
    }

    /// The topic a resident's word names: its code, or its name in any language ("agua", "供水").
    private func alertTopic(named word: String) -> AlertTopic? {
        city.alertTopics.first { topic in
            topic.code == word || topic.name.values.values.contains { FoldedText($0).folded == word }
        }
    }

    /// How to ask for alerts, with the city's topics by name in the resident's language ("water roads trash").
    private func usage(_ turn: TurnBuilder) -> [String: MessageArgument] {
        ["has_topics": .flag(!city.alertTopics.isEmpty),
         "topics": .list(city.alertTopics.map { ["name": .text($0.name.resolve(turn.locale, fallbacks: city.fallbackLocales))] })]
    }

    /// The place as the resident wrote it (with capitals, marks and no spaces between ideographs): the written
    /// tokens left once those holding the command and topic words are skipped; the folded words when they do not
    /// line up.
    private func written(_ text: String, argument: [String], folded: String) -> String {
        let tokens = text.split(whereSeparator: \.fastIsWhitespace)
        let skip = folded.split(separator: " ").count - argument.count
        var consumed = 0, index = 0
        while consumed < skip, index < tokens.count {
            consumed += FoldedText(String(tokens[index])).words.count
            index += 1
        }
        guard consumed == skip, index < tokens.count else { return argument.joined(separator: " ") }
        return tokens[index...].joined(separator: " ")
    }
}
