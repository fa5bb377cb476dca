import CityModel
import Foundation
import Localization

/// A report at a place where the same problem is already being handled: offered to follow that ticket instead
/// ("#1234567 (Pothole, 40 m away, reported Nov 30) is already being handled. Reply FOLLOW … or NEW …").
extension Engine {
    /// Once the report has a point: asks the host for open tickets of the service nearby (the first time), or
    /// offers the nearest one. True when the turn stops here (the offer is made).
    func offerDuplicate(_ turn: inout TurnBuilder, service: Service, acknowledge: Bool) -> Bool {
        guard service.duplicateRadius > 0, turn.session.draft?.duplicatesChecked != true,
              let point = turn.session.draft?.location?.coordinate else { return false }
        guard let nearby = turn.nearby else {
            // The host looks them up and runs the turn again; until then, carry on as if there were none.
            turn.nearbyQuery = NearbyQuery(serviceCode: service.code, coordinate: point, radius: service.duplicateRadius,
                                           since: turn.now.addingTimeInterval(-Double(city.duplicateDays) * 86_400))
            return false
        }
        turn.session.draft?.duplicatesChecked = true
        let candidates = nearby.filter {
            $0.ticket.serviceCode == service.code && $0.ticket.status != .closed && $0.distance <= service.duplicateRadius
        }
        guard let nearest = candidates.min(by: { $0.distance < $1.distance }) else { return false }
        turn.session.state = .offeringDuplicate(nearest.ticket.trackingNumber)
        turn.session.draft?.duplicateOffer = nearest
        ask(&turn, acknowledged: acknowledge ? service : nil)
        return true
    }

    /// The turn as running it again with `nearby` (what the host found for `turn.nearbyQuery`) would leave it, when
    /// nothing there can be offered — the common case, and then without running it again: the first run carried
    /// on as if there were none, so only the mark that they were looked at is missing. Nil when a ticket nearby
    /// can be offered: the host runs the turn again with them.
    public func settle(_ turn: Turn, nearby: [NearbyTicket]) -> Turn? {
        guard let query = turn.nearbyQuery else { return turn }
        let offerable = nearby.contains {
            $0.ticket.serviceCode == query.serviceCode && $0.ticket.status != .closed && $0.distance <= query.radius
        }
        guard !offerable else { return nil }
        var settled = turn
        settled.session.draft?.duplicatesChecked = true
        settled.nearbyQuery = nil
        return settled
    }

    func sayDuplicateOffer(_ turn: inout TurnBuilder, _ number: TrackingNumber, _ base: [String: MessageArgument]) {
        guard let offer = turn.session.draft?.duplicateOffer else { return }
        var args = base
        args["number"] = .text(number.digits)
        args["ticket_service"] = .text(serviceName(offer.ticket.serviceCode, turn))
        args["distance"] = .number(max(1, Int(offer.distance.rounded())))
        args["reported"] = .day(offer.ticket.requestedAt)
        turn.say("report.duplicate", args)
    }

    /// FOLLOW (or yes, 1): the resident follows that ticket and the report ends; NEW (or no, 2): the report goes on.
    func answerDuplicateOffer(_ turn: inout TurnBuilder, _ number: TrackingNumber, text: String, folded: String) {
        let follow = lexicon.matches(folded, .follow, locale: turn.locale, marked: turn.marked)
            || lexicon.matches(folded, .yes, locale: turn.locale, marked: turn.marked) || answers.choice(folded, count: 2, locale: turn.locale) == 1
        let new = Self.newWords.contains(folded) || lexicon.command(exactly: folded, marked: turn.marked, locale: turn.locale) == .restart || lexicon.matches(folded, .no, locale: turn.locale, marked: turn.marked)
            || answers.choice(folded, count: 2, locale: turn.locale) == 2
        if follow {
            turn.events.append(.followRequested(number))
            turn.events.append(.sessionEnded(.completed))
            turn.say("report.duplicate_followed", ["number": .text(number.digits)])
            turn.session.draft = nil
            turn.session.state = .idle
        } else if new {
            turn.session.draft?.duplicateOffer = nil
            advance(&turn)
        } else {
            turn.say("report.duplicate_reask", ["number": .text(number.digits)])
        }
    }

    /// "NEW" in the launch languages, folded.
    static let newWords: Set<String> = Set([
        "new", "new one", "new report", "different", "its different", "nuevo", "nueva", "nuevo reporte", "otro", "es otro", "diferente",
        "新", "新的", "新问题", "不同", "mới", "moi", "báo cáo mới", "khác", "جديد", "بلاغ جديد", "مختلف",
    ].map(TextFolding.fold))
}
