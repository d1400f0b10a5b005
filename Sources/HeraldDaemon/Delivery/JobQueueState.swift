import HeraldCore
import HeraldSpool

/// The scheduler's bookkeeping over the spool's job summaries: jobs waiting per ordering group,
/// the due-time heap of jobs that may run, running counts per action. Payloads stay on disk.
/// Mutated only under the scheduler's lock.
///
/// Ordering (design §7): the first attempts of one group (one action, one recipient) run in the
/// order the jobs were planned, so a verification mail is not overtaken by a welcome planned
/// after it. A job whose attempt failed leaves its group and retries on its own time, and the
/// next job of the group goes ahead: one failing mail never holds a user's later mail (their
/// codes) hostage for `max_age`.
struct JobQueueState {
    /// What a queued job is waiting for, for `herald queue list|show`.
    enum Wait: Equatable {
        /// An attempt is under way.
        case running
        /// Its due time (or next attempt time).
        case dueTime
        /// The first attempts of `ahead` earlier jobs of its group (same action and recipient).
        case earlierJobs(ahead: Int)
        /// A free slot of its action's `concurrency`.
        case actionConcurrency
        /// The scheduler does not have it (yet): its intake is still completing.
        case unknown
    }

    private struct Entry {
        let due: WallClock
        let sequence: UInt64
        let job: JobSummary
    }

    /// Jobs that may run once due (each the oldest of its ordering group, or without a group).
    private var heap = Heap<Entry> { ($0.due, $0.sequence) < ($1.due, $1.sequence) }
    /// Later jobs of an ordering group, waiting for the one before them to finish.
    private var waiting: [UInt64: [JobSummary]] = [:]
    /// Groups whose head job is in the heap or running.
    private var busyGroups: Set<UInt64> = []
    /// Jobs held back because their action is at its concurrency limit.
    private var heldByAction: [String: [Entry]] = [:]
    private var runningByAction: [String: Int] = [:]
    /// The jobs being attempted now (at most the global concurrency).
    private var runningIDs: Set<TimeOrderedID> = []
    /// Jobs an operator dropped while they were being attempted: their attempt ends as `finish`.
    private var droppedWhileRunning: Set<TimeOrderedID> = []
    private var sequence: UInt64 = 0

    private(set) var count = 0
    private(set) var running = 0
    var stopping = false
    var deadlinePassed = false

    /// The earliest due time among jobs that may run.
    var nextDue: WallClock? { heap.min?.due }

    /// The group a job is ordered in: only jobs not yet attempted in this series are.
    private func group(of job: JobSummary) -> UInt64? {
        job.attempts == 0 ? job.orderingGroup : nil
    }

    mutating func add(_ job: JobSummary) {
        count += 1
        if let group = group(of: job) {
            if busyGroups.contains(group) {
                waiting[group, default: []].append(job)
                return
            }
            busyGroups.insert(group)
        }
        push(job)
    }

    /// Takes due jobs within the limits and marks them running.
    mutating func takeReady(now: WallClock, limits: Scheduler.Limits) -> [JobSummary] {
        guard !stopping else { return [] }
        var ready: [JobSummary] = []
        while running < limits.global, let entry = heap.min, entry.due <= now {
            heap.popMin()
            let action = entry.job.action
            if let limit = limits.perAction[action], runningByAction[action, default: 0] >= limit {
                heldByAction[action, default: []].append(entry)
                continue
            }
            running += 1
            runningByAction[action, default: 0] += 1
            runningIDs.insert(entry.job.id)
            ready.append(entry.job)
        }
        return ready
    }

    /// The job will not run again (delivered, dead, or gone): its group's next job may run.
    mutating func finish(_ job: JobSummary) {
        endAttempt(job)
        count -= 1
        advance(group(of: job))
    }

    /// The job runs again at `job.notBefore` (its attempts counted); after its first attempt it
    /// leaves its ordering group, whose next job may run now.
    mutating func reschedule(_ job: JobSummary) {
        if droppedWhileRunning.contains(job.id) {
            var unattempted = job
            unattempted.attempts = 0
            finish(job.attempts == 1 ? unattempted : job)
            return
        }
        endAttempt(job)
        if job.attempts == 1 { advance(job.orderingGroup) }
        push(job)
    }

    /// What the job is waiting for.
    func wait(of job: JobSummary) -> Wait {
        if runningIDs.contains(job.id) { return .running }
        if let group = group(of: job), let queue = waiting[group],
            let position = queue.firstIndex(where: { $0.id == job.id })
        {
            return .earlierJobs(ahead: position + 1)
        }
        if heldByAction[job.action]?.contains(where: { $0.job.id == job.id }) == true { return .actionConcurrency }
        if heap.contains(where: { $0.job.id == job.id }) { return .dueTime }
        return .unknown
    }

    private mutating func endAttempt(_ job: JobSummary) {
        runningIDs.remove(job.id)
        if droppedWhileRunning.remove(job.id) != nil {
            // `drop` already counted the job out and moved its group on.
            count += 1
        }
        running -= 1
        runningByAction[job.action, default: 1] -= 1
        if var held = heldByAction[job.action], !held.isEmpty {
            heap.insert(held.removeFirst())
            heldByAction[job.action] = held.isEmpty ? nil : held
        }
    }

    // MARK: Operator actions (`herald queue retry|drop`, `herald dead retry`)

    /// Whether an attempt of the job is under way.
    func isRunning(_ id: TimeOrderedID) -> Bool { runningIDs.contains(id) }

    /// Forgets a queued job so that it never runs (again). A running attempt is left to finish,
    /// but is not retried. Returns false when the job was running.
    @discardableResult
    mutating func drop(_ job: JobSummary) -> Bool {
        if runningIDs.contains(job.id) {
            // Counted out now; `endAttempt` puts the count back before `finish` takes it away.
            droppedWhileRunning.insert(job.id)
            count -= 1
            return false
        }
        if let group = group(of: job), var queue = waiting[group],
            let position = queue.firstIndex(where: { $0.id == job.id })
        {
            // Not its group's head: taking it out of the line is all.
            queue.remove(at: position)
            waiting[group] = queue.isEmpty ? nil : queue
            count -= 1
            return true
        }
        if var held = heldByAction[job.action], let position = held.firstIndex(where: { $0.job.id == job.id }) {
            held.remove(at: position)
            heldByAction[job.action] = held.isEmpty ? nil : held
        } else {
            heap.remove { $0.job.id == job.id }
        }
        count -= 1
        advance(group(of: job))
        return true
    }

    /// Makes a queued job due at `job.notBefore` (an operator's "run now"). A job waiting behind
    /// an earlier job of its group still waits for it. Returns false when the job is running.
    mutating func expedite(_ job: JobSummary) -> Bool {
        guard !runningIDs.contains(job.id) else { return false }
        if let group = group(of: job), var queue = waiting[group],
            let position = queue.firstIndex(where: { $0.id == job.id })
        {
            queue[position].notBefore = job.notBefore
            waiting[group] = queue
            return true
        }
        if var held = heldByAction[job.action], let position = held.firstIndex(where: { $0.job.id == job.id }) {
            sequence += 1
            held[position] = Entry(due: job.notBefore, sequence: sequence, job: job)
            heldByAction[job.action] = held
            return true
        }
        // Not in the heap: the job is not the scheduler's yet (its intake is completing); the
        // spool's new time applies when it is added.
        if heap.remove(where: { $0.job.id == job.id }) != nil { push(job) }
        return true
    }

    private mutating func advance(_ group: UInt64?) {
        guard let group else { return }
        if var queue = waiting[group], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[group] = queue.isEmpty ? nil : queue
            push(next)
        } else {
            busyGroups.remove(group)
        }
    }

    private mutating func push(_ job: JobSummary) {
        sequence += 1
        heap.insert(Entry(due: job.notBefore, sequence: sequence, job: job))
    }
}
