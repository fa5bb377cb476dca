import CityModel
import Conversation
import Metrics
import Storage

/// Every metric CityLine records, with its labels — the one place to read what `GET /metrics` shows.
///
/// No label carries resident data: the values are channel names, department and service codes from the city's
/// catalog, emergency trigger codes from its triage, outcomes, sources and states. Nothing here takes an address,
/// a message, a tracking number or a session, so none can reach a label.
///
/// Recorded through the swift-metrics `MetricsFactory` handed in: the composition root gives each application its
/// own Prometheus registry (see `AppMetrics`). The default is the process's `MetricsSystem.factory`, a no-op until
/// it is bootstrapped. Names follow Prometheus conventions: `cityline_` first, counters end in `_total`, times are
/// histograms in seconds.
public struct CityLineMetrics: Sendable {
    public enum Name {
        /// Counter {channel}: inbound messages whose turn was run and committed.
        public static let inboundTurns = "cityline_inbound_turns_total"
        /// Counter {channel}: inbound messages seen before (a provider's redelivery), answered from the log.
        public static let inboundRedeliveries = "cityline_inbound_redeliveries_total"
        /// Counter {channel}: inbound messages whose turn could not be stored (the caller got an error).
        public static let inboundFailures = "cityline_inbound_failures_total"
        /// Histogram {channel}: from the message reaching the switchboard to its turn and replies committed, seconds.
        public static let turnDuration = "cityline_turn_duration_seconds"
        /// Counter {department, service_code}: tickets created, by residents' turns and by staff or Open311 filing.
        public static let ticketsCreated = "cityline_tickets_created_total"
        /// Counter {trigger, channel}: emergencies answered with the city's emergency reply, by triage trigger code.
        public static let emergencies = "cityline_emergencies_answered_total"
        /// Counter {trigger, channel}: turns that went on with "if anyone is in danger now, call 911" first (signs
        /// of danger short of an emergency: a `caution` trigger).
        public static let cautions = "cityline_danger_cautions_total"
        /// Counter {channel}: residents who asked for a person.
        public static let handoffs = "cityline_handoffs_requested_total"
        /// Counter {channel}: messages past the city's `flood` limit, kept but not answered.
        public static let tooFast = "cityline_inbound_too_fast_total"
        /// Counter {channel, source}: opt-outs; source `resident` (STOP and its translations), `carrier` (the
        /// provider refused: the resident opted out with it), `unsubscribe` (an email's one-click link).
        public static let optOuts = "cityline_opt_outs_total"
        /// Counter {channel, outcome}: outbox sends; outcome `sent`, `retried` (failed, tried again later) or
        /// `failed` (dead-lettered).
        public static let sends = "cityline_outbound_sends_total"
        /// Histogram {channel}: one transport call (a Twilio request, an SMTP transaction, a webhook), seconds.
        public static let sendDuration = "cityline_outbound_send_duration_seconds"
        /// Gauge {state}: outbox entries by state, read from the store when scraped.
        public static let outboxEntries = "cityline_outbox_entries"
        /// Gauge {state}: jobs (updates, surveys, department events) by state, read from the store when scraped.
        public static let jobs = "cityline_jobs"
        /// Counter {queue}: failed rounds of a queue worker (`outbox`, `jobs`) — see `QueueWorker`.
        public static let queueFailures = "cityline_queue_failures_total"
    }

    /// What became of one outbox send.
    public enum SendOutcome: String, Sendable { case sent, retried, failed }

    /// Where an opt-out came from.
    public enum OptOutSource: String, Sendable { case resident, carrier, unsubscribe }

    let factory: any MetricsFactory

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    private func count(_ name: String, _ dimensions: [(String, String)]) {
        Counter(label: name, dimensions: dimensions, factory: factory).increment()
    }

    func turn(_ channel: Channel, took duration: Duration) {
        count(Name.inboundTurns, [("channel", channel.rawValue)])
        Timer(label: Name.turnDuration, dimensions: [("channel", channel.rawValue)], factory: factory).record(duration: duration)
    }

    func redelivery(_ channel: Channel) { count(Name.inboundRedeliveries, [("channel", channel.rawValue)]) }

    func inboundFailure(_ channel: Channel) { count(Name.inboundFailures, [("channel", channel.rawValue)]) }

    func ticketCreated(department: String, serviceCode: String) {
        count(Name.ticketsCreated, [("department", department), ("service_code", serviceCode)])
    }

    func emergency(trigger: String, _ channel: Channel) {
        count(Name.emergencies, [("trigger", trigger), ("channel", channel.rawValue)])
    }

    func handoff(_ channel: Channel) { count(Name.handoffs, [("channel", channel.rawValue)]) }

    func optOut(_ channel: Channel, source: OptOutSource) {
        count(Name.optOuts, [("channel", channel.rawValue), ("source", source.rawValue)])
    }

    func send(_ channel: Channel, _ outcome: SendOutcome) {
        count(Name.sends, [("channel", channel.rawValue), ("outcome", outcome.rawValue)])
    }

    func sendDuration(_ channel: Channel, _ duration: Duration) {
        Timer(label: Name.sendDuration, dimensions: [("channel", channel.rawValue)], factory: factory).record(duration: duration)
    }

    func queueFailure(_ queue: String) { count(Name.queueFailures, [("queue", queue)]) }

    /// Sets the queue-depth gauges from the store's counts; every state is reported, none as 0.
    public func recordQueueDepths(outbox: [OutboxEntry.State: Int], jobs: [Job.State: Int]?) {
        for state in OutboxEntry.State.allCases {
            Gauge(label: Name.outboxEntries, dimensions: [("state", state.rawValue)], factory: factory).record(outbox[state] ?? 0)
        }
        guard let jobs else { return }
        for state in Job.State.allCases {
            Gauge(label: Name.jobs, dimensions: [("state", state.rawValue)], factory: factory).record(jobs[state] ?? 0)
        }
    }

    /// The events of a committed turn, counted: tickets, emergencies, handoffs, opt-outs.
    func committed(_ events: [Event], plan: WritePlan, channel: Channel) {
        for ticket in plan.tickets { ticketCreated(department: ticket.department, serviceCode: ticket.draft.serviceCode) }
        for event in events {
            switch event {
            case .emergencyTriaged(let trigger): emergency(trigger: trigger, channel)
            case .handedOff: handoff(channel)
            case .tooFast: count(Name.tooFast, [("channel", channel.rawValue)])
            case .dangerCautioned(let trigger): count(Name.cautions, [("trigger", trigger), ("channel", channel.rawValue)])
            case .optedOut: optOut(channel, source: .resident)
            default: break
            }
        }
    }
}
