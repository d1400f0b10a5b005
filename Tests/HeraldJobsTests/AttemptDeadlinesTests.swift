import Dispatch
import HeraldCore
import HeraldJobs
import HeraldTestSupport
import Synchronization
import Testing

/// The attempts' deadlines: an attempt that overruns is cancelled and its outcome says it timed
/// out (ambiguously); one that ends in time is never cancelled; one thread serves a busy period
/// and ends when idle. Only lower bounds on time are asserted; upper bounds mean "it did not hang".
@Suite struct AttemptDeadlinesTests {
    /// A plugin that waits until it is cancelled, or for `duration`.
    final class SleepingAction: Action, Sendable {
        let duration: Duration
        let cancelled = Atomic<Int>(0)
        init(duration: Duration) { self.duration = duration }
        var name: String { "mail" }
        var kind: String { "sleeping" }
        var summary: String { "sleeps" }
        func compileStep(_ step: StepDefinition) -> (any ActionStep)? { nil }
        func perform(_ job: Job, context: DeliveryContext) async -> Outcome {
            try? await Task.sleep(for: duration)
            if Task.isCancelled {
                cancelled.add(1, ordering: .relaxed)
                return .failed(reason: "cancelled")
            }
            return .delivered(detail: "slept")
        }
    }

    private let ids = TimeOrderedIDGenerator()

    private func job() -> Job {
        Job(
            id: ids.next(), eventID: ids.next(), eventName: EventName("registration.after")!, route: "welcome",
            action: "mail", payload: ["to": "a@example.com"], orderingKey: nil, createdAt: WallClock.now, notBefore: WallClock.now)
    }

    private func context() -> DeliveryContext {
        DeliveryContext(
            logger: .discarding, clock: SystemTimeSource(), deadline: .now + .seconds(1), attempt: 1,
            previousAttemptMayHaveSent: false)
    }

    @Test func anAttemptThatOverrunsIsCancelledAndTimesOut() async {
        let deadlines = AttemptDeadlines()
        let action = SleepingAction(duration: .seconds(60))
        let started = ContinuousClock.now
        let outcome = await DeliveryExecutor<InMemoryJobStore>.performWithin(
            .milliseconds(100), action: action, job: job(), context: context(), deadlines: deadlines)
        let took = ContinuousClock.now - started
        #expect(outcome == .retry(after: nil, reason: "attempt timed out after 100ms", ambiguous: true))
        #expect(action.cancelled.load(ordering: .relaxed) == 1)
        #expect(took >= .milliseconds(350), "cancelled before its timeout and the quarter second after it")
        #expect(took < .seconds(30))
        #expect(deadlines.watching == 0)
    }

    @Test func anAttemptInTimeKeepsItsOutcome() async {
        let deadlines = AttemptDeadlines()
        let action = SleepingAction(duration: .milliseconds(10))
        let outcome = await DeliveryExecutor<InMemoryJobStore>.performWithin(
            .seconds(30), action: action, job: job(), context: context(), deadlines: deadlines)
        #expect(outcome == .delivered(detail: "slept"))
        #expect(action.cancelled.load(ordering: .relaxed) == 0)
        #expect(deadlines.watching == 0)
    }

    /// Many attempts in one busy period share one thread; a short deadline added while the
    /// thread sleeps until a long one is still kept.
    @Test func oneThreadWatchesEveryDeadline() async throws {
        let deadlines = AttemptDeadlines()
        let long = (0..<1000).map { _ in deadlines.watch(until: .now + .seconds(60)) {} }
        let fired = Atomic<Bool>(false)
        let short = deadlines.watch(until: .now + .milliseconds(50)) { fired.store(true, ordering: .relaxed) }
        let waitStarted = ContinuousClock.now
        while !fired.load(ordering: .relaxed) && ContinuousClock.now - waitStarted < .seconds(30) {
            try await Task.sleep(for: .milliseconds(5))
        }
        let didFire = fired.load(ordering: .relaxed)
        #expect(didFire)
        #expect(deadlines.end(short))
        #expect(long.allSatisfy { !deadlines.end($0) })
        #expect(deadlines.threadCount == 1)
        #expect(deadlines.watching == 0)
    }

    /// The thread ends after a while with nothing to watch, and a later watch starts another.
    @Test func theThreadEndsWhenIdleAndComesBack() async throws {
        let deadlines = AttemptDeadlines(idleExit: .milliseconds(50))
        // Ended at once; the thread, if it saw the watch first, sleeps until its deadline (an
        // ended watch does not wake it), then for `idleExit`: a short deadline keeps that short.
        #expect(!deadlines.end(deadlines.watch(until: .now + .seconds(2)) {}))
        let idleStarted = ContinuousClock.now
        while deadlines.threadRuns && ContinuousClock.now - idleStarted < .seconds(30) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(!deadlines.threadRuns, "the thread did not end with nothing to watch")
        let fired = Atomic<Bool>(false)
        let watch = deadlines.watch(until: .now + .milliseconds(20)) { fired.store(true, ordering: .relaxed) }
        let waitStarted = ContinuousClock.now
        while !fired.load(ordering: .relaxed) && ContinuousClock.now - waitStarted < .seconds(30) {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(deadlines.end(watch))
        #expect(deadlines.threadCount == 2)
    }

    /// An executor that runs jobs on Dispatch's threads, or holds them while `hold()` is in force:
    /// a caller whose resumption waits for a busy pool.
    final class HoldingExecutor: TaskExecutor, @unchecked Sendable {
        // @unchecked: `held`, `released` and `jobs` are read and written under `lock` only.
        private let lock = NativeCondition()
        private var held = false
        private var released = false
        private var jobs: [UnownedJob] = []

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            lock.lock()
            if held {
                jobs.append(job)
                lock.unlock()
                return
            }
            lock.unlock()
            run(job)
        }

        /// Holds the jobs enqueued from now on, unless `release` came first (a plugin that ran
        /// late on a loaded machine): a hold after it would hold the caller for ever.
        func hold() {
            lock.lock()
            held = !released
            lock.unlock()
        }

        func release() {
            lock.lock()
            let waiting = jobs
            jobs = []
            held = false
            released = true
            lock.unlock()
            for job in waiting { run(job) }
        }

        private func run(_ job: UnownedJob) {
            let executor = asUnownedTaskExecutor()
            DispatchQueue.global().async { job.runSynchronously(on: executor) }
        }
    }

    /// A plugin that answers at once, after holding up its caller's executor.
    final class AnswersThenHoldsTheCaller: Action, Sendable {
        let executor: HoldingExecutor
        init(_ executor: HoldingExecutor) { self.executor = executor }
        var name: String { "mail" }
        var kind: String { "quick" }
        var summary: String { "answers at once" }
        func compileStep(_ step: StepDefinition) -> (any ActionStep)? { nil }
        /// When `perform` returned, once it has.
        let ended = Mutex<ContinuousClock.Instant?>(nil)
        func perform(_ job: Job, context: DeliveryContext) async -> Outcome {
            // Time for the caller to wait for this task's value (it is held only if it waits).
            try? await Task.sleep(for: .milliseconds(50))
            executor.hold()
            ended.withLock { $0 = .now }
            return .delivered(detail: "sent")
        }
    }

    /// A plugin that answered long before its deadline keeps its outcome even when the attempt
    /// that waits for it resumes after the deadline (a busy pool): the watch fires meanwhile,
    /// but it cancels a finished task. Before, the attempt said it timed out, and a delivered job
    /// was retried: sent twice.
    @Test func anAnswerInTimeStandsWhenItsCallerResumesLate() async throws {
        let deadlines = AttemptDeadlines()
        let executor = HoldingExecutor()
        let timeout = Duration.milliseconds(100)
        // The caller resumes half a second after the deadline (timeout + 250 ms).
        let resume = ContinuousClock.now + timeout + .milliseconds(750)
        NativeThread.start(named: "test-release") {
            let sleeper = NativeCondition()
            sleeper.lock()
            while ContinuousClock.now < resume { _ = sleeper.wait(for: resume - ContinuousClock.now) }
            sleeper.unlock()
            executor.release()
        }
        let action = AnswersThenHoldsTheCaller(executor)
        let (job, context) = (job(), context())
        // performWithin reads the clock after this: its deadline is no earlier than this one.
        let deadline = ContinuousClock.now + timeout + .milliseconds(250)
        let outcome = await withTaskExecutorPreference(executor) {
            await DeliveryExecutor<InMemoryJobStore>.performWithin(
                timeout, action: action, job: job, context: context, deadlines: deadlines)
        }
        let ended = try #require(action.ended.withLock { $0 })
        if ended < deadline {
            #expect(outcome == .delivered(detail: "sent"))
        } else {
            // The plugin itself started after its deadline (a saturated machine: the suites
            // beside this one): then it did overrun, and the timeout is the right answer.
            #expect(outcome == .retry(after: nil, reason: "attempt timed out after 100ms", ambiguous: true))
        }
        #expect(deadlines.watching == 0)
    }
}
