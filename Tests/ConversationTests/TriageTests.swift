import CityModel
import Conversation
import Testing

@Suite struct TriageTests {
    let triage = Triage(city: Fixtures.city)

    @Test(arguments: [
        ("I smell gas in my basement", "gas"),
        ("GAS LEAK on 5th!!", "gas"),
        ("the house next door is on fire", "fire"),
        ("house fire by the fire hydrant", "fire"),   // an unless phrase hides only its own words
        ("I see flames", "fire"),
    ])
    func emergencies(text: String, code: String) {
        #expect(triage.emergency(in: text) == code)
    }

    @Test(arguments: [
        "fire hydrant leaking at 12 Pine St",
        "someone parked in the fire lane",
        "the gas station sign is down",
        "stop sign knocked down",
        "my trash was not picked up",
        "",
    ])
    func ordinaryReports(text: String) {
        #expect(triage.emergency(in: text) == nil)
    }
}
