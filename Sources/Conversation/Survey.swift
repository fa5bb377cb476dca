import CityModel

/// The resident's answer to "Is it fixed?".
public enum SurveyFixed: String, Hashable, Sendable, Codable { case yes, partly, no }

/// One answer of a satisfaction survey.
public enum SurveyResponse: Hashable, Sendable, Codable {
    case fixed(SurveyFixed)
    /// 1 (very unhappy) … 5 (very happy).
    case rating(Int)
    case comment(String)
}

/// Where a survey stands in a session: which ticket, which question is open.
public struct SurveyStep: Hashable, Sendable, Codable {
    public enum Question: String, Hashable, Sendable, Codable { case fixed, rating, comment }
    public var ticket: TrackingNumber
    public var serviceCode: String
    public var question: Question
    /// The reminder went out (there is only one).
    public var reminded: Bool
    /// The current question was asked again after an answer we could not read (only once).
    public var reasked: Bool

    public init(ticket: TrackingNumber, serviceCode: String, question: Question = .fixed) {
        self.ticket = ticket
        self.serviceCode = serviceCode
        self.question = question
        reminded = false
        reasked = false
    }
}
