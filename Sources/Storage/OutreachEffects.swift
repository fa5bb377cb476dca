import CityModel
import Conversation
import Foundation
import Outreach

/// What the outreach events of a turn or a job mean for storage, decided once for every store: who follows
/// which ticket, how a survey record changes, which tickets reopen and what the department is told.
public struct OutreachEffects: Sendable {
    public var follows: [TrackingNumber] = []
    public var surveyStarts: [TrackingNumber] = []
    public var surveyResponses: [(TrackingNumber, SurveyResponse)] = []
    public var surveyExpiries: [TrackingNumber] = []
    public var reopens: [TrackingNumber] = []

    public init(_ events: [Event]) {
        for event in events {
            switch event {
            case .followRequested(let t): follows.append(t)
            case .surveyStarted(let t): surveyStarts.append(t)
            case .surveyAnswered(let t, let response): surveyResponses.append((t, response))
            case .surveyEnded(let t, let expired) where expired: surveyExpiries.append(t)
            case .reopenRequested(let t): reopens.append(t)
            default: break
            }
        }
    }

    public var isEmpty: Bool {
        follows.isEmpty && surveyStarts.isEmpty && surveyResponses.isEmpty && surveyExpiries.isEmpty && reopens.isEmpty
    }

    /// The change that reopens a ticket the resident says is not fixed, and the internal note that says why.
    public static let reopenChange = TicketChange(status: .open)
    public static let reopenNote = "The resident says it is not fixed (satisfaction survey). Reopened."

    /// `record` after the survey answers of this turn.
    public static func applying(_ response: SurveyResponse, to record: SurveyRecord, at date: Date) -> SurveyRecord {
        var record = record
        switch response {
        case .fixed(let fixed): record.fixed = fixed
        case .rating(let rating): record.rating = rating
        case .comment(let comment): record.comment = comment
        }
        record.state = .answered
        record.updatedAt = date
        return record
    }
}
