import HeraldConfig
import HeraldCore
import Synchronization

/// Performs jobs through their actions (design §7): when due, within the concurrency limits,
/// in order per recipient, retrying on the schedule, dead-lettering what cannot succeed.
///
/// This first version keeps jobs in memory (`MemoryJobQueue`); the durable spool replaces that
/// store behind the same `JobIntake` seam.
public final class Scheduler: Sendable {
    struct Limits: Sendable {
        var global: Int
        var perAction: [String: Int]
        var attemptTimeout: Duration
    }

    private let queue: Mutex<JobQueueState>
    private let doorbell = Doorbell()
    private let actions: Mutex<[String: any Action]>
    private let limits: Mutex<Limits>
    private let retry: Mutex<RetryPolicy>
    private let clock: any TimeSource
    private let logger: Logger
    private let metrics: HeraldMetrics?
    /// Answered by `run()` on every round; asked by the systemd watchdog through `isResponsive()`.
    private let heartbeat = Heartbeat()

    public init(
        configuration: HeraldConfiguration, clock: any TimeSource = SystemTimeSource(), logger: Logger,
        metrics: HeraldMetrics? = nil
    ) {
        self.metrics = metrics
        self.queue = Mutex(JobQueueState())
        self.actions = Mutex(configuration.actions)
        self.limits = Mutex(Scheduler.limits(of: configuration))
        self.retry = Mutex(RetryPolicy(configuration.delivery))
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

    /// Adds jobs; they run when due.
    func submit(_ jobs: [Job]) {
        guard !jobs.isEmpty else { return }
        queue.withLock { state in
            for job in jobs { state.add(job) }
        }
        doorbell.ring()
    }

    /// True when `run()` came round since the previous call (each call wakes it); for the watchdog.
    public func isResponsive() -> Bool { heartbeat.check { doorbell.ring() } }

    /// Jobs waiting or running, for `/readyz`-style reporting and tests.
    public var depth: Int { queue.withLock { $0.count } }

    /// Dead letters kept in memory.
    public var deadLetters: [DeadLetter] { queue.withLock { $0.dead } }

    /// Runs until `stop` is called and running attempts have finished (or were cancelled at the
    /// stop deadline).
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            while true {
                heartbeat.answer()
                let now = clock.now
                let limits = self.limits.withLock { $0 }
                let (ready, nextDue, state) = queue.withLock { state in
                    (state.takeReady(now: now, limits: limits), state.nextDue, (state.stopping, state.running, state.deadlinePassed))
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
            await group.waitForAll()
        }
    }

    /// Stops starting attempts; lets running ones finish until `deadline`, then cancels them.
    public func stop(deadline: Duration) {
        queue.withLock { $0.stopping = true }
        doorbell.ring()
        Task {
            try? await Task.sleep(for: deadline)
            self.queue.withLock { $0.deadlinePassed = true }
            self.doorbell.ring()
        }
    }

    private func attempt(_ job: Job, timeout: Duration) async {
        var job = job
        job.attempts += 1
        let started = ContinuousClock.now
        let outcome: Outcome
        if let action = actions.withLock({ $0[job.action] }) {
            let context = DeliveryContext(
                logger: logger.with(["job": .string(job.id.description)]), clock: clock, deadline: started + timeout,
                attempt: job.attempts)
            outcome = await performWithin(timeout, action: action, job: job, context: context)
        } else {
            outcome = .failed(reason: "action '\(job.action)' is not in the configuration any more")
        }
        finish(job, outcome: outcome, latency: ContinuousClock.now - started)
        doorbell.ring()
    }

    /// Runs `perform`, cancelling it when it overruns `timeout` (a timeout is ambiguous: the
    /// request may have been sent).
    private func performWithin(_ timeout: Duration, action: any Action, job: Job, context: DeliveryContext) async -> Outcome {
        await withTaskGroup(of: Outcome?.self) { group in
            group.addTask { await action.perform(job, context: context) }
            group.addTask {
                try? await Task.sleep(for: timeout + .milliseconds(250))
                return Task.isCancelled ? nil : .retry(after: nil, reason: "attempt timed out after \(timeout.compactDescription)", ambiguous: true)
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

    private func finish(_ job: Job, outcome: Outcome, latency: Duration) {
        let now = clock.now
        let base: [(String, LogValue)] = [
            ("job", .string(job.id.description)), ("event", .string(job.eventName.rawValue)),
            ("event_id", .string(job.eventID.description)), ("route", .string(job.route)), ("action", .string(job.action)),
            ("attempt", .int(job.attempts)), ("outcome", .string(outcome.label)), ("latency_ms", .milliseconds(latency)),
        ]
        metrics?.jobFinished(action: job.action, outcome: outcome, latency: latency)
        switch outcome {
        case .delivered(let detail):
            queue.withLock { $0.complete(job) }
            log(.info, "job delivered", base + [("detail", .string(detail))])
        case .failed(let reason):
            queue.withLock { $0.kill(job, reason: reason, at: now) }
            metrics?.jobDeadLettered(action: job.action)
            log(.error, "job failed permanently; moved to dead letters", base + [("reason", .string(reason))])
        case .retry(let after, let reason, _):
            let policy = retry.withLock { $0 }
            if let next = policy.nextAttempt(after: job.attempts, createdAt: job.createdAt, now: now, requested: after) {
                var again = job
                again.notBefore = next
                queue.withLock { $0.reschedule(again) }
                metrics?.jobRetried(action: job.action)
                log(.warning, "job will be retried", base + [("reason", .string(reason)), ("retry_in_ms", .milliseconds(next - now))])
            } else {
                let why = "gave up after \(job.attempts) attempts (max_age \(policy.maxAge.compactDescription)); last: \(reason)"
                queue.withLock { $0.kill(job, reason: why, at: now) }
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
    public func accept(_ jobs: [Job], completion: @escaping @Sendable (Result<Void, IntakeError>) -> Void) {
        let accepted = queue.withLock { state -> Bool in
            guard !state.stopping else { return false }
            guard state.count + jobs.count <= JobQueueState.capacity else { return false }
            for job in jobs { state.add(job) }
            return true
        }
        guard accepted else {
            completion(.failure(IntakeError("the in-memory queue is full or shutting down")))
            return
        }
        doorbell.ring()
        completion(.success(()))
    }

    public var isReady: Bool {
        queue.withLock { !$0.stopping && $0.count < JobQueueState.capacity }
    }
}
