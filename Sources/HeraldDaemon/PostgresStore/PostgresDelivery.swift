import Foundation
import HeraldConfig
import HeraldCore
import HeraldPostgres
import Synchronization

/// Performs the jobs of a PostgreSQL store (`store: postgres`), as one of N instances: claims due
/// jobs with `FOR UPDATE SKIP LOCKED` under a lease it renews while attempts run, performs them
/// through their actions, and records each outcome only while it still holds the lease (a fenced
/// update), so an instance that stalled past its lease cannot overwrite a newer attempt. Woken by
/// `NOTIFY herald_jobs` from any instance's ingress, with polling as the fallback. Every database
/// call runs on its own serial queue with its own connection, never on Swift's shared threads;
/// a lost database pauses deliveries, and they resume by themselves once it is back.
final class PostgresDelivery: Sendable {
    private struct State {
        var running = 0
        var runningByAction: [String: Int] = [:]
        var stopping = false
        var deadlinePassed = false
        var depth = 0
        var oldest: Duration?
        var problem: String?
    }

    /// This process among the instances: it names leases (`lease_owner`).
    let owner: String
    private let settings: PostgresStoreSettings
    private let state = Mutex(State())
    private let actions: Mutex<[String: any Action]>
    private let limits: Mutex<Scheduler.Limits>
    private let retry: Mutex<RetryPolicy>
    private let logger: Logger
    private let metrics: HeraldMetrics?
    private let doorbell = Doorbell()
    private let heartbeat = Heartbeat()
    private let database: DatabaseQueue

    init(configuration: HeraldConfiguration, settings: PostgresStoreSettings, logger: Logger, metrics: HeraldMetrics?) {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let hostname = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        owner = "\(hostname):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
        self.settings = settings
        self.actions = Mutex(configuration.actions)
        self.limits = Mutex(
            Scheduler.Limits(
                global: configuration.delivery.concurrency, perAction: configuration.actionConcurrency,
                attemptTimeout: configuration.delivery.attemptTimeout))
        self.retry = Mutex(RetryPolicy(configuration.delivery))
        self.logger = logger
        self.metrics = metrics
        // Outcomes and claims are committed without waiting for the WAL flush: one flush per
        // delivered job bounded an instance to its connection's latency (docs/benchmarks.md). A
        // database crash can lose the last outcomes; those jobs return when their lease ends and
        // are attempted again (at-least-once; Mandrill's messages/search avoids the resend). The
        // ingress keeps synchronous commits: its 202 still means stored.
        self.database = DatabaseQueue(
            settings: settings, label: "herald.postgres.delivery", session: ["SET synchronous_commit TO off"])
        let doorbell = self.doorbell
        // Runs for the life of the process; it holds nothing but its own connection.
        let listener = Thread {
            PostgresDelivery.listen(settings: settings, doorbell: doorbell, logger: logger)
        }
        listener.name = "herald-postgres-listen"
        listener.start()
    }

    func apply(_ configuration: HeraldConfiguration) {
        actions.withLock { $0 = configuration.actions }
        limits.withLock {
            $0 = Scheduler.Limits(
                global: configuration.delivery.concurrency, perAction: configuration.actionConcurrency,
                attemptTimeout: configuration.delivery.attemptTimeout)
        }
        retry.withLock { $0 = RetryPolicy(configuration.delivery) }
        doorbell.ring()
    }

    func isResponsive() -> Bool { heartbeat.check { doorbell.ring() } }

    /// Jobs waiting or running in the database, as last read (for metrics; never a query on scrape).
    var reading: HeraldMetrics.SpoolReading {
        state.withLock { HeraldMetrics.SpoolReading(depth: $0.depth, oldestJobAge: $0.oldest) }
    }

    func stop(deadline: Duration) {
        state.withLock { $0.stopping = true }
        doorbell.ring()
        Task {
            try? await Task.sleep(for: deadline)
            self.state.withLock { $0.deadlinePassed = true }
            self.doorbell.ring()
        }
    }

    func run() async {
        var lastRenewal = ContinuousClock.now
        var lastHousekeeping = ContinuousClock.now - .seconds(3600)
        // Discarding: finished attempts leave nothing behind for the life of the process.
        await withDiscardingTaskGroup { group in
            while true {
                heartbeat.answer()
                let limits = self.limits.withLock { $0 }
                let (stopping, running, deadlinePassed, saturated) = state.withLock { state in
                    (
                        state.stopping, state.running, state.deadlinePassed,
                        limits.perAction.filter { state.runningByAction[$0.key, default: 0] >= $0.value }.map(\.key)
                    )
                }
                if stopping {
                    if running == 0 { break }
                    if deadlinePassed {
                        group.cancelAll()
                        break
                    }
                }
                let now = ContinuousClock.now
                if running > 0, now - lastRenewal >= settings.lease / 3 {
                    lastRenewal = now
                    let owner = self.owner
                    let lease = settings.lease
                    _ = await database.run { store in try store.renew(owner: owner, lease: lease) }
                }
                if now - lastHousekeeping >= .seconds(5) {
                    lastHousekeeping = now
                    await housekeeping()
                }
                var wait = settings.pollInterval
                if !stopping, running < limits.global {
                    let owner = self.owner
                    let lease = settings.lease
                    let free = limits.global - running
                    // Only actions this instance knows (another instance may run a newer config),
                    // and an action with its own concurrency only up to what it has left.
                    let known = actions.withLock { Array($0.keys) }
                    let unlimited = known.filter { limits.perAction[$0] == nil }
                    let remaining = state.withLock { state in
                        limits.perAction.compactMap { action, limit -> (String, Int)? in
                            guard known.contains(action), !saturated.contains(action) else { return nil }
                            return (action, limit - state.runningByAction[action, default: 0])
                        }
                    }
                    let claimed = await database.run { store in
                        var claims = try store.claim(limit: free, owner: owner, lease: lease, actions: unlimited)
                        for (action, left) in remaining where claims.count < free {
                            claims += try store.claim(
                                limit: min(left, free - claims.count), owner: owner, lease: lease, actions: [action])
                        }
                        return claims
                    }
                    switch claimed {
                    case .success(let claims):
                        noteRecovered()
                        state.withLock { state in
                            state.running += claims.count
                            for claim in claims { state.runningByAction[claim.job.action, default: 0] += 1 }
                        }
                        for claim in claims {
                            group.addTask { await self.attempt(claim, timeout: limits.attemptTimeout) }
                        }
                        if claims.count == free { wait = .zero }
                        // A job due but not claimable (its action is full, or it waits for an earlier
                        // job of its recipient) reads as due now: then the poll interval it is.
                        if claims.isEmpty, case .success(let next?) = await database.run({ try $0.nextWake() }),
                            next > .zero
                        {
                            wait = min(wait, max(next, .milliseconds(5)))
                        }
                    case .failure(let error):
                        noteProblem(error)
                    }
                }
                if wait > .zero { await doorbell.wait(upTo: wait) }
            }
        }
        database.close()
    }

    private func attempt(_ claim: PostgresJobStore.Claim, timeout: Duration) async {
        let started = ContinuousClock.now
        var job = claim.job
        job.attempts += 1
        let outcome: Outcome
        if let action = actions.withLock({ $0[job.action] }) {
            let context = DeliveryContext(
                logger: logger.with(["job": .string(job.id.description)]), clock: SystemTimeSource(),
                deadline: started + timeout, attempt: job.attempts, previousAttemptMayHaveSent: claim.mayHaveSent,
                count: { [metrics, action = job.action] in metrics?.pluginEvent(action: action, event: $0) })
            outcome = await Scheduler.performWithin(timeout, action: action, job: job, context: context)
        } else {
            outcome = .failed(reason: "action '\(job.action)' is not in the configuration any more")
        }
        await record(claim, job: job, outcome: outcome, latency: ContinuousClock.now - started)
        state.withLock { state in
            state.running -= 1
            state.runningByAction[job.action, default: 1] -= 1
        }
        doorbell.ring()
    }

    /// Records the outcome, fenced by the lease; tries a few times while the database is away
    /// (the lease keeps the job this instance's meanwhile).
    private func record(_ claim: PostgresJobStore.Claim, job: Job, outcome: Outcome, latency: Duration) async {
        metrics?.jobFinished(action: job.action, outcome: outcome, latency: latency)
        let base: [(String, LogValue)] = [
            ("job", .string(job.id.description)), ("event", .string(job.eventName.rawValue)),
            ("route", .string(job.route)), ("action", .string(job.action)), ("attempt", .int(job.attempts)),
            ("outcome", .string(outcome.label)), ("latency_ms", .milliseconds(latency)),
        ]
        let policy = retry.withLock { $0 }
        for tryNumber in 1...5 {
            let result = await database.run { store -> String in
                switch outcome {
                case .delivered:
                    return try store.delivered(claim) ? "delivered" : "lost"
                case .failed(let reason):
                    return try store.failed(claim, reason: reason) ? "dead" : "lost"
                case .retry(let after, let reason, let ambiguous):
                    let delay = policy.delay(after: job.attempts, requested: after)
                    let gaveUp =
                        "gave up after \(job.attempts) attempts (max_age \(policy.maxAge.compactDescription)); last: \(reason)"
                    switch try store.retry(
                        claim, after: delay, maxAge: policy.maxAge, reason: reason, gaveUp: gaveUp,
                        mayHaveSent: ambiguous)
                    {
                    case .queued: return "retry:\(delay.saturatingMilliseconds)"
                    case .expired: return "expired"
                    case .leaseLost: return "lost"
                    }
                }
            }
            switch result {
            case .success("delivered"):
                if case .delivered(let detail) = outcome {
                    log(.info, "job delivered", base + [("detail", .string(detail))])
                }
            case .success("dead"):
                metrics?.jobDeadLettered(action: job.action)
                if case .failed(let reason) = outcome {
                    log(.error, "job failed permanently; moved to dead letters", base + [("reason", .string(reason))])
                }
            case .success("expired"):
                metrics?.jobDeadLettered(action: job.action)
                log(.error, "job expired; moved to dead letters", base)
            case .success("lost"):
                log(
                    .warning, "outcome not recorded: the lease passed to another instance (or the job was dropped)",
                    base)
            case .success(let text):
                metrics?.jobRetried(action: job.action)
                let milliseconds = Int64(text.dropFirst(6)) ?? 0
                var fields = base + [("retry_in_ms", .milliseconds(.milliseconds(milliseconds)))]
                if case .retry(_, let reason, _) = outcome { fields.append(("reason", .string(reason))) }
                log(.warning, "job will be retried", fields)
            case .failure(let error):
                noteProblem(error)
                if tryNumber < 5 {
                    try? await Task.sleep(for: min(settings.lease / 5, .seconds(2)))
                    continue
                }
                log(
                    .error, "outcome not recorded; the job is attempted again once its lease ends",
                    base + [("reason", .string(settings.redacted(error.description)))])
            }
            return
        }
    }

    private func housekeeping() async {
        let result = await database.run { store -> (Int, Duration?) in
            try store.prune()
            return try store.statistics()
        }
        if case .success(let (depth, oldest)) = result {
            state.withLock {
                $0.depth = depth
                $0.oldest = oldest
            }
        }
    }

    private func noteProblem(_ error: PostgresError) {
        let first = state.withLock { state -> Bool in
            defer { state.problem = settings.redacted(error.description) }
            return state.problem == nil
        }
        if first {
            log(
                .error, "deliveries paused: the database cannot be reached",
                [("reason", .string(settings.redacted(error.description)))])
        }
    }

    private func noteRecovered() {
        let was = state.withLock { state -> String? in
            defer { state.problem = nil }
            return state.problem
        }
        if was != nil { log(.info, "deliveries resumed: the database is reachable again", []) }
    }

    private func log(_ level: LogLevel, _ message: String, _ fields: [(String, LogValue)]) {
        guard logger.isEnabled(level) else { return }
        logger.handler.log(level: level, message: message, fields: logger.fields + fields)
    }

    /// `LISTEN herald_jobs` on a connection of its own; rings on every notification. Reconnects
    /// with backoff; polling covers the gaps.
    private static func listen(settings: PostgresStoreSettings, doorbell: Doorbell, logger: Logger) {
        var backoff = Duration.milliseconds(200)
        while true {
            do throws(PostgresError) {
                let connection = try PostgresConnection(
                    dsn: settings.dsn, connectTimeout: settings.connectTimeout,
                    applicationName: PostgresConnection.serveApplicationName)
                try connection.listen("herald_jobs")
                backoff = .milliseconds(200)
                while true {
                    if try !connection.waitForNotifications(upTo: .seconds(30)).isEmpty { doorbell.ring() }
                }
            } catch {
                Thread.sleep(forTimeInterval: backoff.seconds)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }
}
