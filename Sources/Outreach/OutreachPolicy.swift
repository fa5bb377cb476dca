import CityModel
import Foundation
import Localization

/// What is sent to whom, and when: pure decisions from ticket events, recipients and the clock.
///
/// - Every staff status change becomes one update job (`update:<ticket>:<status>:<time>`), fanned out when it
///   runs to the reporter and every follower, each in their own language and channel.
/// - Closing a ticket schedules the survey once per ticket, ever (`survey:<ticket>`), `surveys.delay` later.
/// - Nothing but replies to the resident's own messages, "call 911" and the STOP confirmation goes out in quiet
///   hours: everything else waits for the morning in the recipient's time zone (the contact's own, else the
///   city's), and a day that skips or repeats an hour (DST) is handled by the calendar, not by adding hours.
public struct OutreachPolicy: Sendable {
    public let quietHours: QuietHours
    public let timeZone: TimeZone
    public let surveyDelay: TimeInterval
    public let surveyReminder: TimeInterval
    /// How long a busy resident's survey may wait before it is given up (they are mid-report, with a person …).
    public let surveyPatience: TimeInterval
    /// How long to wait before trying a busy resident again.
    public let busyRetry: TimeInterval

    public init(city: City, surveyPatience: TimeInterval = 2 * 86_400, busyRetry: TimeInterval = 30 * 60) {
        quietHours = city.quietHours
        timeZone = city.timeZone
        surveyDelay = TimeInterval(city.timings.surveyDelay)
        surveyReminder = TimeInterval(city.timings.surveyReminder)
        self.surveyPatience = surveyPatience
        self.busyRetry = busyRetry
    }

    /// Jobs for a ticket created outside a dialog (staff API, back-end systems): the department hears of it, and a
    /// resident reporter gets the acknowledgement with the tracking number — once (`ack:<ticket>`).
    public func jobs(created ticket: Ticket, at date: Date) -> [NewJob] {
        var jobs = [Self.departmentJob(ticket.trackingNumber, event: "created", at: date)]
        if ticket.reporter.channel.reachesResident {
            jobs.append(NewJob(.acknowledge(ticket: ticket.trackingNumber), key: "ack:\(ticket.trackingNumber.digits)", dueAt: date))
        }
        return jobs
    }

    /// Jobs for the history entries a staff change just made to `ticket`: the residents' update and the survey
    /// for a status change, and the department's system hears of every status change and reassignment (the new
    /// department's system, for a reassignment).
    public func jobs(after events: [TicketEvent], ticket: Ticket) -> [NewJob] {
        var jobs: [NewJob] = []
        for event in events where event.kind == .department {
            jobs.append(Self.departmentJob(ticket.trackingNumber, event: "assigned", at: event.at))
        }
        for event in events where event.kind == .status {
            guard let status = event.status else { continue }
            jobs.append(Self.departmentJob(ticket.trackingNumber, event: "status_changed", at: event.at))
            jobs.append(NewJob(.ticketUpdate(ticket: ticket.trackingNumber, status: status, note: event.isPublic ? event.note : nil),
                               key: Self.updateKey(ticket.trackingNumber, status: status, at: event.at), dueAt: event.at))
            if status == .closed, ticket.reporter.channel.reachesResident, Self.surveyedResolutions.contains(ticket.resolution ?? "fixed") {
                jobs.append(NewJob(.surveyStart(ticket: ticket.trackingNumber), key: "survey:\(ticket.trackingNumber.digits)",
                                   dueAt: event.at.addingTimeInterval(surveyDelay)))
            }
        }
        return jobs
    }

    /// A survey asks whether the work was done: not after "duplicate" or "not ours".
    static let surveyedResolutions: Set<String> = ["fixed", "completed", "done", "resolved"]

    /// One update job per resident recipient; the key makes a re-run of the fan-out harmless.
    public func fanOut(_ ticket: TrackingNumber, status: TicketStatus, note: String?, parentKey: String,
                       to recipients: [ChannelAddress], at date: Date) -> [NewJob] {
        var seen = Set<ChannelAddress>()
        return recipients.filter { $0.channel.reachesResident && seen.insert($0).inserted }.map { address in
            NewJob(.notify(ticket: ticket, status: status, note: note, to: address), key: Self.notifyKey(parentKey, to: address), dueAt: date)
        }
    }

    /// The key of the update job for a status change made at `date`.
    public static func updateKey(_ ticket: TrackingNumber, status: TicketStatus, at date: Date) -> String {
        "update:\(ticket.digits):\(status.rawValue):\(Int(date.timeIntervalSince1970 * 1000))"
    }

    /// The key of one recipient's copy of the update keyed `parentKey`.
    public static func notifyKey(_ parentKey: String, to address: ChannelAddress) -> String {
        "\(parentKey):\(address.channel.rawValue):\(address.address)"
    }

    /// The keys of the jobs that tell the reporter their ticket was closed (the update, then their copy of it): a
    /// survey waits for them, so "is it fixed?" never arrives before "it is fixed". Nil for a ticket not closed.
    public static func closingUpdateKeys(of ticket: Ticket) -> (update: String, reporter: String)? {
        guard ticket.status == .closed, let closedAt = ticket.closedAt else { return nil }
        let update = updateKey(ticket.trackingNumber, status: .closed, at: closedAt)
        return (update, notifyKey(update, to: ticket.reporter))
    }

    /// How soon a survey waiting for the closing update looks again.
    public static let updateFirstRetry: TimeInterval = 1

    /// When a message of `kind` may go to a recipient in `timeZone` (nil: the city's), at or after `date`.
    public func sendTime(_ kind: MessageKind, at date: Date, timeZone: TimeZone? = nil) -> Date {
        switch kind {
        // An operator's reply answers a conversation the resident is in: quiet hours do not apply.
        case .reply, .emergency, .optOutConfirmation, .operatorReply: return date
        // An area notice waits for the morning too, unless staff marked it an emergency (see `RenderedMessage.urgent`).
        case .acknowledgement, .statusUpdate, .survey, .reminder, .notice, .alert:
            return quietHours.nextAllowed(after: date, in: timeZone ?? self.timeZone)
        }
    }

    /// The same for a recipient whose own time zone is an IANA name as stored (nil or unknown: the city's).
    public func sendTime(_ kind: MessageKind, at date: Date, timeZoneID: String?) -> Date {
        sendTime(kind, at: date, timeZone: timeZoneID.flatMap(TimeZone.init(identifier:)))
    }

    public func reminderJob(_ ticket: TrackingNumber, after date: Date) -> NewJob {
        NewJob(.surveyReminder(ticket: ticket), key: "survey-reminder:\(ticket.digits)", dueAt: date.addingTimeInterval(surveyReminder))
    }

    /// The survey ends unanswered one reminder interval after the reminder.
    public func expiryJob(_ ticket: TrackingNumber, after date: Date) -> NewJob {
        NewJob(.surveyExpiry(ticket: ticket), key: "survey-expiry:\(ticket.digits)", dueAt: date.addingTimeInterval(max(surveyReminder, 60)))
    }

    public static func departmentJob(_ ticket: TrackingNumber, event: String, at date: Date) -> NewJob {
        NewJob(.departmentEvent(ticket: ticket, event: event), key: "department:\(ticket.digits):\(event):\(Int(date.timeIntervalSince1970 * 1000))",
               dueAt: date)
    }
}

extension QuietHours {
    /// `date` itself outside quiet hours, else the moment they end (local `end` time on the right day).
    /// Computed with the calendar of `timeZone`, so a night in which clocks change still ends at 08:00 local.
    public func nextAllowed(after date: Date, in timeZone: TimeZone) -> Date {
        guard contains(date, in: timeZone) else { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(hour: end.minutes / 60, minute: end.minutes % 60, second: 0)
        return calendar.nextDate(after: date, matching: components, matchingPolicy: .nextTime) ?? date
    }
}
