import CityModel
import Foundation
import Geocoding
import Localization

/// Where a report is: the place the resident gave, matched against the city's own address data.
extension Engine {
    enum Placing: Equatable {
        /// A point (or, without address data or for a plain description, the words as given).
        case placed(Location)
        /// Several places by that name: asked back.
        case choices([Location])
        case notFound(Location)
        /// Outside every jurisdiction the line serves.
        case outside(Location)
    }

    /// Matches `location` (found in `raw`, the resident's words) against the city's address data.
    func place(_ location: Location, raw: String) -> Placing {
        guard !geocoder.isEmpty else { return .placed(location) }
        // Already matched (read by the geocoder itself): only where it lies is left to check.
        if location.matched != nil, location.coordinate != nil { return inside(location) }
        var location = location
        switch location.kind {
        case .coordinates, .mapLink:
            guard let point = location.coordinate else { return .placed(location) }
            location.matched = geocoder.reverse(point, within: 60)?.address
            return inside(location)
        case .description:
            // "in front of City Hall", "橡树街1423号": a place or an address the city knows; else the words stay.
            switch geocoder.geocode(raw) {
            case .matched(let match): return inside(Self.placed(location, match))
            case .ambiguous(let matches): return .choices(matches.map { Self.placed(location, $0) })
            case .notFound: return .placed(location)
            }
        case .address, .intersection:
            var result = geocoder.geocode(location.text)
            if case .notFound = result, raw != location.text {
                let again = geocoder.geocode(raw)
                if case .notFound = again {} else { result = again }
            }
            switch result {
            case .matched(let match): return inside(Self.placed(location, match))
            case .ambiguous(let matches): return .choices(matches.map { Self.placed(location, $0) })
            case .notFound: return .notFound(location)
            }
        }
    }

    /// An answer the location reader took for no place but the city's data knows ("CH", a short place alias).
    func geocodedAnswer(_ text: String) -> Location? {
        guard !geocoder.isEmpty, let match = geocoder.geocode(text).match else { return nil }
        return Location(kind: match.kind, text: TextFolding.trimmed(text), coordinate: match.coordinate, matched: match.matched)
    }

    /// An address the city's data knows, in a description the location reader found no place in ("橡树街1423号有个
    ///大坑洞", "1423 شارع أوك"): only a house number on a street named as written, or a corner of two — never a
    /// guess from a typo in a sentence about something else.
    func placeInDescription(_ text: String) -> Location? {
        guard !geocoder.isEmpty, let match = geocoder.geocode(text).match, match.confidence >= 0.9,
              match.kind == .address || match.kind == .intersection else { return nil }
        return Location(kind: match.kind, text: match.matched, coordinate: match.coordinate, matched: match.matched)
    }

    static func placed(_ location: Location, _ match: GeocodeMatch) -> Location {
        var placed = location
        placed.coordinate = match.coordinate
        placed.matched = match.matched
        if location.kind == .description, match.kind != .description { placed.kind = match.kind }
        return placed
    }

    /// `location`, unless its point lies outside every jurisdiction with a boundary.
    private func inside(_ location: Location) -> Placing {
        guard let point = location.coordinate, city.jurisdictions.contains(where: { $0.boundary != nil }),
              city.jurisdiction(containing: point) == nil else { return .placed(location) }
        return .outside(location)
    }

    /// Keeps what `place` found in the draft: the location, the choices to ask, or the problem to say.
    func settle(_ draft: inout ReportDraft, _ placing: Placing, secondTry: Bool) {
        draft.locationChoices = nil
        switch placing {
        case .placed(let location):
            draft.location = location
            draft.locationProblem = nil
        case .choices(let options):
            draft.location = nil
            draft.locationChoices = options
        case .notFound(let location):
            if secondTry {
                // Asked once more and still not in the city's data: a person will read it as written.
                draft.location = location
                draft.locationProblem = nil
            } else {
                draft.location = nil
                draft.locationProblem = .notFound(location.text)
            }
        case .outside(let location):
            draft.location = nil
            draft.locationProblem = .outside(location.matched ?? location.text)
        }
    }

    /// The answer to "Which one?": a number, "somewhere else", or another place altogether.
    func chooseLocation(_ turn: inout TurnBuilder, text: String, folded: String) {
        let options = turn.session.draft?.locationChoices ?? []
        if let n = answers.choice(folded, count: options.count + 1, locale: turn.locale) {
            turn.session.draft?.locationChoices = nil
            if n <= options.count {
                turn.session.draft?.location = options[n - 1]
                turn.session.draft?.locationProblem = nil
                advance(&turn)
            } else {
                turn.session.state = .askingLocation(attempts: 0)
                turn.say("report.ask_location")
            }
        } else if lexicon.matches(folded, .no, locale: turn.locale, marked: turn.marked) {
            turn.session.draft?.locationChoices = nil
            turn.session.state = .askingLocation(attempts: 0)
            turn.say("report.ask_location")
        } else {
            readLocation(&turn, text: text, attempts: 0)
        }
    }

    /// The question of `.choosingLocation`.
    func askLocationChoice(_ turn: inout TurnBuilder, _ args: [String: MessageArgument] = [:]) {
        let options = turn.session.draft?.locationChoices ?? []
        var rows = options.enumerated().map { row($0.offset + 1, $0.element.matched ?? $0.element.text) }
        rows.append(row(options.count + 1, key: "choice.somewhere_else"))
        turn.say("report.choose_location", args.merging(["choices": .list(rows)]) { $1 })
    }

    /// A point near a boundary where the side decides the department: which side? (Once per report.)
    func askJurisdiction(_ turn: inout TurnBuilder, service: Service, acknowledge: Bool) -> Bool {
        guard turn.session.draft?.jurisdiction == nil, let point = turn.session.draft?.location?.coordinate else { return false }
        let options = city.jurisdictionsInDoubt(for: service, at: point)
        guard options.count > 1 else { return false }
        turn.session.state = .choosingJurisdiction(options)
        ask(&turn, acknowledged: acknowledge ? service : nil)
        return true
    }

    /// The question of `.askingLocation`, saying first what was wrong with the last answer.
    func askLocation(_ turn: inout TurnBuilder, _ args: [String: MessageArgument]) {
        switch turn.session.draft?.locationProblem {
        case .notFound(let place)?:
            turn.say("report.location_not_found", args.merging(["place": .text(place),
                                                                "city": .text(city.name.resolve(turn.locale, fallbacks: city.fallbackLocales))]) { $1 })
        case .outside(let place)?:
            turn.say("report.location_outside", ["place": .text(place), "program": .text(city.program.resolve(turn.locale, fallbacks: city.fallbackLocales)),
                                                 "phone": .text(city.phone)])
        case nil:
            turn.say("report.ask_location", args)
        }
    }
}
