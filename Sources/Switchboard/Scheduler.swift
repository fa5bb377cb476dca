import CityModel
import Conversation
import Foundation
import Localization
import Logging
import Messaging
import Outreach
import Rendering
import ServiceLifecycle
import Storage

/// Runs due jobs: fans status updates out to the reporter and followers, sends each in the recipient's language
/// and channel, starts, reminds and expires satisfaction surveys — never after STOP, never in quiet hours.
///
/// A job's messages, follow-up jobs, session change and new state are committed at once (`JobStore.complete`),
/// so a crash either leaves the job to run again or finds it done with its messages queued: nothing is sent
/// twice. Jobs that touch a resident's session run under that resident's lock, like their own messages.
public struct Scheduler: ServiceLifecycle.Service, CustomStringConvertible {
    /// Its name only: ServiceLifecycle logs each service as `"\(service)"`, and the default description would
    /// print every field — the city, the store, the transports with their credentials.
    public var description: String { "Scheduler" }

    public struct Settings: Sendable {
        public var pollInterval: Duration = .milliseconds(250)
        public var batchSize = 200
        public var lease: TimeInterval = 120
        public var maxAttempts = 8
        public var backoffBase: TimeInterval = 10
        public var backoffCap: TimeInterval = 3_600
        public init() {}
    }

    let switchboard: Switchboard
    let jobs: any JobStore
    let policy: OutreachPolicy
    let settings: Settings
    let logger: Logger
    let clock: @Sendable () -> Date

    public init(switchboard: Switchboard, jobs: any JobStore, policy: OutreachPolicy, settings: Settings = Settings(),
                logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.switchboard = switchboard
        self.jobs = jobs
        self.policy = policy
        self.settings = settings
        self.logger = logger
        self.clock = clock
    }

    public func run() async throws {
        await QueueWorker(queue: "jobs", pollInterval: settings.pollInterval, logger: logger, metrics: switchboard.metrics).run {
            try await runDue()
        }
    }

    /// Runs every due job once; returns how many ran.
    ///
    /// Status updates — nearly all jobs, fanned out to every recipient — touch no session: they are rendered in one
    /// pass over the batch (its tickets and recipients read once) and committed in one transaction. The other jobs
    /// run concurrently, each under its resident's lock.
    @discardableResult
    public func runDue() async throws -> Int {
        let now = clock()
        let due = try await jobs.claimJobs(now: now, limit: settings.batchSize, leaseUntil: now.addingTimeInterval(settings.lease))
        var numbers: [TrackingNumber] = []
        var seen = Set<TrackingNumber>()
        var addresses: [ChannelAddress] = []
        for job in due {
            if case .notify(let number, _, _, let to) = job.work {
                if seen.insert(number).inserted { numbers.append(number) }
                addresses.append(to)
            }
        }
        let tickets = numbers.isEmpty ? [:] : try await switchboard.store.tickets(numbers)
        let recipients = addresses.isEmpty ? [:] : try await jobs.recipients(addresses)
        var updates: [(Job, JobCompletion)] = []
        var others: [Job] = []
        for job in due {
            if case .notify(let number, let status, let note, let address) = job.work, let recipient = recipients[address] {
                let completion = tickets[number].map {
                    switchboard.notify(job, ticket: $0, status: status, note: note, to: address, recipient: recipient, policy: policy, now: now)
                } ?? JobCompletion(job: job.id, outcome: .done(note: "no such ticket"), at: now)
                updates.append((job, completion))
            } else {
                others.append(job)
            }
        }
        do {
            try await jobs.complete(updates.map(\.1))
        } catch {
            // One bad completion must not hold back the rest: commit them one by one.
            for (job, completion) in updates {
                do { try await jobs.complete(completion) } catch { await fail(job, error) }
            }
        }
        // The other jobs of one ticket run in order (its `created` event before its `status_changed`), different
        // tickets concurrently.
        var byTicket: [TrackingNumber: [Job]] = [:]
        for job in others { byTicket[job.work.ticket, default: []].append(job) }
        await withTaskGroup(of: Void.self) { group in
            for jobs in byTicket.values {
                group.addTask { for job in jobs { await self.runOne(job) } }
            }
        }
        return due.count
    }

    func runOne(_ job: Job) async {
        do {
            try await switchboard.run(job, policy: policy, jobs: jobs, now: clock())
        } catch {
            await fail(job, error)
        }
    }

    /// Schedules a failed job's retry with capped exponential backoff, or gives it up.
    func fail(_ job: Job, _ error: any Error) async {
        let now = clock()
        let outcome: JobOutcome = job.attempts < settings.maxAttempts
            ? .retry(at: now.addingTimeInterval(Backoff.delay(afterAttempt: job.attempts, base: settings.backoffBase, cap: settings.backoffCap)),
                     error: "\(error)")
            : .dead(error: "gave up after \(job.attempts) attempts: \(error)")
        var log = logger
        log[metadataKey: "job.id"] = "\(job.id)"
        log[metadataKey: "job.kind"] = "\(job.work.kind)"
        log.warning("job failed", metadata: ["error": "\(error)"])
        do {
            try await jobs.complete(JobCompletion(job: job.id, outcome: outcome, at: now))
        } catch {
            // The job stays leased and runs again when the lease expires; say so rather than lose the failure.
            log.error("could not record the job's failure", metadata: ["error.type": "\(type(of: error))", "error": "\(error)"])
        }
    }
}

extension Switchboard {
    /// Runs one job and commits what it did.
    func run(_ job: Job, policy: OutreachPolicy, jobs: any JobStore, now: Date) async throws {
        guard let ticket = try await store.ticket(job.work.ticket) else {
            return try await jobs.complete(JobCompletion(job: job.id, outcome: .done(note: "no such ticket"), at: now))
        }
        let number = ticket.trackingNumber
        switch job.work {
        case .ticketUpdate(_, let status, let note):
            let recipients = [ticket.reporter] + (try await jobs.followers(of: number))
            let fanOut = policy.fanOut(number, status: status, note: note, parentKey: job.dedupeKey, to: recipients, at: now)
            try await jobs.complete(JobCompletion(job: job.id, outcome: .done(note: nil), followUps: fanOut, at: now))

        case .acknowledge:
            try await jobs.complete(acknowledge(job, ticket: ticket, recipient: try await jobs.recipient(ticket.reporter), policy: policy, now: now))

        case .notify(_, let status, let note, let address):
            try await jobs.complete(notify(job, ticket: ticket, status: status, note: note, to: address,
                                           recipient: try await jobs.recipient(address), policy: policy, now: now))

        case .surveyStart:
            guard ticket.status == .closed else {
                return try await jobs.complete(JobCompletion(job: job.id, outcome: .done(note: "ticket is not closed"), at: now))
            }
            // The update saying it was closed goes first (with no survey delay both are due at once).
            if try await closingUpdateIsWaiting(ticket, jobs: jobs) {
                let later = now.addingTimeInterval(OutreachPolicy.updateFirstRetry)
                return try await jobs.complete(JobCompletion(job: job.id, outcome: .postpone(to: later), at: now))
            }
            try await withSession(ticket, job: job, policy: policy, jobs: jobs, now: now) { session in
                if let turn = engine.startSurvey(session, ticket: ticket.summary, now: now) {
                    return (turn, [policy.reminderJob(number, after: now)])
                }
                return nil
            } busy: {
                let deadline = (ticket.closedAt ?? now).addingTimeInterval(policy.surveyDelay + policy.surveyPatience)
                return now > deadline ? .done(note: "gave up: the resident stayed busy") : .postpone(to: now.addingTimeInterval(policy.busyRetry))
            }

        case .surveyReminder:
            try await withSession(ticket, job: job, policy: policy, jobs: jobs, now: now) { session in
                engine.remindSurvey(session, ticket: number, now: now).map { ($0, [policy.expiryJob(number, after: now)]) }
            } busy: { .done(note: "answered, or no survey open") }

        case .surveyExpiry:
            try await withSession(ticket, job: job, policy: policy, jobs: jobs, now: now, quiet: false) { session in
                engine.expireSurvey(session, ticket: number, now: now).map { ($0, []) }
            } busy: { .done(note: "answered, or no survey open") }

        case .departmentEvent(_, let event):
            // Through the outbox, so the post is retried and dead-lettered like any message; a department without
            // a system of its own gets it in the outbox file (`department:<code>`).
            let department = engine.city.department(ticket.department)
            let to = ChannelAddress(channel: .webhook, address: department?.webhook ?? "department:\(ticket.department)")
            let body = try DepartmentEvent(event: event, ticket: ticket, at: now).json()
            var outbox = [RenderedMessage(to: to, body: body, locale: engine.city.defaultLocale, kind: .notice, ticket: number)]
            // A department with a work-order system of its own (Open311) gets each new ticket filed there too,
            // through the outbox: retried until it answers, dead-lettered and visible to operators if it never does.
            if event == "created", let endpoint = department?.open311 {
                let filing = try String(decoding: JSONEncoder().encode(Open311Filing(ticket, endpoint: endpoint)), as: UTF8.self)
                outbox.append(RenderedMessage(to: ChannelAddress(channel: .open311, address: ticket.department), body: filing,
                                              locale: engine.city.defaultLocale, kind: .notice, ticket: number))
            }
            try await jobs.complete(JobCompletion(job: job.id, outcome: .done(note: nil), outbox: outbox, at: now))
        }
    }

    /// Whether the reporter's "it was closed" update is still to be queued (its fan-out or their copy pending or
    /// running). Sent, suppressed or dead-lettered, it no longer holds the survey back.
    func closingUpdateIsWaiting(_ ticket: Ticket, jobs: any JobStore) async throws -> Bool {
        guard let keys = OutreachPolicy.closingUpdateKeys(of: ticket) else { return false }
        for key in [keys.update, keys.reporter] {
            if let job = try await jobs.job(dedupeKey: key), job.state == .pending || job.state == .running { return true }
        }
        return false
    }

    /// Whether a message of `kind` must wait for `recipient`: nil when it may go now; else the job's outcome —
    /// done after STOP, postponed out of quiet hours (unless `quiet` is false: an expiry sends only a reply).
    func hold(_ kind: MessageKind, for recipient: Recipient, policy: OutreachPolicy, now: Date, quiet: Bool = true) -> JobOutcome? {
        if recipient.optedOut { return .done(note: "suppressed: opted out") }
        let sendAt = policy.sendTime(kind, at: now, timeZoneID: recipient.timeZone)
        return quiet && sendAt > now ? .postpone(to: sendAt) : nil
    }

    /// "We got your report #…": in the reporter's language (their own, else the one staff gave), never after
    /// STOP, never in quiet hours.
    func acknowledge(_ job: Job, ticket: Ticket, recipient: Recipient, policy: OutreachPolicy, now: Date) -> JobCompletion {
        if let held = hold(.acknowledgement, for: recipient, policy: policy, now: now) { return JobCompletion(job: job.id, outcome: held, at: now) }
        let city = engine.city
        let locale = recipient.locale ?? ticket.draft.locale
        let message = OutboundMessage("ack.created", [
            "program": .text(city.program.resolve(locale, fallbacks: city.fallbackLocales)),
            "number": .text(ticket.trackingNumber.digits),
            "service": .text(city.serviceName(ticket.draft.serviceCode, in: locale)),
            "department": .text(city.departmentName(ticket.department, in: locale)),
            "expected": .day(ticket.draft.expectedAt),
        ], kind: .acknowledgement)
        return JobCompletion(job: job.id, outcome: .done(note: nil),
                             outbox: render([message], to: ticket.reporter, locale: locale, ticket: ticket.trackingNumber, thread: ticket.thread),
                             at: now)
    }

    /// What one status update to one recipient comes to: suppressed after STOP, postponed out of quiet hours, or
    /// the update rendered in the recipient's language and channel.
    func notify(_ job: Job, ticket: Ticket, status: TicketStatus, note: String?, to address: ChannelAddress, recipient: Recipient,
                policy: OutreachPolicy, now: Date) -> JobCompletion {
        if let held = hold(.statusUpdate, for: recipient, policy: policy, now: now) { return JobCompletion(job: job.id, outcome: held, at: now) }
        let locale = recipient.locale ?? engine.city.defaultLocale
        var args: [String: MessageArgument] = [
            "number": .text(ticket.trackingNumber.digits), "status": .key("status.name.\(status.rawValue)"),
            "service": .text(engine.city.serviceName(ticket.draft.serviceCode, in: locale)),
        ]
        if let note { args.merge(MessageArgument.statusNote(note)) { $1 } }
        let message = OutboundMessage(status == .closed ? "update.closed" : "update.status", args, kind: .statusUpdate)
        return JobCompletion(job: job.id, outcome: .done(note: nil),
                             outbox: render([message], to: address, locale: locale, ticket: ticket.trackingNumber,
                                            thread: address == ticket.reporter ? ticket.thread : nil), at: now)
    }

    /// Runs `body` on the reporter's session under their lock and commits its turn (messages, session, events,
    /// follow-up jobs) with the job; `busy` decides the outcome when `body` returns nil. Opted-out residents get
    /// nothing; in quiet hours (when `quiet`) the job waits for the morning.
    private func withSession(
        _ ticket: Ticket, job: Job, policy: OutreachPolicy, jobs: any JobStore, now: Date, quiet: Bool = true,
        _ body: @escaping @Sendable (Session) -> (Turn, [NewJob])?, busy: @escaping @Sendable () -> JobOutcome
    ) async throws {
        let address = ticket.reporter
        try await locks.withLock(address) {
            for _ in 0..<Self.sessionRetries {
                let recipient = try await jobs.recipient(address)
                if let held = hold(.survey, for: recipient, policy: policy, now: now, quiet: quiet) {
                    return try await jobs.complete(JobCompletion(job: job.id, outcome: held, at: now))
                }
                let before = StoredSession(recipient.session, version: recipient.sessionVersion)
                guard let (turn, followUps) = body(recipient.session ?? Session(locale: recipient.locale)) else {
                    return try await jobs.complete(JobCompletion(job: job.id, outcome: busy(), at: now))
                }
                let outbox = render(turn.messages, to: address, locale: turn.locale, ticket: ticket.trackingNumber, thread: ticket.thread)
                let surveyTickets = TurnPlanner.surveyTickets(in: turn.events)
                let planner = TurnPlanner(address: address, before: before, after: turn.session, locale: turn.locale,
                                          surveys: surveyTickets.isEmpty ? [:] : try await store.surveys(of: surveyTickets), at: now)
                do {
                    return try await jobs.complete(JobCompletion(job: job.id, outcome: .done(note: nil),
                                                                 plan: planner.plan(turn.events, outbox: outbox, jobs: followUps)))
                } catch let error as StoreError where error == .sessionChanged {
                    continue // the resident's own turn (another process) wrote the session first: read it again
                }
            }
            throw StoreError.sessionChanged
        }
    }

    /// The messages as `address`'s channel sends them, in `locale`, about `ticket`, answering `thread` (the
    /// resident's message, on channels that thread).
    func render(_ messages: [OutboundMessage], to address: ChannelAddress, locale: LanguageTag, ticket: TrackingNumber?,
                thread: MessageThread? = nil) -> [RenderedMessage] {
        composer.compose(messages, to: address, locale: locale, ticket: ticket, thread: thread).map {
            RenderedMessage(to: address, subject: $0.subject, body: $0.body, html: $0.html, locale: locale, kind: $0.kind, ticket: ticket,
                            inReplyTo: thread)
        }
    }
}
