import CityModel
import Foundation

/// One resident's conversation state on one channel address. Persisted between turns (Codable).
public struct Session: Hashable, Sendable, Codable {
    /// The resident's language, once known.
    public var locale: LanguageTag?
    public var state: DialogState
    /// The report being built, while a report dialog runs.
    public var draft: ReportDraft?
    public var lastActivity: Date?
    /// STOP was received on this address: nothing is sent until START.
    public var optedOut: Bool
    /// Whether the resident has heard the welcome message.
    public var welcomed: Bool
    /// How fast the resident has been writing (the city's `flood` limit); nil before their first message.
    public var pace: ResidentPace?

    public init(locale: LanguageTag? = nil) {
        self.locale = locale
        state = .idle
        draft = nil
        lastActivity = nil
        optedOut = false
        welcomed = false
    }
}

/// How fast one resident has been writing, kept with their session so every instance and every restart sees the
/// same count (a resident's turns are serialised and their session written with its version).
public struct ResidentPace: Hashable, Sendable, Codable {
    /// One token a message, refilled at the city's `flood.per_minute` up to `flood.burst`.
    public var bucket: TokenBucket?
    /// They were told their messages wait; said once until they slow down (the bucket half full again).
    public var warned: Bool
    /// The last "call 911" they were sent: past the limit, the same emergency is answered at most once a minute.
    public var emergencyAnsweredAt: Date?

    public init(bucket: TokenBucket? = nil, warned: Bool = false, emergencyAnsweredAt: Date? = nil) {
        self.bucket = bucket
        self.warned = warned
        self.emergencyAnsweredAt = emergencyAnsweredAt
    }
}

/// Where the dialog stands: what the bot last asked.
public indirect enum DialogState: Hashable, Sendable, Codable {
    case idle
    /// "Which language?": the message that raised the question (to handle once answered, if any) and the
    /// state to return to.
    case choosingLanguage(pending: String?, resume: DialogState)
    /// "It sounds like a pothole — is that right?"
    case confirmingService(String)
    /// Numbered choices between close candidates; the last number is "something else".
    case choosingService([String])
    /// The group menu.
    case choosingGroup
    /// The services of one group.
    case choosingInGroup(String)
    case askingLocation(attempts: Int)
    /// "Which one? 1. 1423 Maple St 2. 1423 Maple Ave": the places are in the draft's `locationChoices`.
    case choosingLocation
    /// "#1234567 (Pothole, 40 m away) is already being handled. Reply FOLLOW … or NEW …".
    case offeringDuplicate(TrackingNumber)
    /// "The line between the city and the county runs right there: which side is it on?" (jurisdiction ids).
    case choosingJurisdiction([String])
    case askingAttribute(index: Int, attempts: Int)
    case askingPhoto
    case confirmingSummary
    /// The resident said the summary was wrong: which part to change.
    case choosingCorrection
    /// A person has the conversation.
    case withAgent
    /// A satisfaction survey about a closed ticket ("Is it fixed?", then 1–5, then a comment).
    case survey(SurveyStep)
}

/// The report being built.
public struct ReportDraft: Hashable, Sendable, Codable {
    public var serviceCode: String?
    /// Every message that described the problem, in the resident's words.
    public var description: [String]
    public var location: Location?
    public var answers: [AttributeAnswer]
    public var media: [MediaRef]
    /// The photo question was asked (and answered, with or without a photo).
    public var photoAsked: Bool
    /// Places the location could be, when the city has more than one by that name (asked back).
    public var locationChoices: [Location]?
    /// What was wrong with the last location given, to say when asking again.
    public var locationProblem: LocationProblem?
    /// Open tickets nearby were looked at (and, if there was one, offered to follow).
    public var duplicatesChecked: Bool?
    /// The open ticket offered to follow instead.
    public var duplicateOffer: NearbyTicket?
    /// The jurisdiction the resident chose for a point near a boundary (nil: the point decides).
    public var jurisdiction: String?
    /// When the resident's first message about this report arrived (the KPIs' time to close starts here).
    public var startedAt: Date?

    public init(description: [String] = [], location: Location? = nil, media: [MediaRef] = [], startedAt: Date? = nil) {
        self.startedAt = startedAt
        self.description = description
        self.location = location
        self.answers = []
        self.media = media
        self.serviceCode = nil
        self.photoAsked = false
    }

    public func answer(_ code: String) -> AttributeValue? { answers.first { $0.code == code }?.value }

    public mutating func setAnswer(_ code: String, _ value: AttributeValue) {
        answers.removeAll { $0.code == code }
        answers.append(AttributeAnswer(code: code, value: value))
    }
}

/// Why a location the resident gave could not be used as it was.
public enum LocationProblem: Hashable, Sendable, Codable {
    /// No such address or corner in the city's data ("1423 Zzyzx St"): asked once more, then kept as text.
    case notFound(String)
    /// A place outside every jurisdiction the line serves: asked again, never filed there.
    case outside(String)
}
