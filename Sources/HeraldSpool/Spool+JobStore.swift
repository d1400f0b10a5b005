import Dispatch
import HeraldCore
import HeraldJobs
import Synchronization

/// The local spool as a `JobStore`: one process owns it (its lock), so a claim needs no lease
/// and the spool's own state is the fence; time is this host's (`SpoolOptions.clock`).
extension Spool: JobStore {
    /// Reading payloads back from disk blocks, so it happens here, not on Swift's shared threads.
    private static let ioQueue = DispatchQueue(label: "herald.spool.io", attributes: .concurrent)

    // MARK: JobIntake

    package func accept(
        _ events: [IntakeEvent], completion: @escaping @Sendable (Result<[IntakeReceipt], JobStoreError>) -> Void
    ) {
        let jobs = events.flatMap(\.jobs)
        let keys = events.flatMap(\.dedupeKeys)
        // The local store's dedupe was decided in memory before planning: every event is new.
        let receipts = events.map { _ in IntakeReceipt() }
        guard !jobs.isEmpty || !keys.isEmpty else {
            completion(.success(receipts))
            return
        }
        add(jobs, dedupeKeys: keys) { [self] result in
            switch result {
            case .success:
                if let due = jobs.lazy.map(\.notBefore).min() {
                    executorDoorbell.withLock { $0 }?.ring(dueIn: due - options.clock.now)
                }
                completion(.success(receipts))
            case .failure(let error):
                completion(.failure(JobStoreError(error)))
            }
        }
    }

    package var isReady: Bool { isWritable && !closed.load(ordering: .acquiring) }

    /// This host's time (`SpoolOptions.clock`).
    package var now: WallClock { options.clock.now }

    package var notReadyReason: String { "jobs cannot be stored" }

    // MARK: Delivery

    package func deliverWakeUps(to doorbell: Doorbell) {
        executorDoorbell.withLock { $0 = doorbell }
    }

    package func claim(_ request: ClaimRequest) async throws(JobStoreError) -> [JobClaim] {
        let now = options.clock.now
        return claim(now: now, request: request).map { claimed in
            JobClaim(
                id: claimed.id, action: claimed.action, attempts: claimed.attempts, seriesStart: claimed.seriesStart,
                previousAttemptMayHaveSent: claimed.previousAttemptMayHaveSent)
        }
    }

    /// Claims cost a lock, not a round trip: none ahead.
    package var claimAhead: Int { 0 }

    package func release(_ claims: [JobClaim]) async {
        shared.withLock { shared in
            for claim in claims { shared.index.release(claim.id) }
        }
        executorDoorbell.withLock { $0 }?.ring()
    }

    package func load(_ claim: JobClaim) async throws(JobStoreError) -> Job {
        let result: Result<Job, SpoolError> = await withCheckedContinuation { continuation in
            Spool.ioQueue.async { [self] in
                do throws(SpoolError) {
                    continuation.resume(returning: .success(try job(claim.id)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        switch result {
        case .success(let job): return job
        case .failure(let error): throw JobStoreError(.unreadable, "spool: \(error)", cause: error)
        }
    }

    package func finish(_ claim: JobClaim, _ verdict: AttemptVerdict, attempts: Int) async throws(JobStoreError)
        -> FinishResult
    {
        let result: AttemptResult
        switch verdict {
        case .delivered:
            result = .delivered
        case .retry(let at, let reason, let mayHaveSent):
            result = .retry(attempts: attempts, notBefore: at, mayHaveSent: mayHaveSent, reason: reason)
        case .dead(let death):
            result = .dead(attempts: attempts, reason: death.description, lastAnswer: death.lastAnswer)
        }
        guard case .dead = result else {
            // Not waited for: a record lost in a crash costs one more attempt.
            return finishAttempt(claim.id, result) ? .recorded : .dropped
        }
        // A dead letter is listed from its record: wait until it is on disk (they are rare).
        // The completion runs exactly once: on disk, not found (dropped meanwhile), or refused.
        return await withCheckedContinuation { continuation in
            finishAttempt(claim.id, result) { written in
                if case .failure(.notFound) = written {
                    continuation.resume(returning: .dropped)
                } else {
                    continuation.resume(returning: .recorded)
                }
            }
        }
    }

    package func nextWakeUp(claimable: Bool) async -> Duration? {
        guard claimable, let due = nextDue else { return nil }
        return max(due - options.clock.now, .milliseconds(1))
    }

    package func maintain() async {}

    package var depth: StoreDepth? {
        let statistics = statistics
        return StoreDepth(
            jobs: statistics.depth, oldestAge: statistics.oldestCreatedAt.map { options.clock.now - $0 })
    }

    // MARK: Operators

    package func page(_ section: JobSection, filter: JobFilter, limit: Int) throws(JobStoreError) -> JobPage {
        let now = options.clock.now
        var total = 0
        var items: [StoredJob] = []
        /// Counts and keeps (up to `limit`) one entry; an unreadable job matches only no filter.
        func consider(
            _ id: TimeOrderedID, time: (Job) -> WallClock, death: DeadLetter? = nil, make: (Job?) -> StoredJob
        ) {
            // A dead letter's time is known without its payload: retention reads only what expired.
            if let death, !filter.matches(time: death.diedAt, now: now) { return }
            guard let job = try? self.job(id) else {
                guard filter.isEmpty else { return }
                total += 1
                if limit == 0 || items.count < limit { items.append(make(nil)) }
                return
            }
            guard filter.matches(job, time: time(job), now: now, death: death) else { return }
            total += 1
            if limit == 0 || items.count < limit { items.append(make(job)) }
        }
        switch section {
        case .queue:
            let ids = queuedIDs
            if filter.isEmpty {
                // Nothing to match: read only the jobs shown, not a million payloads.
                for id in limit == 0 ? ids[...] : ids.prefix(limit) {
                    items.append(queued(id, job: try? job(id)))
                }
                return JobPage(total: ids.count, items: items)
            }
            for id in ids {
                consider(id, time: \.createdAt) { queued(id, job: $0) }
            }
        case .dead:
            for letter in deadLetters {
                let death = DeadLetter(diedAt: letter.diedAt, reason: letter.reason, lastAnswer: letter.lastAnswer)
                consider(letter.id, time: { _ in letter.diedAt }, death: death) { job in
                    StoredJob(id: letter.id, state: .dead, job: job, attempts: letter.attempts, death: death)
                }
            }
        }
        return JobPage(total: total, items: items)
    }

    package func stored(_ id: TimeOrderedID) throws(JobStoreError) -> StoredJob? {
        guard let state = state(of: id) else { return nil }
        guard state == .dead else { return queued(id, job: try? job(id), state: state) }
        guard let dead = try? deadLetter(id) else {
            return StoredJob(id: id, state: .dead, job: nil, attempts: 0)
        }
        return StoredJob(
            id: id, state: .dead, job: dead.job, attempts: dead.job.attempts,
            death: DeadLetter(diedAt: dead.diedAt, reason: dead.reason, lastAnswer: dead.lastAnswer))
    }

    package func retryJob(_ id: TimeOrderedID) throws(JobStoreError) -> WallClock {
        let now = options.clock.now
        do throws(SpoolError) {
            _ = try waitForRecord { retry(id, notBefore: now, completion: $0) }
        } catch {
            throw JobStoreError(error)
        }
        executorDoorbell.withLock { $0 }?.ring()
        return now
    }

    package func dropJob(_ id: TimeOrderedID) throws(JobStoreError) -> JobState {
        let before: JobState?
        do throws(SpoolError) {
            before = try waitForRecord { drop(id, completion: $0) }
        } catch {
            throw JobStoreError(error)
        }
        executorDoorbell.withLock { $0 }?.ring()
        guard let before else { throw JobStoreError(.notFound, "no job or dead letter \(id)") }
        return before
    }

    /// Served when this process's executor performs the jobs: the daemon holds the spool (the
    /// CLI opens it only when no daemon does).
    package func isServed() throws(JobStoreError) -> Bool {
        executorDoorbell.withLock { $0 } != nil
    }

    /// Rewrites every segment, so that records of dropped and done jobs leave the disk.
    package func scrub() throws(JobStoreError) {
        do throws(SpoolError) {
            _ = try rewriteEverything()
        } catch {
            throw JobStoreError(error)
        }
    }

    // MARK: Helpers

    /// A queued or running job as operators see it; what it waits for only when the daemon
    /// schedules it.
    private func queued(_ id: TimeOrderedID, job: Job?, state: JobState? = nil) -> StoredJob {
        let served = executorDoorbell.withLock { $0 } != nil
        return StoredJob(
            id: id, state: state ?? self.state(of: id) ?? .queued, job: job, attempts: job?.attempts ?? 0,
            wait: served ? wait(of: id) : nil)
    }

    /// Makes a change through `start` and waits until its record is on disk.
    private func waitForRecord<T>(_ start: (@escaping SpoolCompletion) -> T) throws(SpoolError) -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = ResultBox()
        let value = start { result in
            outcome.set(result)
            done.signal()
        }
        done.wait()
        if case .failure(let error)? = outcome.get() { throw error }
        return value
    }
}

/// A completion's result, handed from the writer thread to the waiting one (the semaphore
/// orders the accesses; the lock makes that visible to the checker).
private final class ResultBox: Sendable {
    private let value = Mutex<Result<Void, SpoolError>?>(nil)
    func set(_ result: Result<Void, SpoolError>) { value.withLock { $0 = result } }
    func get() -> Result<Void, SpoolError>? { value.withLock { $0 } }
}

extension JobStoreError {
    /// The spool's error, as a job store's.
    init(_ error: SpoolError) {
        switch error {
        case .notFound(let id): self.init(.notFound, "no job or dead letter \(id)", cause: error)
        case .running(let id): self.init(.running, "job \(id) is being attempted right now", cause: error)
        case .corrupt: self.init(.unreadable, "spool: \(error)", cause: error)
        default: self.init(.unavailable, "spool: \(error)", cause: error)
        }
    }
}
