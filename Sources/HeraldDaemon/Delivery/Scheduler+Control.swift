import HeraldCore
import HeraldSpool

/// What an operator's `herald queue|dead retry|drop` changes in the running scheduler, after the
/// spool has recorded it (see `SpoolControl`).
extension Scheduler {
    /// Whether an attempt of the job is under way.
    func isRunning(_ id: TimeOrderedID) -> Bool {
        queue.withLock { $0.isRunning(id) }
    }

    /// What the queued job is waiting for.
    func wait(of job: JobSummary) -> JobQueueState.Wait {
        queue.withLock { $0.wait(of: job) }
    }

    /// Makes a queued job due at `job.notBefore`; false when it is being attempted.
    func expedite(_ job: JobSummary) -> Bool {
        let done = queue.withLock { $0.expedite(job) }
        doorbell.ring()
        return done
    }

    /// Forgets a dropped job; false when an attempt was under way (it finishes, unretried).
    func forget(_ job: JobSummary) -> Bool {
        let done = queue.withLock { $0.drop(job) }
        doorbell.ring()
        return done
    }

    /// Schedules a dead letter the spool has put back in the queue, as a new series of attempts.
    func revive(_ job: JobSummary, at now: WallClock) {
        revived.withLock { $0[job.id] = now }
        queue.withLock { $0.add(job) }
        doorbell.ring()
    }
}
