import Dispatch
import HeraldConfig
import HeraldCore
import HeraldSpool
import Synchronization

/// Performs the spool's jobs through their actions (design §7): a thin executor. The spool owns
/// every job's state and decides which jobs may run (due, within the concurrency limits, in
/// order per recipient); the scheduler claims them, runs the plugin within the attempt timeout,
/// applies the retry policy to the outcome and reports it back. A restart resumes where the
/// spool's records left off.
public final class Scheduler: Sendable {
    struct Limits: Sendable {
        var claim: ClaimLimits
        var attemptTimeout: Duration

        init(global: Int, perAction: [String: Int], attemptTimeout: Duration) {
            claim = ClaimLimits(global: global, perAction: perAction)
            self.attemptTimeout = attemptTimeout
        }

        var global: Int { claim.global }
        var perAction: [String: Int] { claim.perAction }
    }

    /// What only the run loop and `stop` change.
    struct RunState {
        var stopping = false
        var deadlinePassed = false
    }

    private let runState = Mutex(RunState())
    let doorbell = Doorbell()
    private let spool: Spool
    private let actions: Mutex<[String: any Action]>
    private let limits: Mutex<Limits>
    private let retry: Mutex<RetryPolicy>
    private let clock: any TimeSource
    private let logger: Logger
    private let metrics: HeraldMetrics?
    /// Answered by `run()` on every round; asked by the systemd watchdog through `isResponsive()`.
    private let heartbeat = Heartbeat()
    /// Reading payloads back from disk blocks, so it happens here, not on Swift's shared threads.
    private static let ioQueue = DispatchQueue(label: "herald.scheduler.io", attributes: .concurrent)

    init(
        configuration: HeraldConfiguration, spool: Spool, clock: any TimeSource = SystemTimeSource(), logger: Logger,
        metrics: HeraldMetrics? = nil
    ) {
        self.metrics = metrics
        self.actions = Mutex(configuration.actions)
        self.limits = Mutex(Scheduler.limits(of: configuration))
        self.retry = Mutex(RetryPolicy(configuration.delivery))
        self.spool = spool
        self.clock = clock
        self.logger = logger
    }

    private static func limits(of configuration: HeraldConfiguration) -> Limits {
        Limits(
            global: configuration.delivery.concurrency, perAction: configuration.actionConcurrency,
            attemptTimeout: configuration.delivery.attemptTimeout)
    }

    /// Uses the actions and settings of a new configuration for attempts that start from now on.
    public func apply(_ configuration: HeraldConfiguration) {
        actions.withLock { $0 = configuration.actions }
        limits.withLock { $0 = Scheduler.limits(of: configuration) }
        retry.withLock { $0 = RetryPolicy(configuration.delivery) }
        doorbell.ring()
    }

    /// True when `run()` came round since the previous call (each call wakes it); for the watchdog.
    public func isResponsive() -> Bool { heartbeat.check { doorbell.ring() } }

    /// Runs until `stop` is called and running attempts have finished (or were cancelled at the
    /// stop deadline).
    public func run() async {
        // Discarding: a finished attempt leaves nothing behind (a plain task group keeps every
        // child's result until it is awaited, which here would be for the life of the process).
        await withDiscardingTaskGroup { group in
            while true {
                heartbeat.answer()
                let now = clock.now
                let limits = self.limits.withLock { $0 }
                let state = runState.withLock { $0 }
                if state.stopping {
                    if spool.runningCount == 0 { break }
                    if state.deadlinePassed {
                        group.cancelAll()
                        break
                    }
                    await doorbell.wait(upTo: nil)
                    continue
                }
                let ready = spool.claim(now: now, limits: limits.claim)
                for job in ready {
                    group.addTask { await self.attempt(job, timeout: limits.attemptTimeout) }
                }
                // With every slot busy, the next finishing attempt rings; a timer would only spin.
                let nextDue = spool.runningCount < limits.claim.global ? spool.nextDue : nil
                let wait = nextDue.map { max($0 - now, .milliseconds(1)) }
                await doorbell.wait(upTo: wait)
            }
        }
    }

    /// Stops starting attempts; lets running ones finish until `deadline`, then cancels them.
    /// Jobs not finished stay in the spool for the next start.
    public func stop(deadline: Duration) {
        runState.withLock { $0.stopping = true }
        doorbell.ring()
        Task {
            try? await Task.sleep(for: deadline)
            self.runState.withLock { $0.deadlinePassed = true }
            self.doorbell.ring()
        }
    }

    private func attempt(_ claimed: ClaimedJob, timeout: Duration) async {
        let started = ContinuousClock.now
        let loaded = await load(claimed.id)
        guard case .success(var job) = loaded else {
            if case .failure(let error) = loaded {
                logger.error(
                    "job cannot be read from the spool; moved to dead letters",
                    ["job": .string(claimed.id.description), "reason": .string("\(error)")])
                spool.finishAttempt(
                    claimed.id,
                    .dead(attempts: claimed.attempts, reason: "its record cannot be read: \(error)", lastAnswer: nil))
            }
            doorbell.ring()
            return
        }
        job.attempts = claimed.attempts + 1
        let outcome: Outcome
        if let action = actions.withLock({ $0[job.action] }) {
            let context = DeliveryContext(
                logger: logger.with(["job": .string(job.id.description)]), clock: clock, deadline: started + timeout,
                attempt: job.attempts, previousAttemptMayHaveSent: claimed.previousAttemptMayHaveSent,
                count: { [metrics, action = job.action] in metrics?.pluginEvent(action: action, event: $0) })
            outcome = await Scheduler.performWithin(timeout, action: action, job: job, context: context)
        } else {
            outcome = .failed(reason: "action '\(job.action)' is not in the configuration any more")
        }
        finish(
            job, seriesStart: claimed.seriesStart ?? job.dueAt, outcome: outcome, latency: ContinuousClock.now - started
        )
        doorbell.ring()
    }

    private func load(_ id: TimeOrderedID) async -> Result<Job, SpoolError> {
        await withCheckedContinuation { continuation in
            Scheduler.ioQueue.async { [spool] in
                do throws(SpoolError) {
                    continuation.resume(returning: .success(try spool.job(id)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
    }

    /// Runs `perform`, cancelling it when it overruns `timeout` (a timeout is ambiguous: the
    /// request may have been sent).
    static func performWithin(_ timeout: Duration, action: any Action, job: Job, context: DeliveryContext) async
        -> Outcome
    {
        await withTaskGroup(of: Outcome?.self) { group in
            group.addTask { await action.perform(job, context: context) }
            group.addTask {
                try? await Task.sleep(for: timeout + .milliseconds(250))
                return Task.isCancelled
                    ? nil
                    : .retry(
                        after: nil, reason: "attempt timed out after \(timeout.compactDescription)", ambiguous: true)
            }
            var result: Outcome = .retry(after: nil, reason: "attempt cancelled", ambiguous: true)
            for await outcome in group {
                if let outcome {
                    result = outcome
                    break
                }
            }
            group.cancelAll()
            return result
        }
    }

    /// Applies the retry policy to the outcome and reports it to the spool.
    private func finish(_ job: Job, seriesStart: WallClock, outcome: Outcome, latency: Duration) {
        let now = clock.now
        let base: [(String, LogValue)] = [
            ("job", .string(job.id.description)), ("event", .string(job.eventName.rawValue)),
            ("event_id", .string(job.eventID.description)), ("route", .string(job.route)),
            ("action", .string(job.action)),
            ("attempt", .int(job.attempts)), ("outcome", .string(outcome.label)),
            ("latency_ms", .milliseconds(latency)),
        ]
        metrics?.jobFinished(action: job.action, outcome: outcome, latency: latency)
        let result: AttemptResult
        let level: LogLevel
        let message: String
        var fields = base
        switch outcome {
        case .delivered(let detail):
            result = .delivered
            level = .info
            message = "job delivered"
            fields.append(("detail", .string(detail)))
        case .failed(let reason):
            result = .dead(attempts: job.attempts, reason: reason, lastAnswer: reason)
            level = .error
            message = "job failed permanently; moved to dead letters"
            fields.append(("reason", .string(reason)))
        case .retry(let after, let reason, _):
            // max_age counts from when the job was due (a delayed job's retries are not used up by
            // its delay), or from an operator's retry of a dead letter.
            let policy = retry.withLock { $0 }
            if let next = policy.nextAttempt(after: job.attempts, createdAt: seriesStart, now: now, requested: after) {
                result = .retry(attempts: job.attempts, notBefore: next, outcome: outcome.label, reason: reason)
                level = .warning
                message = "job will be retried"
                fields += [("reason", .string(reason)), ("retry_in_ms", .milliseconds(next - now))]
            } else {
                let why =
                    "gave up after \(job.attempts) attempts (max_age \(policy.maxAge.compactDescription)); last: \(reason)"
                result = .dead(attempts: job.attempts, reason: why, lastAnswer: reason)
                level = .error
                message = "job expired; moved to dead letters"
                fields.append(("reason", .string(why)))
            }
        }
        guard spool.finishAttempt(job.id, result) else {
            log(.info, "job was dropped by an operator during its attempt; outcome not recorded", base)
            return
        }
        switch result {
        case .delivered: break
        case .retry: metrics?.jobRetried(action: job.action)
        case .dead: metrics?.jobDeadLettered(action: job.action)
        }
        log(level, message, fields)
    }

    private func log(_ level: LogLevel, _ message: String, _ fields: [(String, LogValue)]) {
        guard logger.isEnabled(level) else { return }
        logger.handler.log(level: level, message: message, fields: logger.fields + fields)
    }
}

extension Scheduler: JobIntake {
    package func accept(
        _ events: [IntakeEvent], completion: @escaping @Sendable (Result<[IntakeReceipt], IntakeError>) -> Void
    ) {
        let jobs = events.flatMap(\.jobs)
        let keys = events.flatMap(\.dedupeKeys)
        let receipts = events.map { _ in IntakeReceipt() }
        guard !jobs.isEmpty || !keys.isEmpty else {
            completion(.success(receipts))
            return
        }
        guard !runState.withLock({ $0.stopping }) else {
            completion(.failure(IntakeError("shutting down")))
            return
        }
        // The local store's dedupe was decided in memory before planning; all events are new.
        spool.add(jobs, dedupeKeys: keys) { [self] result in
            switch result {
            case .success:
                // The jobs are queued in the spool now. With every slot busy, the next finishing
                // attempt rings; waking now would be wasted.
                if !jobs.isEmpty && spool.runningCount < limits.withLock({ $0.claim.global }) { doorbell.ring() }
                completion(.success(receipts))
            case .failure(let error):
                completion(.failure(IntakeError("spool: \(error)")))
            }
        }
    }

    package var isReady: Bool {
        spool.isWritable && !runState.withLock { $0.stopping }
    }

    package func seen(_ key: String, now: WallClock) -> Bool {
        spool.seen(key, now: now)
    }
}
