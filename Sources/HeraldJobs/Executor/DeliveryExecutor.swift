import HeraldCore
import Synchronization

/// Performs the jobs of any `JobStore` (design §7): the one executor for both stores. The store
/// owns every job's state and decides which jobs may run (due, in order per recipient); the
/// executor counts the attempts under way against the limits, claims what fits, runs each
/// plugin within the attempt timeout, decides the verdict (`AttemptVerdict.decide`) by the
/// store's time, records it fenced by the claim, and logs and counts it the same way whichever
/// the store.
///
/// Learnt from swift-jobs' `JobQueueProcessor` over its `JobQueueDriver`s: the store is a driver
/// of primitives; retry policy, limits, timeouts, logs and metrics live here once.
///
/// ```swift
/// let executor = DeliveryExecutor(store: spool, settings: { current.delivery }, logger: logger)
/// await executor.run()            // until stop(deadline:) and the attempts under way ended
/// ```
package final class DeliveryExecutor<Store: JobStore>: Sendable {
    struct RunState {
        var stopping = false
        var deadlinePassed = false
        /// Attempts talking to their peers: what the limits count.
        var slots = AttemptSlots()
        /// Claims whose verdict is not recorded yet (their attempts, and the recording after
        /// them): a stop waits for these.
        var unfinished = 0
        /// Claims taken ahead of free slots (`JobStore.claimAhead`), started as slots free.
        var ahead: [JobClaim] = []
        /// A claim ahead is under way beside the loop (one at a time).
        var claiming = false
        /// The last claim beside the loop took fewer jobs than asked (or failed): the loop waits
        /// for its next wake-up before claiming again, as after such a claim of its own.
        var claimFellShort = false
        /// Why the store could not be used, while it cannot (logged once when it starts).
        var problem: String?
    }

    let store: Store
    let settings: @Sendable () -> DeliverySnapshot
    let clock: any TimeSource
    let logger: Logger
    let observer: (any DeliveryObserver)?
    /// Where each attempt's span goes (the OTLP exporter); nil when tracing is off.
    let spans: (any SpanSink)?
    let state = Mutex(RunState())
    let doorbell = Doorbell()
    /// Cancels the attempts that overrun `DeliveryLimits.attemptTimeout`.
    let deadlines = AttemptDeadlines()
    /// Answered by `run()` on every round; asked by the systemd watchdog through `isResponsive()`.
    private let heartbeat = Heartbeat()

    /// - Parameters:
    ///   - settings: the current snapshot, read at each round (reload swaps it).
    ///   - clock: the plugins' clock (`DeliveryContext.clock`); verdicts use the store's time.
    ///   - spans: takes one span per attempt of a sampled trace; nil when tracing is off.
    package init(
        store: Store, settings: @escaping @Sendable () -> DeliverySnapshot, clock: any TimeSource = SystemTimeSource(),
        logger: Logger, observer: (any DeliveryObserver)? = nil, spans: (any SpanSink)? = nil
    ) {
        self.spans = spans
        self.store = store
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.observer = observer
    }

    /// Looks again at once: the settings changed, or an operator changed a job.
    package func wake() { doorbell.ring() }

    /// True when `run()` came round since the previous call (each call wakes it); for the watchdog.
    package func isResponsive() -> Bool { heartbeat.check { doorbell.ring() } }

    /// Attempts under way.
    package var running: Int { state.withLock { $0.slots.running } }

    /// Runs until `stop` is called and the attempts under way have finished (or were cancelled
    /// at the stop's deadline). Jobs not finished stay in the store for the next start.
    package func run() async {
        store.deliverWakeUps(to: doorbell)
        // Discarding: a finished attempt leaves nothing behind (a plain task group keeps every
        // child's result until it is awaited, which here would be for the life of the process).
        await withDiscardingTaskGroup { group in
            while true {
                heartbeat.answer()
                let snapshot = settings()
                let (stopping, deadlinePassed, unfinished) = state.withLock { state in
                    (state.stopping, state.deadlinePassed, state.unfinished)
                }
                if stopping {
                    // Claims that never started go back to the store, as if never claimed.
                    let (waiting, claiming) = state.withLock { state in
                        defer { state.ahead = [] }
                        return (state.ahead, state.claiming)
                    }
                    if !waiting.isEmpty { await store.release(waiting) }
                    if unfinished == 0 && !claiming { break }
                    if deadlinePassed {
                        group.cancelAll()
                        break
                    }
                }
                // Leases of the attempts under way are renewed while they finish after a stop too.
                await store.maintain()
                if !stopping {
                    for claim in start(ahead: snapshot.limits) {
                        group.addTask { await self.attempt(claim, snapshot: snapshot) }
                    }
                }
                // At most four rounds of the instance's slots wait: claims held here are jobs
                // other instances cannot take.
                let ahead = min(store.claimAhead, 4 * snapshot.limits.global)
                let (room, waiting, claiming, fellShort) = state.withLock { state in
                    defer { state.claimFellShort = false }
                    return (
                        state.slots.request(snapshot.limits, actions: snapshot.actionNames), state.ahead.count,
                        state.claiming, state.claimFellShort
                    )
                }
                // Free slots, and as many more as the store says are worth claiming at once. The
                // claims ahead are refilled once half of them have started, beside this loop, so
                // that slots freed meanwhile start the claims still waiting instead of idling
                // through the claim's round trip.
                var wanted = room
                wanted.count = max(0, room.count + ahead - waiting)
                let refill = ahead > 0 && waiting <= ahead / 2
                let claimable =
                    !stopping && !claiming && !fellShort && wanted.count > 0 && (room.count > 0 || refill)
                // Whether the wait below follows a claim that found all there was (then it lasts
                // until the next job is due, or the poll interval).
                var claimedAll = fellShort
                if claimable && ahead > 0 {
                    state.withLock { $0.claiming = true }
                    group.addTask { await self.claimBeside(wanted) }
                } else if claimable {
                    // Every slot asked for taken: more may be due; look again at once.
                    if let claims = await claim(wanted) {
                        for claim in start(ahead: snapshot.limits) {
                            group.addTask { await self.attempt(claim, snapshot: snapshot) }
                        }
                        if !claims.isEmpty && claims.count == wanted.count { continue }
                    }
                    claimedAll = true
                }
                await doorbell.wait(upTo: await store.nextWakeUp(claimable: claimedAll))
            }
        }
        // A claim beside the loop that came in after a stop's deadline ended it.
        let left = state.withLock { state in
            defer { state.ahead = [] }
            return state.ahead
        }
        if !left.isEmpty { await store.release(left) }
    }

    /// Claims what `wanted` asks and puts it with the claims waiting ahead; nil when the store
    /// cannot be used (said once, until it can again).
    private func claim(_ wanted: ClaimRequest) async -> [JobClaim]? {
        do throws(JobStoreError) {
            let claims = try await store.claim(wanted)
            noteRecovered()
            state.withLock { $0.ahead += claims }
            return claims
        } catch {
            noteProblem(error)
            return nil
        }
    }

    /// A claim ahead, beside the loop: the loop is rung when it is in (to start its claims, and
    /// to claim again at once when it took every slot asked for: more may be due).
    private func claimBeside(_ wanted: ClaimRequest) async {
        let claims = await claim(wanted)
        state.withLock { state in
            state.claiming = false
            state.claimFellShort = claims.map { $0.isEmpty || $0.count < wanted.count } ?? true
        }
        doorbell.ring()
    }

    /// Takes the claims waiting ahead that the limits admit now, in the order they were claimed,
    /// and counts them as started.
    private func start(ahead limits: DeliveryLimits) -> [JobClaim] {
        state.withLock { state in
            var started: [JobClaim] = []
            var waiting: [JobClaim] = []
            for claim in state.ahead {
                if state.slots.admits(claim.action, under: limits) {
                    state.slots.take(claim.action)
                    started.append(claim)
                } else {
                    waiting.append(claim)
                }
            }
            state.ahead = waiting
            state.unfinished += started.count
            return started
        }
    }

    /// Stops claiming; lets the attempts under way finish until `deadline`, then cancels them.
    package func stop(deadline: ContinuousClock.Instant) {
        state.withLock { $0.stopping = true }
        doorbell.ring()
        Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            self.state.withLock { $0.deadlinePassed = true }
            self.doorbell.ring()
        }
    }

    func noteProblem(_ error: JobStoreError) {
        let first = state.withLock { state -> Bool in
            defer { state.problem = error.message }
            return state.problem == nil
        }
        if first {
            log(.error, "deliveries paused: the job store cannot be used", [("reason", .string(error.message))])
        }
    }

    func noteRecovered() {
        let was = state.withLock { state -> String? in
            defer { state.problem = nil }
            return state.problem
        }
        if was != nil { log(.info, "deliveries resumed: the job store can be used again", []) }
    }

    func log(_ level: LogLevel, _ message: String, _ fields: [(String, LogValue)]) {
        guard logger.isEnabled(level) else { return }
        logger.handler.log(level: level, message: message, fields: logger.fields + fields)
    }
}
