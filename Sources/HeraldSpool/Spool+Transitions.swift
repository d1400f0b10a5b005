import HeraldCore
import HeraldJobs

/// A job's life in the local store, through its transitions (see `JobState`): the scheduler
/// claims due jobs and reports how each attempt ended; an operator retries or drops. Each call
/// changes the job's state and queues its record in one critical section, so the state in memory
/// and the order of the records on disk always agree. A record lost in a crash costs at most one
/// extra attempt (at-least-once).
extension Spool {
    /// Takes the jobs due at `now` that `request` has room for: queued → running. Running jobs
    /// are not recorded; after a restart they are queued.
    package func claim(now: WallClock, request: ClaimRequest) -> [ClaimedJob] {
        shared.withLock { $0.index.claim(now: now, request: request) }
    }

    /// Builds the ready queue now (the first claim would), so that start-up pays for it before
    /// the daemon says it is ready.
    package func startScheduling() {
        shared.withLock { $0.index.startScheduling() }
    }

    /// When the next queued job may run, if any job waits for its time.
    package var nextDue: WallClock? {
        shared.withLock { shared in
            shared.index.startScheduling()
            return shared.index.nextDue
        }
    }

    /// Attempts under way.
    package var runningCount: Int {
        shared.withLock { $0.index.ready?.running.count ?? 0 }
    }

    /// Records how a claimed job's attempt ended. Returns false when the job was dropped while
    /// it ran: its outcome is not recorded (and `completion` gets `SpoolError.notFound`).
    /// `completion`, if given, runs once the record is on disk (the scheduler does not wait: a record lost in a crash costs one more attempt).
    @discardableResult
    package func finishAttempt(
        _ id: TimeOrderedID, _ result: AttemptResult, completion: SpoolCompletion? = nil
    ) -> Bool {
        let record: EncodedRecord
        switch result {
        case .delivered:
            record = .jobDone(id)
        case .retry(let attempts, let notBefore, let mayHaveSent, let reason):
            record = .attemptFinished(
                id, attempts: attempts, notBefore: notBefore, mayHaveSent: mayHaveSent, reason: reason)
        case .dead(let attempts, let reason, let lastAnswer):
            let death = Death(attempts: attempts, diedAt: options.clock.now, reason: reason, lastAnswer: lastAnswer)
            record = .jobDead(id, death: death)
        }
        let (finished, refused) = shared.withLock { shared -> (Bool, SpoolError?) in
            guard shared.index.finishAttempt(id, result) else { return (false, nil) }
            return (true, enqueueTransition(record, completion))
        }
        if let refused { completion?(.failure(refused)) }
        if !finished { completion?(.failure(.notFound(id))) }
        return finished
    }

    /// An operator's retry: a queued job runs at `notBefore`; a dead letter goes back to the
    /// queue as a new series of attempts (its `max_age` counts from `notBefore`). `completion`
    /// runs once the change is on disk.
    /// - Throws (through `completion`): `SpoolError.notFound` when there is no such job;
    ///   `.running` while an attempt of it is under way.
    /// - Returns: the state the job was in.
    @discardableResult
    package func retry(_ id: TimeOrderedID, notBefore: WallClock, completion: SpoolCompletion? = nil) -> JobState? {
        let (found, refused) = shared.withLock { shared -> (JobState?, SpoolError?) in
            let state = shared.index.retry(id, notBefore: notBefore)
            guard state == .queued || state == .dead else { return (state, nil) }
            return (state, enqueueTransition(.jobRetried(id, notBefore: notBefore), completion))
        }
        switch (found, refused) {
        case (nil, _): completion?(.failure(.notFound(id)))
        case (.running?, _): completion?(.failure(.running(id)))
        case (_, let error?): completion?(.failure(error))
        default: break
        }
        return found
    }

    /// An operator's drop: the queued job or dead letter is removed for good; a running attempt
    /// finishes, and its outcome is not recorded.
    /// - Throws (through `completion`): `SpoolError.notFound` when there is no such job.
    /// - Returns: the state the job was in.
    @discardableResult
    package func drop(_ id: TimeOrderedID, completion: SpoolCompletion? = nil) -> JobState? {
        let (found, refused) = shared.withLock { shared -> (JobState?, SpoolError?) in
            guard let state = shared.index.drop(id) else { return (nil, nil) }
            return (state, enqueueTransition(.jobDropped(id), completion))
        }
        if found == nil { completion?(.failure(.notFound(id))) }
        if let refused { completion?(.failure(refused)) }
        return found
    }

    /// What a queued job waits for in this process (`.unknown` before anything is scheduled).
    package func wait(of id: TimeOrderedID) -> JobWait {
        shared.withLock { $0.index.wait(of: id) }
    }

    /// Queues a transition's record. Not refused for back-pressure: a transition already took
    /// effect in memory, and its record is small. Called under the lock, so that records reach
    /// the log in the order their transitions happened; returns the error (the spool is closed)
    /// for the caller to hand to `completion` outside the lock.
    private func enqueueTransition(_ record: EncodedRecord, _ completion: SpoolCompletion? = nil) -> SpoolError? {
        let item = PendingWrite(content: .records([record]), bytes: record.frame.count, completion: completion)
        return queue.enqueue(item, limit: Int.max)
    }
}
