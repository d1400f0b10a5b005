import HeraldConfig
import HeraldCore
import Synchronization

/// The metrics Herald exposes at `/metrics` (design §9), with one method per thing that happens.
///
/// Label values come only from bounded vocabularies: known event names (anything else counts as
/// `other`), route and action names from the configuration, outcome words, HTTP status codes and
/// the version. Never addresses, ids, reasons or other free text.
///
/// The request path resolves nothing by building strings: event names and status codes map to
/// handles made at start, route names through one small table under one lock per event.
package final class HeraldMetrics: Sendable {
    /// What the spool reports when scraped.
    package struct SpoolReading: Sendable {
        /// Jobs waiting or running.
        package var depth: Int
        /// Age of the oldest job waiting, nil when unknown or empty.
        package var oldestJobAge: Duration?

        package init(depth: Int, oldestJobAge: Duration?) {
            self.depth = depth
            self.oldestJobAge = oldestJobAge
        }
    }

    /// The outcome words of `herald_jobs_total`.
    package static let outcomes = ["delivered", "retry", "retry_ambiguous", "failed"]
    /// Upper bounds of `herald_ack_latency_seconds` (the target is p99 under 2 ms).
    package static let ackBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
    /// Upper bounds of `herald_delivery_latency_seconds`.
    package static let deliveryBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    /// Per-action handles, resolved on the first job of an action.
    struct ActionSeries: Sendable {
        let outcomes: [Counter]
        let retries: Counter
        let deadLetters: Counter
        let latency: Histogram
    }

    package let registry: MetricsRegistry

    let eventsReceived: [String: Counter]
    let otherEventReceived: Counter
    private let eventsUnmatched: [String: Counter]
    private let otherEventUnmatched: Counter
    private let routesMatchedFamily: CounterFamily
    private let routesMatched = Mutex<[String: Counter]>([:])
    private let stepsNothingFamily: CounterFamily
    private let stepsNothing = Mutex<[String: Counter]>([:])
    private let jobsFamily: CounterFamily
    private let retriesFamily: CounterFamily
    private let deadLettersFamily: CounterFamily
    private let pluginEventsFamily: CounterFamily
    private let deliveryLatencyFamily: HistogramFamily
    let actions = Mutex<[String: ActionSeries]>([:])
    private let ackLatency: Histogram
    /// Index: status − 100, for 100…599.
    private let responses: [Counter]
    private let reloads: [Bool: Counter]
    private let mandrillRefused: [String: Counter]
    /// `herald_retention_removed_total` by kind: `dead_letters`, `outbox_files`; and `failures`.
    let retentionRemoved: [String: Counter]
    private let spool = SpoolSource()

    /// Where the sampled spool gauges read from; set once the spool exists.
    private final class SpoolSource: Sendable {
        let reading = Mutex<(@Sendable () -> SpoolReading?)?>(nil)

        func read() -> SpoolReading? { reading.withLock { $0 }?() }
    }

    package init(version: String = HeraldVersion.current) {
        let registry = MetricsRegistry()
        self.registry = registry
        registry.gauge(
            "herald_build_info", help: "Always 1; the version label says which Herald runs.", labels: ["version"]
        )
        .gauge(version).set(1)

        let received = registry.counter(
            "herald_events_received_total", help: "Events received and decoded, by event name.", labels: ["event"],
            hidesZeroSeries: true)
        let unmatched = registry.counter(
            "herald_events_unmatched_total", help: "Events accepted that no route matched, by event name.",
            labels: ["event"], hidesZeroSeries: true)
        let names = EventName.known.map(\.rawValue)
        eventsReceived = Dictionary(uniqueKeysWithValues: names.map { ($0, received.counter($0)) })
        otherEventReceived = received.counter("other")
        eventsUnmatched = Dictionary(uniqueKeysWithValues: names.map { ($0, unmatched.counter($0)) })
        otherEventUnmatched = unmatched.counter("other")

        routesMatchedFamily = registry.counter(
            "herald_routes_matched_total", help: "Events each route matched.", labels: ["route"])
        stepsNothingFamily = registry.counter(
            "herald_steps_planned_nothing_total",
            help: "Steps of matching routes that made no job (e.g. the recipient rendered empty), by route.",
            labels: ["route"], hidesZeroSeries: true)
        jobsFamily = registry.counter(
            "herald_jobs_total",
            help: "Delivery attempts, by action and outcome (delivered, retry, retry_ambiguous, failed).",
            labels: ["action", "outcome"])
        retriesFamily = registry.counter(
            "herald_job_retries_total", help: "Jobs scheduled for another attempt, by action.", labels: ["action"])
        deadLettersFamily = registry.counter(
            "herald_dead_letters_total", help: "Jobs moved to dead letters (failed permanently or expired), by action.",
            labels: ["action"])
        pluginEventsFamily = registry.counter(
            "herald_plugin_events_total",
            help:
                "What plugins count while they perform, by action and event (mandrill: search_found, search_not_found, search_inconclusive).",
            labels: ["action", "event"], hidesZeroSeries: true, maxSeries: 200)
        registry.sampledGauge("herald_spool_depth", help: "Jobs waiting or running.") { [spool] in
            spool.read()?.depth.asDouble
        }
        registry.sampledGauge(
            "herald_spool_oldest_job_age_seconds", help: "Age of the oldest job waiting, in seconds."
        ) { [spool] in
            spool.read()?.oldestJobAge.map(\.seconds)
        }
        ackLatency = registry.histogram(
            "herald_ack_latency_seconds", help: "Time from a complete event request to its answer, jobs stored.",
            buckets: HeraldMetrics.ackBuckets
        ).histogram()
        deliveryLatencyFamily = registry.histogram(
            "herald_delivery_latency_seconds", help: "Time one delivery attempt took, by action.", labels: ["action"],
            buckets: HeraldMetrics.deliveryBuckets)
        let statuses = registry.counter(
            "herald_http_responses_total", help: "HTTP answers, by status code.", labels: ["status"],
            hidesZeroSeries: true)
        responses = (100..<600).map { statuses.counter(String($0)) }
        let reloadFamily = registry.counter(
            "herald_config_reloads_total", help: "Configuration reloads (SIGHUP), by result (applied, refused).",
            labels: ["result"])
        reloads = [true: reloadFamily.counter("applied"), false: reloadFamily.counter("refused")]
        let mandrillFamily = registry.counter(
            "herald_mandrill_events_refused_total",
            help: "Events of signed Mandrill posts that were refused, by reason (stale: older than the dedupe window).",
            labels: ["reason"])
        mandrillRefused = ["stale": mandrillFamily.counter("stale")]
        let retentionFamily = registry.counter(
            "herald_retention_removed_total",
            help:
                "What retention removed, by kind (dead_letters, outbox_files; failures: sweeps that could not finish).",
            labels: ["kind"])
        retentionRemoved = Dictionary(
            uniqueKeysWithValues: ["dead_letters", "outbox_files", "failures"].map { ($0, retentionFamily.counter($0)) }
        )
    }

    /// Makes the series of the configured routes and actions, so that they show as 0 before their
    /// first event. Call at start and after each reload.
    package func prepare(for configuration: HeraldConfiguration) {
        routesMatched.withLock { table in
            for route in configuration.rules.routes where table[route.name] == nil {
                table[route.name] = routesMatchedFamily.counter(route.name)
            }
        }
        for action in configuration.actions.keys { _ = series(action: action) }
    }

    /// Reads the spool's depth and oldest job when scraped. `reading` must be quick.
    package func observeSpool(_ reading: @escaping @Sendable () -> SpoolReading?) {
        spool.reading.withLock { $0 = reading }
    }

    // MARK: Ingress

    /// An event was received and decoded.
    package func eventReceived(_ name: EventName) {
        (eventsReceived[name.rawValue] ?? otherEventReceived).increment()
    }

    /// An event was routed: `routes` matched (empty: none did).
    package func eventRouted(_ name: EventName, routes: [String]) {
        guard !routes.isEmpty else {
            (eventsUnmatched[name.rawValue] ?? otherEventUnmatched).increment()
            return
        }
        routesMatched.withLock { table in
            for route in routes {
                if let counter = table[route] {
                    counter.increment()
                } else {
                    let counter = routesMatchedFamily.counter(route)
                    table[route] = counter
                    counter.increment()
                }
            }
        }
    }

    /// A step of `route` planned no job for an event (its reason is in the log).
    package func stepPlannedNothing(route: String) {
        stepsNothing.withLock { table in
            let counter = table[route] ?? stepsNothingFamily.counter(route)
            table[route] = counter
            counter.increment()
        }
    }

    /// `count` events of a signed Mandrill post were refused for `reason` (`stale`).
    package func mandrillEventsRefused(reason: String, count: Int) {
        mandrillRefused[reason]?.increment(by: UInt64(max(0, count)))
    }

    /// An event was answered after its jobs were stored, `latency` after the request was complete.
    package func eventAcknowledged(latency: Duration) {
        ackLatency.observe(latency)
    }

    /// The server answered with `status` (every answer, including the server's own 4xx).
    package func httpResponse(status: Int) {
        let index = status - 100
        guard index >= 0 && index < responses.count else { return }
        responses[index].increment()
    }

    // MARK: Delivery

    /// An attempt of a job of `action` ended with `outcome` after `latency`.
    package func jobFinished(action: String, outcome: Outcome, latency: Duration) {
        let series = series(action: action)
        let index: Int
        switch outcome {
        case .delivered: index = 0
        case .retry(_, _, let ambiguous): index = ambiguous ? 2 : 1
        case .failed: index = 3
        }
        series.outcomes[index].increment()
        series.latency.observe(latency)
    }

    /// A job of `action` was scheduled for another attempt.
    package func jobRetried(action: String) {
        series(action: action).retries.increment()
    }

    /// Something a plugin counted while performing a job of `action`.
    package func pluginEvent(action: String, event: String) {
        pluginEventsFamily.counter(action, event).increment()
    }

    /// A job of `action` was moved to dead letters.
    package func jobDeadLettered(action: String) {
        series(action: action).deadLetters.increment()
    }

    // MARK: Operations

    /// A reload was applied, or refused (the running configuration kept).
    package func configurationReloaded(applied: Bool) {
        reloads[applied]?.increment()
    }

    /// The exposition served at `/metrics`.
    package func exposition() -> String { registry.exposition() }

    private func series(action: String) -> ActionSeries {
        actions.withLock { table in
            if let series = table[action] { return series }
            let series = ActionSeries(
                outcomes: HeraldMetrics.outcomes.map { jobsFamily.counter(action, $0) },
                retries: retriesFamily.counter(action), deadLetters: deadLettersFamily.counter(action),
                latency: deliveryLatencyFamily.histogram(action))
            table[action] = series
            return series
        }
    }
}

extension Int {
    fileprivate var asDouble: Double { Double(self) }
}
