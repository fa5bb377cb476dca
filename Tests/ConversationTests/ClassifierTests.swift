import CityModel
import Conversation
import Testing

/// The classifier: words, phrases, stems, typos and compounds, and what the engine should do with a text.
@Suite struct ClassifierTests {
    let classifier = Classifier(city: Fixtures.city)

    @Test(arguments: [
        ("There's a huge pothole on my street", "pothole"),
        ("POTHOLES everywhere!!", "pothole"),
        ("big pot hole by the school", "pothole"),          // written apart
        ("potholle on Main", "pothole"),                     // typo
        ("there is a hole in the middle of the road", "pothole"), // phrase with words between
        ("the streetlight is broken", "streetlight"),        // written together
        ("lamp posts are dark", "streetlight"),              // plural
        ("traffic light stuck on red", "traffic-signal"),
        ("someone spray painted the wall", "graffiti"),      // stem: painted → paint
        ("my trash was not picked up", "missed-pickup"),
    ])
    func findsTheService(text: String, code: String) {
        let result = classifier.classify(text)
        #expect(result.top?.code == code, "\(text): \(result.candidates)")
        #expect(result.confidence > 0)
    }

    @Test func strongMatchGoesStraightOn() {
        guard case .confident(let top) = classifier.classify("graffiti on the wall").decision else {
            Issue.record("expected a confident decision")
            return
        }
        #expect(top.code == "graffiti")
    }

    @Test func sharedWordsOfferChoices() {
        // "light out" is a keyword of both the street light and the traffic signal.
        guard case .ambiguous(let close) = classifier.classify("the light out").decision else {
            Issue.record("expected choices")
            return
        }
        #expect(Set(close.map(\.code)) == ["streetlight", "traffic-signal"])
    }

    @Test func nothingMatchesGivesNone() {
        #expect(classifier.classify("hello, is anybody there?").decision == .none)
        #expect(classifier.classify("").decision == .none)
        #expect(classifier.classify("🙂").candidates.isEmpty)
    }

    @Test func phraseOfStopWordsDoesNotMatchItsOneWord() {
        // "been there for months" must not turn into the single word "month".
        #expect(classifier.classify("I called a month ago").candidates.isEmpty)
        #expect(classifier.classify("it has been there for months").top?.code == "pothole")
    }

    @Test func informationIsItsOwnKind() {
        let result = classifier.classify("when is trash day?")
        #expect(result.top?.kind == .information)
        #expect(result.top?.code == "trash-day")
    }

    @Test func typoNeedsFiveLetters() {
        // Short words are never fuzzy: "hole" must not match "pole".
        #expect(classifier.classify("pole").candidates.isEmpty)
    }
}

@Suite struct StemmerTests {
    @Test(arguments: [
        ("lights", "light"), ("leaking", "leak"), ("dumped", "dump"), ("flickering", "flicker"), ("potholes", "pothol"),
        ("pothole", "pothol"), ("bodies", "body"), ("grass", "grass"), ("bus", "bus"), ("parked", "park"),
        ("parking", "park"), ("biked", "bike"), ("bikes", "bike"), ("stopped", "stop"),
    ])
    func stems(word: String, stem: String) {
        #expect(Stemmer.stem(word) == stem)
    }

    @Test func editDistance() {
        #expect(EditDistance.within("pothole", "pothole", limit: 1) == 0)
        #expect(EditDistance.within("pothole", "pothloe", limit: 1) == 1) // swapped neighbours
        #expect(EditDistance.within("pothole", "potole", limit: 1) == 1)
        #expect(EditDistance.within("pothole", "pole", limit: 2) == nil)
        #expect(EditDistance.within("", "ab", limit: 2) == 2)
    }
}
