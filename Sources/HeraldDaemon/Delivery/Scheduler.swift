import Dispatch
import HeraldConfig
import HeraldCore
import HeraldSpool
import Synchronization

/// Performs the spool's jobs through their actions (design §7): when due, within the
/// concurrency limits, in order per recipient, retrying on the schedule, dead-lettering what
/// cannot succeed. Every outcome is recorded in the spool, so a restart resumes where it was.
public final class Scheduler: Sendable {
    struct Limits: Sendable {
        var global: Int
        var perAction: [String: Int]
        var attemptTimeout: Duration
    }

    let queue: Mutex<JobQueueState>
    let doorbell = Doorbell()
    /// Dead letters an operator put back in the queue, and when: their `max_age` counts from
    /// then, not from the event (kept in memory; after a restart it counts from the event again).
    let revived = Mutex<[TimeOrderedID: WallClock]>([:])
    private let actions: Mutex<[String: any Action]>
    private let limits: Mutex<Limits>
    private let retry: Mutex<RetryPolicy>
    private let spool: Spool
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
        self.queue = Mutex(JobQueueState())
        self.actions = Mutex(configuration.actions)
        self.limits = Mutex(Scheduler.limits(of: configuration))
        self.retry = Mutex(RetryPolicy(configuration.delivery))
        self.spool = spool
        self.clock = clock
        self.logger = logger
        let recovered = spool.liveJobs
        queue.withLock { state in
            for job in recovered { state.add(job) }
        }
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

    /// Jobs waiting or running.
    public var depth: Int { queue.withLock { $0.count } }

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
                let (ready, nextDue, state) = queue.withLock { state in
                    let ready = state.takeReady(now: now, limits: limits)
                    // With every slot busy, the next finishing attempt rings; a timer would only spin.
                    let nextDue = state.running < limits.global ? state.nextDue : nil
                    return (ready, nextDue, (state.stopping, state.running, state.deadlinePassed))
                }
                let (stopping, running, deadlinePassed) = state
                if stopping {
                    if running == 0 { break }
                    if deadlinePassed {
                        group.cancelAll()
                        break
                    }
                }
                for job in ready {
                    group.addTask { await self.attempt(job, timeout: limits.attemptTimeout) }
                }
                let wait = nextDue.map { max($0 - now, .milliseconds(1)) }
                await doorbell.wait(upTo: wait)
            }
        }
    }

    /// Stops starting attempts; lets running ones finish until `deadline`, then cancels them.
    /// Jobs not finished stay in the spool for the next start.
    public func stop(deadline: Duration) {
        queue.withLock { $0.stopping = true }
        doorbell.ring()
        Task {
            try? await Task.sleep(for: deadline)
            self.queue.withLock { $0.deadlinePassed = true }
            self.doorbell.ring()
        }
    }

    private func attempt(_ summary: JobSummary, timeout: Duration) async {
        let started = ContinuousClock.now
        let loaded = await load(summary.id)
        guard case .success(var job) = loaded else {
            if case .failure(let error) = loaded {
                logger.error(
                    "job cannot be read from the spool; skipped",
                    ["job": .string(summary.id.description), "reason": .string("\(error)")])
            }
            queue.withLock { $0.finish(summary) }
            doorbell.ring()
            return
        }
        job.attempts += 1
        let outcome: Outcome
        if let action = actions.withLock({ $0[job.action] }) {
            let context = DeliveryContext(
                logger: logger.with(["job": .string(job.id.description)]), clock: clock, deadline: started + timeout,
                attempt: job.attempts)
            outcome = await Scheduler.performWithin(timeout, action: action, job: job, context: context)
        } else {
            outcome = .failed(reason: "action '\(job.action)' is not in the configuration any more")
        }
        finish(job, summary: summary, outcome: outcome, latency: ContinuousClock.now - started)
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

    private func finish(_ job: Job, summary: JobSummary, outcome: Outcome, latency: Duration) {
        let now = clock.now
        let base: [(String, LogValue)] = [
            ("job", .string(job.id.description)), ("event", .string(job.eventName.rawValue)),
            ("event_id", .string(job.eventID.description)), ("route", .string(job.route)),
            ("action", .string(job.action)),
            ("attempt", .int(job.attempts)), ("outcome", .string(outcome.label)),
            ("latency_ms", .milliseconds(latency)),
        ]
        metrics?.jobFinished(action: job.action, outcome: outcome, latency: latency)
        let seriesStart: WallClock
        // max_age counts from when the job was due (a delayed job's retries are not used up by its
        // delay), or from an operator's retry of a dead letter.
        if case .retry = outcome {
            seriesStart = revived.withLock { $0[job.id] } ?? job.dueAt
        } else {
            seriesStart = job.dueAt
            revived.withLock { _ = $0.removeValue(forKey: job.id) }
        }
        switch outcome {
        case .delivered(let detail):
            spool.complete(job.id)
            queue.withLock { $0.finish(summary) }
            log(.info, "job delivered", base + [("detail", .string(detail))])
        case .failed(let reason):
            spool.kill(job.id, reason: reason, attempts: job.attempts, lastAnswer: reason)
            queue.withLock { $0.finish(summary) }
            metrics?.jobDeadLettered(action: job.action)
            log(.error, "job failed permanently; moved to dead letters", base + [("reason", .string(reason))])
        case .retry(let after, let reason, _):
            let policy = retry.withLock { $0 }
            if let next = policy.nextAttempt(after: job.attempts, createdAt: seriesStart, now: now, requested: after) {
                spool.recordAttempt(
                    job.id, attempts: job.attempts, notBefore: next, outcome: outcome.label, reason: reason)
                var again = summary
                again.attempts = job.attempts
                again.notBefore = next
                queue.withLock { $0.reschedule(again) }
                metrics?.jobRetried(action: job.action)
                log(
                    .warning, "job will be retried",
                    base + [("reason", .string(reason)), ("retry_in_ms", .milliseconds(next - now))])
            } else {
                let why =
                    "gave up after \(job.attempts) attempts (max_age \(policy.maxAge.compactDescription)); last: \(reason)"
                revived.withLock { _ = $0.removeValue(forKey: job.id) }
                spool.kill(job.id, reason: why, attempts: job.attempts, lastAnswer: reason)
                queue.withLock { $0.finish(summary) }
                metrics?.jobDeadLettered(action: job.action)
                log(.error, "job expired; moved to dead letters", base + [("reason", .string(why))])
            }
        }
    }

    private func log(_ level: LogLevel, _ message: String, _ fields: [(String, LogValue)]) {
        guard logger.isEnabled(level) else { return }
        logger.handler.log(level: level, message: message, fields: logger.fields + fields)
    }
}

extension Scheduler: JobIntake {
    package func accept(
        _ jobs: [Job], dedupeKeys: [DedupeKey],
        completion: @escaping @Sendable (Result<IntakeReceipt, IntakeError>) -> Void
    ) {
        guard !jobs.isEmpty || !dedupeKeys.isEmpty else {
            completion(.success(IntakeReceipt()))
            return
        }
        guard !queue.withLock({ $0.stopping }) else {
            completion(.failure(IntakeError("shutting down")))
            return
        }
        spool.add(jobs, dedupeKeys: dedupeKeys) { [self] result in
            switch result {
            case .success:
                if !jobs.isEmpty {
                    let global = limits.withLock { $0.global }
                    let slotFree = queue.withLock { state in
                        for job in jobs { state.add(JobSummary(job)) }
                        return state.running < global
                    }
                    // With every slot busy, the next finishing attempt rings; waking now would be wasted.
                    if slotFree { doorbell.ring() }
                }
                completion(.success(IntakeReceipt()))
            case .failure(let error):
                completion(.failure(IntakeError("spool: \(error)")))
            }
        }
    }

    package var isReady: Bool {
        spool.isWritable && !queue.withLock { $0.stopping }
    }

    package func seen(_ key: String, now: WallClock) -> Bool {
        spool.seen(key, now: now)
    }
}
