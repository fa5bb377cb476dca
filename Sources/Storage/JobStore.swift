import CityModel
import Conversation
import Foundation
import Messaging
import Outreach

/// A scheduled job as stored.
public struct Job: Hashable, Sendable {
    public enum State: String, Sendable, Codable, CaseIterable { case pending, running, done, dead }
    public var id: Int64
    public var work: Work
    public var dedupeKey: String
    public var dueAt: Date
    public var attempts: Int
    public var state: State
    /// Why it was dead-lettered, or what it did ("suppressed: opted out").
    public var note: String?

    public init(id: Int64, work: Work, dedupeKey: String, dueAt: Date, attempts: Int, state: State, note: String?) {
        self.id = id
        self.work = work
        self.dedupeKey = dedupeKey
        self.dueAt = dueAt
        self.attempts = attempts
        self.state = state
        self.note = note
    }
}

/// How a job ended this time.
public enum JobOutcome: Hashable, Sendable {
    /// Finished; the note says what happened when it did nothing ("suppressed: opted out").
    case done(note: String?)
    /// Not yet (quiet hours, the resident is mid-report): run again at that time, without counting an attempt.
    case postpone(to: Date)
    /// Failed; try again at that time.
    case retry(at: Date, error: String)
    /// Failed for good.
    case dead(error: String)
}

/// Everything running a job changes, committed at once with the job's new state: so a job's messages are
/// queued exactly once, even if the process dies right after.
public struct JobCompletion: Sendable {
    public var job: Int64
    public var outcome: JobOutcome
    /// What the job writes: messages for the outbox, follow-up jobs (a reminder after a survey question, the
    /// fan-out of an update), a recipient's session changed by the engine (a survey started).
    public var plan: WritePlan

    public init(job: Int64, outcome: JobOutcome, plan: WritePlan) {
        self.job = job
        self.outcome = outcome
        self.plan = plan
    }

    /// A completion that queues `outbox` and schedules `followUps`, and writes nothing else.
    public init(job: Int64, outcome: JobOutcome, outbox: [RenderedMessage] = [], followUps: [NewJob] = [], at: Date) {
        self.init(job: job, outcome: outcome, plan: WritePlan(outbox: outbox, jobs: followUps, at: at))
    }

    public var at: Date { plan.at }
}

/// What outreach needs to know about a recipient before writing to them.
public struct Recipient: Hashable, Sendable {
    public var address: ChannelAddress
    public var locale: LanguageTag?
    public var optedOut: Bool
    /// The contact's own time zone (IANA), when it differs from the city's.
    public var timeZone: String?
    public var session: Session?
    /// The session's version, for a job that writes it (0: none yet).
    public var sessionVersion: Int

    public init(address: ChannelAddress, locale: LanguageTag?, optedOut: Bool, timeZone: String?, session: Session?,
                sessionVersion: Int = 0) {
        self.address = address
        self.locale = locale
        self.optedOut = optedOut
        self.timeZone = timeZone
        self.session = session
        self.sessionVersion = sessionVersion
    }
}

extension JobStore {
    public func recipients(_ addresses: [ChannelAddress]) async throws -> [ChannelAddress: Recipient] {
        var found: [ChannelAddress: Recipient] = [:]
        for address in addresses {
            var recipient = try await recipient(address)
            recipient.session = nil
            found[address] = recipient
        }
        return found
    }
}

/// A ticket's satisfaction survey as stored for reporting.
public struct SurveyRecord: Hashable, Sendable, Codable {
    public enum State: String, Sendable, Codable { case asked, answered, expired }
    public var ticket: TrackingNumber
    public var state: State
    public var fixed: SurveyFixed?
    public var rating: Int?
    public var comment: String?
    public var startedAt: Date
    public var updatedAt: Date

    public init(ticket: TrackingNumber, state: State, fixed: SurveyFixed? = nil, rating: Int? = nil, comment: String? = nil,
                startedAt: Date, updatedAt: Date) {
        self.ticket = ticket
        self.state = state
        self.fixed = fixed
        self.rating = rating
        self.comment = comment
        self.startedAt = startedAt
        self.updatedAt = updatedAt
    }
}

/// The durable job queue and what jobs read.
///
/// `claimJobs` leases due jobs (state `running` until `leaseUntil`); a job whose lease ran out (its worker
/// died) is due again. `complete` writes a job's outcome and everything it produced in one transaction.
/// On PostgreSQL several servers can share the queue (`FOR UPDATE SKIP LOCKED`); on SQLite one process runs it.
public protocol JobStore: Sendable {
    /// Schedules jobs; a job whose `dedupeKey` exists already is ignored.
    func schedule(_ jobs: [NewJob], at date: Date) async throws
    func claimJobs(now: Date, limit: Int, leaseUntil: Date) async throws -> [Job]
    func complete(_ completion: JobCompletion) async throws
    /// Several completions in one transaction: all or none (the caller then completes them one by one).
    func complete(_ completions: [JobCompletion]) async throws
    func job(dedupeKey: String) async throws -> Job?
    /// Jobs in `state`, newest first (the dead letters, for operators).
    func jobs(state: Job.State, limit: Int) async throws -> [Job]
    /// How many jobs are in each state (queue depth, for `/metrics`); a state with none may be absent.
    func jobCounts() async throws -> [Job.State: Int]
    /// Runs a dead-lettered job again: pending, due at `date`, attempts from zero. False when it is not dead.
    func requeueJob(_ id: Int64, at date: Date) async throws -> Bool
    func recipient(_ address: ChannelAddress) async throws -> Recipient
    /// Several recipients in one read (a batch of updates going out), without their sessions: language, opt-out
    /// and time zone are all an update needs.
    func recipients(_ addresses: [ChannelAddress]) async throws -> [ChannelAddress: Recipient]
    func followers(of ticket: TrackingNumber) async throws -> [ChannelAddress]
    func survey(of ticket: TrackingNumber) async throws -> SurveyRecord?
    /// Sets a contact's own time zone (IANA name), or clears it.
    func setTimeZone(_ timeZone: String?, for address: ChannelAddress) async throws
}

extension JobStore {
    public func complete(_ completions: [JobCompletion]) async throws {
        for completion in completions { try await complete(completion) }
    }
}
