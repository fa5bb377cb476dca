import CityModel
import Foundation
import Localization

/// A small city built in code, so unit tests do not depend on the demo configuration's wording.
enum Fixtures {
    static func text(_ en: String) -> LocalizedText { LocalizedText(en: en) }
    static func words(_ en: [String]) -> LocalizedList { LocalizedList([.english: en]) }

    static func service(_ code: String, _ name: String, group: String = "streets", _ keywords: [String]) -> Service {
        Service(code: code, group: group, department: "streets", sla: 86_400, name: text(name), description: text(name),
                keywords: words(keywords), photoWanted: false, duplicateRadius: 0, attributes: [])
    }

    static let city = City(
        id: "testville", name: text("Testville"), program: text("Testville 311"), phone: "311", timeZoneID: "America/Chicago",
        locales: [.english],
        businessHours: BusinessHours(days: Dictionary(uniqueKeysWithValues: (2...6).map { ($0, TimeOfDay("08:00")!...TimeOfDay("17:00")!) })),
        quietHours: QuietHours(start: TimeOfDay("21:00")!, end: TimeOfDay("08:00")!),
        timings: Timings(sessionExpiry: 7200, surveyDelay: 86_400, surveyReminder: 172_800),
        jurisdictions: [Jurisdiction(id: "testville", name: text("Testville"), boundary: nil)], defaultJurisdiction: "testville",
        departments: [Department(code: "streets", name: text("Streets"), jurisdiction: "testville")],
        groups: [ServiceGroup(code: "streets", name: text("Streets"))],
        services: [
            service("pothole", "Pothole", ["pothole", "hole in the road", "sinkhole", "crater", "been there for months"]),
            service("streetlight", "Street light out", ["street light", "lamp post", "light out", "light pole"]),
            service("traffic-signal", "Traffic signal problem", ["traffic light", "traffic signal", "stuck on red", "light out"]),
            service("graffiti", "Graffiti", ["graffiti", "spray paint", "tagging"]),
            service("missed-pickup", "Missed trash pickup", ["trash not picked up", "missed pickup", "garbage not collected"]),
        ],
        information: [InformationEntry(code: "trash-day", keywords: words(["trash day", "garbage day", "when is pickup"]),
                                       answer: text("Trash goes out on your street's day."))],
        emergencies: EmergencyTriage(
            phrases: [("gas", words(["smell gas", "gas leak"])), ("fire", words(["on fire", "house fire", "flames"]))],
            unless: words(["gas station", "fire hydrant", "fire lane"])
        )
    )
}
