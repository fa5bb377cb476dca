import CityModel
import Conversation
import Testing

/// The same message gets the same service and the same confidence in every process. These messages have phrases that
/// match equally well in more than one way; which match counted used to follow the iteration order of a `Set`, which
/// Swift seeds anew in every process, so their confidence changed from one run to the next (0.942 or 0.993 for the
/// scooter) — and with it, near a threshold, whether the resident was asked to confirm.
@Suite struct ClassifierOrderTests {
    @Test(arguments: [
        ("Grey scooter /motorcycle expired plates and no inspection", "abandoned-vehicle", 0.993),
        ("water main leaking onto grant ave, big puddle forming in the right lane", "water-leak", 0.98),
        ("loud music coming from neighbor, and when they party they usually party for hours", "noise", 0.986),
    ])
    func equalMatchesAreTakenInOneOrder(text: String, code: String, confidence: Double) throws {
        let result = Classifier(city: try DemoCity.shared.city).classify(text)
        #expect(result.top?.code == code)
        #expect(result.confidence == confidence, "\(result.candidates)")
    }
}
