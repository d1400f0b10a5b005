import HeraldCore
import HeraldJobs
import Synchronization

/// A `JobStore` in memory, for tests of the executor and of what sits on top of the protocol:
/// the same rules as the real stores (due jobs only; first attempts in order per action and
/// ordering key, a retrying job out of line; verdicts fenced by the claim; operators' retry and
/// drop), without durability. Its time is `clock`'s.
///
/// ```swift
/// let clock = ManualClock()
/// let store = InMemoryJobStore(clock: clock)
/// store.add([job])
/// let executor = DeliveryExecutor(store: store, settings: { snapshot }, logger: logger)
/// ```
package final class InMemoryJobStore: JobStore, Sendable {
    /// A stored job and its life.
    package struct Entry: Sendable {
        package var job: Job
        package var state: JobState
        package var attempts = 0
        package var seriesStart: WallClock?
        package var mayHaveSent = false
        package var fence: UInt64 = 0
        package var death: DeadLetter?
    }

    /// A verdict as `finish` received it, and what it came to.
    package struct Finished: Sendable {
        package var id: TimeOrderedID
        package var verdict: AttemptVerdict
        package var attempts: Int
        package var result: FinishResult
    }

    private struct State {
        var entries: [TimeOrderedID: Entry] = [:]
        var nextFence: UInt64 = 1
        var doorbell: Doorbell?
        var finished: [Finished] = []
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var claimCalls = 0
        var keys: [String: WallClock] = [:]
        var released: [TimeOrderedID] = []
        var claimGate: Int?
        var heldClaims: [CheckedContinuation<Void, Never>] = []
    }

    private let clock: any TimeSource
    private let state = Mutex(State())
    /// Claim only the actions the executor knows, as a store shared by instances does.
    private let claimsKnownActionsOnly: Bool

    package init(
        clock: any TimeSource = SystemTimeSource(), claimsKnownActionsOnly: Bool = false, claimAhead: Int = 0
    ) {
        self.clock = clock
        self.claimsKnownActionsOnly = claimsKnownActionsOnly
        self.claimAhead = claimAhead
    }

    /// Claims taken beyond the executor's free slots (as a shared store asks for).
    package let claimAhead: Int

    /// Claims given back without an attempt.
    package var released: [TimeOrderedID] { state.withLock { $0.released } }

    package func release(_ claims: [JobClaim]) async {
        state.withLock { state in
            for claim in claims
            where state.entries[claim.id]?.state == .running && state.entries[claim.id]?.fence == claim.fence {
                state.entries[claim.id]?.state = .queued
                state.released.append(claim.id)
            }
        }
    }

    /// Adds jobs (as the ingress would) and rings the executor.
    package func add(_ jobs: [Job]) {
        let doorbell = state.withLock { state in
            for job in jobs { state.entries[job.id] = Entry(job: job, state: .queued) }
            return state.doorbell
        }
        doorbell?.ring()
    }

    /// The job's entry, if the store has it.
    package func entry(_ id: TimeOrderedID) -> Entry? { state.withLock { $0.entries[id] } }

    /// Every verdict `finish` received, in order.
    package var finished: [Finished] { state.withLock { $0.finished } }

    /// How many times `claim` was called.
    package var claimCalls: Int { state.withLock { $0.claimCalls } }

    /// Claims after the first `count` wait until `openClaims()`, as a claim that is a slow round
    /// trip to a shared store does.
    package func holdClaims(after count: Int) {
        state.withLock { $0.claimGate = count }
    }

    /// Lets the held claims (and every later one) through.
    package func openClaims() {
        let held = state.withLock { state in
            defer {
                state.claimGate = nil
                state.heldClaims = []
            }
            return state.heldClaims
        }
        for claim in held { claim.resume() }
    }

    /// Claims waiting at the gate `holdClaims(after:)` set.
    package var heldClaims: Int { state.withLock { $0.heldClaims.count } }

    /// Waits until `finish` was called `count` times in all.
    package func waitForFinished(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.finished.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    // MARK: JobIntake

    package func accept(
        _ events: [IntakeEvent], completion: @escaping @Sendable (Result<[IntakeReceipt], JobStoreError>) -> Void
    ) {
        state.withLock { state in
            for key in events.flatMap(\.dedupeKeys) { state.keys[key.key] = key.expiresAt }
        }
        add(events.flatMap(\.jobs))
        completion(.success(events.map { _ in IntakeReceipt() }))
    }

    /// Every job, in the order of their ids.
    package var jobs: [Job] { state.withLock { $0.entries.values.map(\.job).sorted { $0.id < $1.id } } }

    package var isReady: Bool { true }
    package var now: WallClock { clock.now }
    package var notReadyReason: String { "never" }
    package func seen(_ key: String, now: WallClock) -> Bool {
        state.withLock { $0.keys[key].map { $0 > now } ?? false }
    }

    // MARK: Delivery

    package func deliverWakeUps(to doorbell: Doorbell) {
        state.withLock { $0.doorbell = doorbell }
    }

    package func claim(_ request: ClaimRequest) async throws(JobStoreError) -> [JobClaim] {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let passes = state.withLock { state -> Bool in
                state.claimCalls += 1
                guard let gate = state.claimGate, state.claimCalls > gate else { return true }
                state.heldClaims.append(continuation)
                return false
            }
            if passes { continuation.resume() }
        }
        let now = clock.now
        return state.withLock { state in
            var perAction = request.perAction
            var claims: [JobClaim] = []
            let due = state.entries.values.filter { $0.state == .queued && $0.job.notBefore <= now }
                .sorted { ($0.job.notBefore, $0.job.id) < ($1.job.notBefore, $1.job.id) }
            for entry in due where claims.count < request.count {
                let job = entry.job
                if claimsKnownActionsOnly && !request.actions.contains(job.action) { continue }
                if let free = perAction[job.action] {
                    guard free > 0 else { continue }
                }
                if let key = job.orderingKey, entry.attempts == 0,
                    state.entries.values.contains(where: {
                        $0.job.action == job.action && $0.job.orderingKey == key && $0.attempts == 0
                            && ($0.state == .queued || $0.state == .running) && $0.job.id < job.id
                    })
                {
                    continue
                }
                if let free = perAction[job.action] { perAction[job.action] = free - 1 }
                let fence = state.nextFence
                state.nextFence += 1
                state.entries[job.id]?.state = .running
                state.entries[job.id]?.fence = fence
                claims.append(
                    JobClaim(
                        id: job.id, action: job.action, attempts: entry.attempts, seriesStart: entry.seriesStart,
                        previousAttemptMayHaveSent: entry.mayHaveSent, fence: fence))
            }
            return claims
        }
    }

    package func load(_ claim: JobClaim) async throws(JobStoreError) -> Job {
        guard let entry = entry(claim.id) else { throw JobStoreError(.unreadable, "gone") }
        if entry.job.payload["unreadable"] != nil { throw JobStoreError(.unreadable, "its payload cannot be read") }
        var job = entry.job
        job.attempts = entry.attempts
        return job
    }

    package func finish(_ claim: JobClaim, _ verdict: AttemptVerdict, attempts: Int) async throws(JobStoreError)
        -> FinishResult
    {
        let (result, ready) = state.withLock { state -> (FinishResult, [CheckedContinuation<Void, Never>]) in
            let result: FinishResult
            if var entry = state.entries[claim.id], entry.state == .running {
                if entry.fence != claim.fence {
                    result = .superseded
                } else {
                    result = .recorded
                    entry.attempts = attempts
                    switch verdict {
                    case .delivered:
                        entry.state = .done
                    case .retry(let at, _, let mayHaveSent):
                        entry.state = .queued
                        entry.job.notBefore = at
                        entry.mayHaveSent = mayHaveSent
                    case .dead(let death):
                        entry.state = .dead
                        entry.death = DeadLetter(
                            diedAt: clock.now, reason: death.description, lastAnswer: death.lastAnswer)
                    }
                    state.entries[claim.id] = entry.state == .done ? nil : entry
                }
            } else {
                result = state.entries[claim.id] == nil ? .dropped : .superseded
            }
            state.finished.append(Finished(id: claim.id, verdict: verdict, attempts: attempts, result: result))
            let count = state.finished.count
            let ready = state.waiters.filter { $0.count <= count }.map(\.continuation)
            state.waiters.removeAll { $0.count <= count }
            return (result, ready)
        }
        for continuation in ready { continuation.resume() }
        return result
    }

    package func nextWakeUp(claimable: Bool) async -> Duration? {
        guard claimable else { return nil }
        let now = clock.now
        let next = state.withLock { state in
            state.entries.values.filter { $0.state == .queued }.map(\.job.notBefore).min()
        }
        return next.map { max($0 - now, .milliseconds(1)) }
    }

    package func maintain() async {}

    package var depth: StoreDepth? {
        let jobs = state.withLock { $0.entries.values.filter { $0.state == .queued || $0.state == .running } }
        return StoreDepth(jobs: jobs.count, oldestAge: jobs.map(\.job.createdAt).min().map { clock.now - $0 })
    }

    // MARK: Operators

    package func page(_ section: JobSection, filter: JobFilter, limit: Int) throws(JobStoreError) -> JobPage {
        let now = clock.now
        let matching = state.withLock { state in
            state.entries.values.filter { entry in
                (section == .dead) == (entry.state == .dead)
                    && filter.matches(
                        entry.job, time: entry.death?.diedAt ?? entry.job.createdAt, now: now, death: entry.death)
            }
        }.sorted { $0.job.id < $1.job.id }
        let shown = limit == 0 ? matching[...] : matching.prefix(limit)
        return JobPage(total: matching.count, items: shown.map(stored))
    }

    package func stored(_ id: TimeOrderedID) throws(JobStoreError) -> StoredJob? {
        entry(id).map(stored)
    }

    package func retryJob(_ id: TimeOrderedID) throws(JobStoreError) -> WallClock {
        let now = clock.now
        let doorbell = try state.withLock { state throws(JobStoreError) -> Doorbell? in
            guard var entry = state.entries[id] else { throw JobStoreError(.notFound, "no job \(id)") }
            switch entry.state {
            case .running: throw JobStoreError(.running, "job \(id) is running")
            case .dead:
                entry.seriesStart = now
                entry.attempts = 0
                entry.death = nil
            case .queued, .done: break
            }
            entry.state = .queued
            entry.job.notBefore = now
            state.entries[id] = entry
            return state.doorbell
        }
        doorbell?.ring()
        return now
    }

    package func dropJob(_ id: TimeOrderedID) throws(JobStoreError) -> JobState {
        try state.withLock { state throws(JobStoreError) -> JobState in
            guard let entry = state.entries.removeValue(forKey: id) else {
                throw JobStoreError(.notFound, "no job \(id)")
            }
            return entry.state
        }
    }

    package func isServed() throws(JobStoreError) -> Bool { state.withLock { $0.doorbell != nil } }

    /// Memory holds nothing of a dropped job.
    package func scrub() throws(JobStoreError) {}

    private func stored(_ entry: Entry) -> StoredJob {
        var job = entry.job
        job.attempts = entry.attempts
        return StoredJob(
            id: job.id, state: entry.state, job: job, attempts: entry.attempts, death: entry.death,
            wait: entry.state == .dead ? nil : entry.state == .running ? .running : .dueTime)
    }
}
