import CityModel
import Conversation
import Messaging
import Outreach
import Foundation
import Reports

/// The in-memory twin of every storage port: the same contract as SQLite, nothing durable. For tests.
public actor MemoryStore: ConversationStore, TicketStore, OutboxStore, TokenStore, JobStore, TrackingNumberStore, PacingStore, HandoffStore, AlertStore {
    private var sessions: [ChannelAddress: Session] = [:]
    private var versions: [ChannelAddress: Int] = [:]
    private var eventRecords: [EventRecord] = []
    private var ticketsByNumber: [TrackingNumber: Ticket] = [:]
    private var histories: [TrackingNumber: [TicketEvent]] = [:]
    private var handled: [String: [RenderedMessage]] = [:]
    private var emergencyRecords: [EmergencyRecord] = []
    private var outbox: [Int64: OutboxEntry] = [:]
    private var earlyReceipts: [String: (receipt: DeliveryStatus.Early, at: Date)] = [:]
    private var tokens: [String: StaffToken] = [:]
    private var jobs: [Int64: Job] = [:]
    private var jobKeys: [String: Int64] = [:]
    private var followersByTicket: [TrackingNumber: [ChannelAddress]] = [:]
    private var surveys: [TrackingNumber: SurveyRecord] = [:]
    private var timeZones: [ChannelAddress: String] = [:]
    private var optOutTimes: [ChannelAddress: Date] = [:]
    private var ticketRequests: [String: TrackingNumber] = [:]
    private var trackingSequence = 0
    private var buckets: [String: TokenBucket] = [:]
    private var handoffRows: [Int64: Handoff] = [:]
    private var handoffNotes: [Int64: [HandoffNote]] = [:]
    var links: [TrackingNumber: [String: ExternalLink]] = [:]
    private var alertRows: [AlertSubscription] = []
    private var noticeRows: [Int64: (notice: NewNotice, cancelledAt: Date?)] = [:]
    private var messageLog: [(address: ChannelAddress, line: TranscriptLine)] = []
    public private(set) var inbound: [InboundMessage] = []
    public private(set) var inlineReplies: [RenderedMessage] = []

    public init() {}

    var allTickets: Dictionary<TrackingNumber, Ticket>.Values { ticketsByNumber.values }
    var allHandoffs: Dictionary<Int64, Handoff>.Values { handoffRows.values }

    // MARK: ConversationStore

    public func session(for address: ChannelAddress) -> Session? { sessions[address] }


    public func tickets(reportedBy address: ChannelAddress) -> [Ticket] {
        ticketsByNumber.values.filter { $0.reporter == address }.sorted { $0.draft.requestedAt > $1.draft.requestedAt }
    }

    public func ticket(_ number: TrackingNumber) -> Ticket? { ticketsByNumber[number] }

    public func emergencies(since date: Date) -> [EmergencyRecord] { emergencyRecords.filter { $0.at >= date } }

    public func replies(toExternalID id: String, channel: Channel) -> [RenderedMessage]? { handled["\(channel.rawValue):\(id)"] }

    public func events(since date: Date) -> [EventRecord] { eventRecords.filter { $0.at >= date } }

    public func turnContext(for address: ChannelAddress, referencing numbers: [TrackingNumber]) -> (StoredSession, [Ticket]) {
        var tickets = tickets(reportedBy: address)
        for number in numbers where !tickets.contains(where: { $0.trackingNumber == number }) {
            if let ticket = ticketsByNumber[number] { tickets.append(ticket) }
        }
        return (StoredSession(sessions[address], version: versions[address] ?? 0), tickets)
    }

    public func openTickets(near query: NearbyQuery, limit: Int) -> [NearbyTicket] {
        ticketsByNumber.values.compactMap { ticket -> NearbyTicket? in
            guard ticket.status != .closed, ticket.draft.serviceCode == query.serviceCode, ticket.draft.requestedAt >= query.since,
                  let point = ticket.draft.location?.coordinate else { return nil }
            let distance = point.distance(to: query.coordinate)
            return distance <= query.radius ? NearbyTicket(ticket: ticket.summary, distance: distance) : nil
        }.sorted { ($0.distance, $0.ticket.trackingNumber) < ($1.distance, $1.ticket.trackingNumber) }.prefix(limit).map { $0 }
    }

    public func surveys(of tickets: [TrackingNumber]) -> [TrackingNumber: SurveyRecord] {
        tickets.reduce(into: [:]) { found, ticket in found[ticket] = surveys[ticket] }
    }

    public func commit(_ record: TurnRecord) throws {
        let key = record.inbound.externalID.map { "\(record.inbound.from.channel.rawValue):\($0)" }
        if let key, handled[key] != nil { throw StoreError.duplicateInbound }
        try check(record.plan)
        inbound.append(record.inbound)
        inlineReplies.append(contentsOf: record.replies)
        messageLog.append((record.inbound.from, TranscriptLine(from: .resident, text: record.inbound.text, at: record.inbound.receivedAt)))
        for reply in record.replies { log(reply, at: record.inbound.receivedAt) }
        if let key { handled[key] = record.replies }
        write(record.plan, channel: record.inbound.from.channel)
    }

    public func apply(_ plan: WritePlan) throws {
        try check(plan)
        write(plan, channel: plan.session?.address.channel ?? plan.contact?.address.channel)
    }

    /// Throws, before anything is written, what the plan's conditions refuse.
    private func check(_ plan: WritePlan) throws {
        if plan.tickets.contains(where: { ticketsByNumber[$0.trackingNumber] != nil }) { throw StoreError.trackingNumberTaken }
        if let write = plan.session, case .version(let version) = write.condition, (versions[write.address] ?? 0) != version {
            throw StoreError.sessionChanged
        }
        for write in plan.handoffs {
            if let id = write.id, handoffRows[id]?.isOpen != true { throw StoreError.handoffClosed }
        }
    }

    /// Persists a checked plan: plain writes, no rule of its own.
    private func write(_ plan: WritePlan, channel: Channel?) {
        let date = plan.at
        for ticket in plan.tickets { insert(ticket, actor: "resident") }
        for update in plan.ticketUpdates {
            guard let stored = ticketsByNumber[update.ticket],
                  let (changed, history) = WritePlan.applying(update, to: stored, at: date) else { continue }
            ticketsByNumber[update.ticket] = changed
            histories[update.ticket, default: []].append(contentsOf: history)
            schedule(update.jobs, at: date)
        }
        for follow in plan.follows where ticketsByNumber[follow.ticket] != nil
            && !(followersByTicket[follow.ticket] ?? []).contains(follow.follower) {
            followersByTicket[follow.ticket, default: []].append(follow.follower)
        }
        for survey in plan.surveys where ticketsByNumber[survey.ticket] != nil { surveys[survey.ticket] = survey }
        if let write = plan.session {
            switch write.condition {
            case .version:
                sessions[write.address] = write.session
                versions[write.address, default: 0] += 1
            case .absent where sessions[write.address] == nil:
                sessions[write.address] = write.session
                versions[write.address] = 1
            case .absent:
                break
            }
        }
        if let contact = plan.contact, let optedOut = contact.optedOut { optOutTimes[contact.address] = optedOut ? date : nil }
        for message in plan.outbox {
            enqueue(message, at: date)
            log(message, at: date)
        }
        schedule(plan.jobs, at: date)
        for write in plan.handoffs { apply(write) }
        for write in plan.alerts { apply(write) }
        emergencyRecords += plan.emergencies
        eventRecords += plan.events.map { EventRecord(event: $0, channel: channel, at: date) }
    }

    private func log(_ message: RenderedMessage, at date: Date) {
        messageLog.append((message.to, TranscriptLine(from: message.kind == .operatorReply ? .operator : .bot, text: message.body, at: date)))
    }

    private func apply(_ write: HandoffWrite) {
        if case .noted(let id, let note) = write { handoffNotes[id, default: []].append(note) }
        if let id = write.id {
            handoffRows[id] = handoffRows[id]?.applying(write)
        } else if let address = write.address, let open = openHandoff(for: address) {
            handoffRows[open.id] = open.applying(write)
        } else if case .open(let address, let locale, let department, let report, let at) = write {
            let id = Int64(handoffRows.count + 1)
            handoffRows[id] = Handoff(id: id, address: address, locale: locale, state: .waiting, department: department,
                                      openedAt: at, lastMessageAt: at, report: report)
        }
    }

    private func apply(_ write: AlertWrite) {
        switch write {
        case .subscribe(let subscription):
            if let index = alertRows.firstIndex(where: { $0.address == subscription.address && $0.place.matched == subscription.place.matched
                && $0.place.topic == subscription.place.topic }) {
                alertRows[index] = subscription
            } else {
                alertRows.append(subscription)
            }
        case .unsubscribeAll(let address):
            alertRows.removeAll { $0.address == address }
        }
    }

    // MARK: AlertStore

    public func alertSubscriptions(of address: ChannelAddress) -> [AlertSubscription] { alertRows.filter { $0.address == address } }

    public func alertSubscribers(in box: GeoBox?, topic: String?) -> [AlertSubscriber] {
        alertRows.filter { row in
            (box?.contains(row.place.point) ?? true) && (topic == nil || row.place.topic == nil || row.place.topic == topic)
        }.map { row in
            AlertSubscriber(address: row.address, point: row.place.point, topic: row.place.topic,
                            locale: sessions[row.address]?.locale ?? row.locale, optedOut: optOutTimes[row.address] != nil,
                            timeZone: timeZones[row.address])
        }
    }

    public func createNotice(_ notice: NewNotice, deliveries: [NoticeDelivery]) -> Int64 {
        let id = Int64(noticeRows.count + 1)
        noticeRows[id] = (notice, nil)
        for delivery in deliveries {
            let entryID = enqueue(delivery.message, at: notice.createdAt)
            outbox[entryID]?.notice = id
            outbox[entryID]?.dueAt = delivery.dueAt
            if delivery.held { outbox[entryID]?.state = .held }
            log(delivery.message, at: notice.createdAt)
        }
        return id
    }

    public func notice(_ id: Int64) -> NoticeRecord? {
        guard let row = noticeRows[id] else { return nil }
        var counts = NoticeCounts()
        counts.suppressedOptOut = row.notice.suppressedOptOut
        for entry in outbox.values where entry.notice == id { counts.count(entry.state, error: entry.lastError) }
        counts.targeted += row.notice.suppressedOptOut
        return NoticeRecord(id: id, notice: row.notice, cancelledAt: row.cancelledAt, counts: counts)
    }

    public func notices(limit: Int) -> [NoticeRecord] {
        noticeRows.keys.sorted(by: >).prefix(limit).compactMap { notice($0) }
    }

    public func cancelNotice(_ id: Int64, at date: Date) -> Int? {
        guard noticeRows[id] != nil else { return nil }
        if noticeRows[id]?.cancelledAt == nil { noticeRows[id]?.cancelledAt = date }
        var cancelled = 0
        for (entryID, entry) in outbox where entry.notice == id && (entry.state == .pending || entry.state == .held) {
            outbox[entryID]?.state = .cancelled
            cancelled += 1
        }
        return cancelled
    }

    // MARK: HandoffStore

    public func handoffs(states: Set<Handoff.State>?, departments: Set<String?>?, limit: Int) -> [Handoff] {
        Array(handoffRows.values
            .filter { (states?.contains($0.state) ?? true) && (departments?.contains($0.department) ?? true) }
            .sorted { ($0.openedAt, $0.id) < ($1.openedAt, $1.id) }
            .prefix(limit))
    }

    public func handoff(_ id: Int64) -> Handoff? { handoffRows[id] }

    public func notes(of id: Int64) -> [HandoffNote] { handoffNotes[id] ?? [] }

    public func openHandoff(for address: ChannelAddress) -> Handoff? {
        handoffRows.values.first { $0.address == address && $0.isOpen }
    }

    public func transcript(of address: ChannelAddress, since date: Date, limit: Int) -> [TranscriptLine] {
        Array(messageLog.filter { $0.address == address && $0.line.at >= date }.map(\.line).suffix(limit))
    }

    private func insert(_ ticket: Ticket, actor: String) {
        ticketsByNumber[ticket.trackingNumber] = ticket
        histories[ticket.trackingNumber] = [TicketEvent(kind: .created, at: ticket.draft.requestedAt, status: .open, actor: actor)]
    }

    // MARK: TicketStore

    public func tickets(_ filter: TicketFilter) -> [Ticket] {
        Array(ticketsByNumber.values.filter(filter.matches).sorted { $0.updatedAt > $1.updatedAt }.prefix(filter.limit))
    }

    public func history(of number: TrackingNumber) -> [TicketEvent] { histories[number] ?? [] }

    public func update(_ number: TrackingNumber, _ change: TicketChange, actor: String, at date: Date,
                       plan: @Sendable (Ticket, [TicketEvent]) -> [NewJob]) -> Ticket? {
        guard var ticket = ticketsByNumber[number] else { return nil }
        let events = change.apply(to: &ticket, at: date, actor: actor)
        histories[number, default: []].append(contentsOf: events)
        ticketsByNumber[number] = ticket
        schedule(plan(ticket, events), at: date)
        return ticket
    }

    public func create(_ ticket: Ticket, idempotencyKey: String?, actor: String, plan: WritePlan) throws -> (ticket: Ticket, created: Bool) {
        if let key = idempotencyKey, let number = ticketRequests[key], let earlier = ticketsByNumber[number] { return (earlier, false) }
        if ticketsByNumber[ticket.trackingNumber] != nil { throw StoreError.trackingNumberTaken }
        try check(plan)
        insert(ticket, actor: actor)
        if let key = idempotencyKey { ticketRequests[key] = ticket.trackingNumber }
        write(plan, channel: nil)
        return (ticket, true)
    }

    public func addNote(to number: TrackingNumber, text: String, isPublic: Bool, actor: String, at date: Date) -> TicketEvent? {
        guard ticketsByNumber[number] != nil else { return nil }
        let event = TicketEvent(kind: .note, at: date, note: text, isPublic: isPublic, actor: actor)
        histories[number, default: []].append(event)
        ticketsByNumber[number]?.updatedAt = date
        if isPublic { ticketsByNumber[number]?.publicNote = text }
        return event
    }

    // MARK: OutboxStore

    @discardableResult
    public func enqueue(_ message: RenderedMessage, at date: Date) -> Int64 {
        let id = Int64(outbox.count + 1)
        outbox[id] = OutboxEntry(id: id, message: message, createdAt: date, dueAt: date)
        return id
    }

    public func claimDue(now: Date, limit: Int, leaseUntil: Date) -> [OutboxEntry] {
        // Only each recipient's oldest unfinished message: one resident's messages leave in order. A message held
        // for quiet hours holds nothing back until it is due.
        let waiting = outbox.values.filter { $0.state == .pending || $0.state == .sending || ($0.state == .held && $0.dueAt <= now) }
        let heads = Dictionary(grouping: waiting, by: \.message.to).values.compactMap { $0.min { $0.id < $1.id } }
        let due = heads.filter { $0.dueAt <= now }.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }.prefix(limit)
        return due.map { entry in
            var leased = entry.leased(until: leaseUntil)
            outbox[entry.id] = leased
            leased.recipientOptedOutAt = optOutTimes[entry.message.to]
            leased.recipientTimeZone = timeZones[entry.message.to]
            return leased
        }
    }

    public func markSent(_ id: Int64, providerID: String?, at date: Date) {
        outbox[id]?.state = .sent
        outbox[id]?.providerID = providerID
        if let providerID, let early = earlyReceipts.removeValue(forKey: providerID),
           early.at.timeIntervalSince1970 > DeliveryStatus.earlyReceiptCutoff(at: date) {
            _ = recordDelivery(providerID: providerID, status: early.receipt.status, errorCode: early.receipt.errorCode, at: date)
        }
    }

    public func markRetry(_ id: Int64, error: String, retryAt: Date, held: Bool) {
        outbox[id]?.state = held ? .held : .pending
        outbox[id]?.lastError = error
        outbox[id]?.dueAt = retryAt
    }

    public func postpone(_ id: Int64, to date: Date) {
        outbox[id]?.state = .held
        outbox[id]?.dueAt = date
        outbox[id]?.attempts -= 1
    }

    public func outboxEntries(state: OutboxEntry.State, limit: Int) -> [OutboxEntry] {
        Array(outbox.values.filter { $0.state == state }.sorted { $0.id > $1.id }.prefix(limit))
    }

    public func outboxCounts() -> [OutboxEntry.State: Int] {
        outbox.values.reduce(into: [:]) { $0[$1.state, default: 0] += 1 }
    }

    public func requeue(_ id: Int64, at date: Date) -> Bool {
        guard let requeued = outbox[id]?.requeued(at: date) else { return false }
        outbox[id] = requeued
        return true
    }

    public func markDead(_ id: Int64, error: String, at date: Date) {
        outbox[id]?.state = .dead
        outbox[id]?.lastError = error
    }

    public func recordDelivery(providerID: String, status: String, errorCode: String?, at date: Date) -> Bool {
        guard let entry = outbox.values.first(where: { $0.providerID == providerID }) else {
            let cutoff = DeliveryStatus.earlyReceiptCutoff(at: date)
            earlyReceipts = earlyReceipts.filter { $0.value.at.timeIntervalSince1970 > cutoff }
            let receipt = earlyReceipts[providerID]?.receipt.merging(status: status, errorCode: errorCode)
                ?? DeliveryStatus.Early(status: status, errorCode: errorCode)
            earlyReceipts[providerID] = (receipt, date)
            return false
        }
        if DeliveryStatus.advances(from: entry.deliveryStatus, to: status) {
            outbox[entry.id]?.deliveryStatus = status.lowercased()
            if let errorCode { outbox[entry.id]?.lastError = "provider error \(errorCode)" }
        }
        return true
    }

    public func outboxEntry(_ id: Int64) -> OutboxEntry? { outbox[id] }

    public var outboxEntries: [OutboxEntry] { outbox.values.sorted { $0.id < $1.id } }

    // MARK: JobStore

    public func schedule(_ new: [NewJob], at date: Date) {
        for job in new where jobKeys[job.dedupeKey] == nil {
            let id = Int64(jobs.count + 1)
            jobs[id] = Job(id: id, work: job.work, dedupeKey: job.dedupeKey, dueAt: job.dueAt, attempts: 0, state: .pending, note: nil)
            jobKeys[job.dedupeKey] = id
        }
    }

    public func claimJobs(now: Date, limit: Int, leaseUntil: Date) -> [Job] {
        let due = jobs.values.filter { $0.isClaimable(at: now) }.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }.prefix(limit)
        return due.map { job in
            let leased = job.leased(until: leaseUntil)
            jobs[job.id] = leased
            return leased
        }
    }

    public func complete(_ completion: JobCompletion) throws {
        try check(completion.plan)
        guard var job = jobs[completion.job] else { return }
        switch completion.outcome {
        case .done(let note):
            job.state = .done
            job.note = note
        case .postpone(let date):
            job.state = .pending
            job.dueAt = date
            job.attempts -= 1
        case .retry(let date, let error):
            job.state = .pending
            job.dueAt = date
            job.note = error
        case .dead(let error):
            job.state = .dead
            job.note = error
        }
        jobs[job.id] = job
        write(completion.plan, channel: completion.plan.session?.address.channel)
    }

    public func job(dedupeKey: String) -> Job? { jobKeys[dedupeKey].flatMap { jobs[$0] } }

    public func jobs(state: Job.State, limit: Int) -> [Job] {
        Array(jobs.values.filter { $0.state == state }.sorted { $0.id > $1.id }.prefix(limit))
    }

    public func jobCounts() -> [Job.State: Int] {
        jobs.values.reduce(into: [:]) { $0[$1.state, default: 0] += 1 }
    }

    public func requeueJob(_ id: Int64, at date: Date) -> Bool {
        guard let requeued = jobs[id]?.requeued(at: date) else { return false }
        jobs[id] = requeued
        return true
    }

    public var allJobs: [Job] { jobs.values.sorted { $0.id < $1.id } }

    public func recipient(_ address: ChannelAddress) -> Recipient {
        let session = sessions[address]
        return Recipient(address: address, locale: session?.locale, optedOut: session?.optedOut ?? false,
                         timeZone: timeZones[address], session: session, sessionVersion: versions[address] ?? 0)
    }

    public func followers(of ticket: TrackingNumber) -> [ChannelAddress] { followersByTicket[ticket] ?? [] }

    public func survey(of ticket: TrackingNumber) -> SurveyRecord? { surveys[ticket] }

    public func setTimeZone(_ timeZone: String?, for address: ChannelAddress) { timeZones[address] = timeZone }

    // MARK: TrackingNumberStore

    public func reserveTrackingNumbers(_ count: Int) -> Range<Int> {
        defer { trackingSequence += count }
        return trackingSequence..<(trackingSequence + count)
    }

    // MARK: PacingStore

    public func takeTokens(sender: String, segments: Double, rate: Double, burst: Double, now: Date) -> TimeInterval {
        let (bucket, wait) = TokenBucket.take(segments, from: buckets[sender], rate: rate, burst: burst, now: now)
        buckets[sender] = bucket
        return wait
    }

    // MARK: TokenStore

    public func createToken(hash: String, role: StaffRole, department: String?, label: String?, languages: [LanguageTag], at date: Date)
        -> StaffToken {
        let token = StaffToken(id: Int64(tokens.count + 1), role: role, department: department, label: label, languages: languages,
                               createdAt: date)
        tokens[hash] = token
        return token
    }

    public func token(hash: String) -> StaffToken? { tokens[hash] }
}

/// Sequential tracking numbers from a starting serial (1000002, 1000017 …), for tests and transcripts.
public final class SequentialTrackingNumbers: TrackingNumberSource, @unchecked Sendable {
    private let lock = NSLock()
    private var serial: Int

    public init(startingAt serial: Int = 100_000) { self.serial = serial }

    public func next() -> TrackingNumber {
        lock.withLock {
            defer { serial += 1 }
            return TrackingNumber(serial: serial)
        }
    }
}

// MARK: ReportStore

extension MemoryStore: ReportStore {
    public func reduceTicketFacts<Sink: TicketFactSink>(_ query: ReportQuery, into sink: Sink) -> Sink {
        var sink = sink
        let covered = allTickets.filter { query.covers($0.draft.firstContact) && query.covers(department: $0.department) }
        for ticket in covered {
            let survey = survey(of: ticket.trackingNumber)
            sink.add(TicketFact(ticket, rating: survey?.rating, fixed: survey?.fixed?.rawValue))
        }
        return sink
    }

    public func contactFacts(_ query: ReportQuery) -> ContactFacts {
        var facts = ContactFacts()
        facts.handoffs = allHandoffs.filter { query.covers($0.openedAt) && query.covers(department: $0.department) }
            .sorted { $0.openedAt < $1.openedAt }
            .map {
                HandoffFact(channel: $0.address.channel.rawValue, locale: $0.locale?.code, department: $0.department,
                            openedAt: $0.openedAt.timeIntervalSince1970, firstReplyAt: $0.firstReplyAt?.timeIntervalSince1970)
            }
        guard query.departments == nil else { return facts }
        facts.emergencies = emergencies(since: .distantPast).filter { query.covers($0.at) }.map {
            EmergencyFact(channel: $0.channel.rawValue, locale: $0.locale?.code, at: $0.at.timeIntervalSince1970)
        }
        for record in events(since: .distantPast) where query.covers(record.at) {
            guard case .sessionEnded(let reason) = record.event, reason.abandonsReport else { continue }
            facts.abandoned.append(AbandonedFact(channel: record.channel?.rawValue ?? "unknown", at: record.at.timeIntervalSince1970))
        }
        return facts
    }
}

// MARK: ExternalLinkStore

extension MemoryStore: ExternalLinkStore {
    public func saveLink(_ link: ExternalLink, at date: Date) {
        var stored = links[link.ticket, default: [:]][link.system] ?? link
        stored.externalID = link.externalID ?? stored.externalID
        stored.token = link.token ?? stored.token
        links[link.ticket, default: [:]][link.system] = stored
    }

    public func openLinks(system: String, limit: Int) -> [ExternalLink] {
        Array(links.values.compactMap { $0[system] }.filter { ticket($0.ticket)?.status.isOpen ?? false }
            .sorted { $0.ticket.digits < $1.ticket.digits }.prefix(limit))
    }

    public func ticket(system: String, externalID: String) -> TrackingNumber? {
        links.values.compactMap { $0[system] }.first { $0.externalID == externalID }?.ticket
    }
}
