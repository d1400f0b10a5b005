import HeraldCore
import HeraldSpool

/// The scheduler's bookkeeping over the spool's job summaries: jobs waiting per ordering group,
/// the due-time heap of jobs that may run, running counts per action. Payloads stay on disk.
/// Mutated only under the scheduler's lock.
struct JobQueueState {
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
    private var sequence: UInt64 = 0

    private(set) var count = 0
    private(set) var running = 0
    var stopping = false
    var deadlinePassed = false

    /// The earliest due time among jobs that may run.
    var nextDue: WallClock? { heap.min?.due }

    mutating func add(_ job: JobSummary) {
        count += 1
        if let group = job.orderingGroup {
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
            ready.append(entry.job)
        }
        return ready
    }

    /// The job will not run again (delivered, dead, or gone): its group's next job may run.
    mutating func finish(_ job: JobSummary) {
        endAttempt(job)
        count -= 1
        advance(job.orderingGroup)
    }

    /// The job runs again at `job.notBefore`; its group stays busy so later jobs keep waiting.
    mutating func reschedule(_ job: JobSummary) {
        endAttempt(job)
        push(job)
    }

    private mutating func endAttempt(_ job: JobSummary) {
        running -= 1
        runningByAction[job.action, default: 1] -= 1
        if var held = heldByAction[job.action], !held.isEmpty {
            heap.insert(held.removeFirst())
            heldByAction[job.action] = held.isEmpty ? nil : held
        }
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
