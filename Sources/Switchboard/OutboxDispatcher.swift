import CityModel
import Foundation
import Logging
import Outreach
import ServiceLifecycle
import Storage
import Transport

/// Sends what the outbox holds, through each channel's transport, with capped exponential backoff.
///
/// Entries are leased while being sent; a dispatcher that dies mid-send leaves a lease that runs out, and the
/// entry is sent again (transports are idempotent by entry id where the provider allows it). Permanent
/// failures and entries that keep failing are dead-lettered with the reason.
///
/// Quiet hours hold here too, not only when a job runs: an update, survey or reminder that comes due at night —
/// a retry's backoff ran into the evening, or it waited behind the resident's earlier message — goes back to wait
/// for the morning in the recipient's time zone, without counting as an attempt. Replies go out at any hour.
public struct OutboxDispatcher: ServiceLifecycle.Service, CustomStringConvertible {
    /// Its name only: ServiceLifecycle logs each service as `"\(service)"`, and the default description would
    /// print every field — the city, the store, the transports with their credentials.
    public var description: String { "OutboxDispatcher" }

    public struct Settings: Sendable {
        public var pollInterval: Duration = .milliseconds(200)
        public var batchSize = 100
        public var lease: TimeInterval = 60
        public var maxAttempts = 8
        /// Backoff after attempt n: min(base · 2^(n-1), cap).
        public var backoffBase: TimeInterval = 5
        public var backoffCap: TimeInterval = 600
        public init() {}
    }

    let store: any OutboxStore & ConversationStore
    let transports: TransportRegistry
    let settings: Settings
    let logger: Logger
    let clock: @Sendable () -> Date
    /// Quiet hours; nil sends at any hour (a city without them, or tests of other rules).
    let policy: OutreachPolicy?
    /// Sends by channel and outcome, their latency, carrier opt-outs, failed rounds (see `CityLineMetrics`).
    let metrics: CityLineMetrics

    public init(store: any OutboxStore & ConversationStore, transports: TransportRegistry, settings: Settings = Settings(), policy: OutreachPolicy? = nil,
                logger: Logger, metrics: CityLineMetrics = CityLineMetrics(), clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.transports = transports
        self.settings = settings
        self.policy = policy
        self.logger = logger
        self.metrics = metrics
        self.clock = clock
    }

    /// When `entry` may go out, at or after `date`: later in quiet hours for messages a resident did not just ask for.
    func allowedTime(_ entry: OutboxEntry, at date: Date) -> Date {
        guard let policy, entry.message.to.channel.reachesResident, entry.message.urgent != true else { return date }
        return policy.sendTime(entry.message.kind, at: date, timeZoneID: entry.recipientTimeZone)
    }

    public func run() async throws {
        await QueueWorker(queue: "outbox", pollInterval: settings.pollInterval, logger: logger, metrics: metrics).run { try await dispatchDue() }
    }

    /// Sends every due entry once; returns how many were handled.
    @discardableResult
    public func dispatchDue() async throws -> Int {
        let now = clock()
        let entries = try await store.claimDue(now: now, limit: settings.batchSize, leaseUntil: now.addingTimeInterval(settings.lease))
        // The store hands out at most one message per recipient at a time, so these go out in parallel and each
        // resident still gets their messages in order.
        await withTaskGroup(of: Void.self) { group in
            for entry in entries { group.addTask { await self.deliver(entry) } }
        }
        return entries.count
    }

    /// Sends one claimed entry and records the outcome.
    public func deliver(_ entry: OutboxEntry) async {
        var log = logger
        log[metadataKey: "outbox.id"] = "\(entry.id)"
        log[metadataKey: "channel"] = "\(entry.message.to.channel.rawValue)"
        log[metadataKey: "to"] = "\(entry.message.to.masked)"
        do {
            // Never after STOP: only the confirmation and replies the resident asked for since (HELP, START).
            if !entry.mayGo(optedOutAt: entry.recipientOptedOutAt) {
                try await store.markDead(entry.id, error: NoticeCounts.optOutReason, at: clock())
                log.info("suppressed after opt-out", metadata: ["kind": "\(entry.message.kind.rawValue)"])
                return
            }
            let now = clock()
            let allowed = allowedTime(entry, at: now)
            if allowed > now {
                try await store.postpone(entry.id, to: allowed)
                log.debug("held for quiet hours", metadata: ["kind": "\(entry.message.kind.rawValue)"])
                return
            }
            let providerID = try await timed(entry) { try await transports.transport(for: entry.message.to.channel).send(entry) }
            try await store.markSent(entry.id, providerID: providerID, at: clock())
            metrics.send(entry.message.to.channel, .sent)
            log.debug("sent", metadata: ["kind": "\(entry.message.kind.rawValue)"])
        } catch let error as TransportError {
            await handle(error, entry, log)
        } catch {
            await handle(TransportError(.retry, "\(error)"), entry, log)
        }
    }

    /// The transport call, its duration recorded whether it succeeds or throws.
    private func timed(_ entry: OutboxEntry, _ send: () async throws -> String?) async throws -> String? {
        let started = ContinuousClock.now
        defer { metrics.sendDuration(entry.message.to.channel, ContinuousClock.now - started) }
        return try await send()
    }

    private func handle(_ error: TransportError, _ entry: OutboxEntry, _ log: Logger) async {
        let now = clock()
        if error.kind == .retry, entry.attempts < settings.maxAttempts {
            let backoff = error.retryAfter ?? Backoff.delay(afterAttempt: entry.attempts, base: settings.backoffBase, cap: settings.backoffCap)
            let retryAt = now.addingTimeInterval(backoff)
            let allowed = allowedTime(entry, at: retryAt)
            await recording("retry", log) { try await store.markRetry(entry.id, error: error.message, retryAt: allowed, held: allowed > retryAt) }
            metrics.send(entry.message.to.channel, .retried)
            log.warning("send failed, will retry", metadata: ["attempt": "\(entry.attempts)", "error": "\(error.message)"])
        } else {
            let reason = error.kind == .retry ? "gave up after \(entry.attempts) attempts: \(error.message)" : error.message
            await recording("dead letter", log) { try await store.markDead(entry.id, error: reason, at: now) }
            metrics.send(entry.message.to.channel, .failed)
            if error.kind == .optedOut {
                await recording("carrier opt-out", log) {
                    if try await OptOutRecorder.record(entry.message.to, at: now, in: store) {
                        metrics.optOut(entry.message.to.channel, source: .carrier)
                    }
                }
            }
            log.error("dead-lettered", metadata: ["error": "\(reason)"])
        }
    }

    /// Runs a store write whose failure must not stop the dispatcher but must not vanish either: logged, and the
    /// entry's lease expiring brings it back.
    private func recording(_ what: String, _ log: Logger, _ write: () async throws -> Void) async {
        do {
            try await write()
        } catch {
            log.error("could not record the outcome", metadata: ["outcome": "\(what)", "error.type": "\(type(of: error))", "error": "\(error)"])
        }
    }
}
