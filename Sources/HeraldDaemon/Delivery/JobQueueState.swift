import HeraldCore

/// The scheduler's bookkeeping: jobs waiting per ordering key, the due-time heap of jobs that
/// may run, running counts per action, dead letters. Mutated only under the scheduler's lock.
struct JobQueueState {
    /// At most this many jobs wait in memory; beyond it the intake refuses (503) rather than
    /// growing without bound.
    static let capacity = 100_000
    /// At most this many dead letters are kept in memory (the oldest go first).
    static let deadLetterCapacity = 10_000

    private struct Entry {
        let due: WallClock
        let sequence: UInt64
        let job: Job
    }

    /// Jobs that may run once due (each the oldest of its ordering key, or without a key).
    private var heap = Heap<Entry> { ($0.due, $0.sequence) < ($1.due, $1.sequence) }
    /// Later jobs of an ordering key, waiting for the one before them to finish.
    private var waiting: [String: [Job]] = [:]
    /// Keys whose head job is in the heap or running.
    private var busyKeys: Set<String> = []
    /// Jobs held back because their action is at its concurrency limit.
    private var heldByAction: [String: [Entry]] = [:]
    private var runningByAction: [String: Int] = [:]
    private var sequence: UInt64 = 0

    private(set) var count = 0
    private(set) var running = 0
    private(set) var dead: [DeadLetter] = []
    var stopping = false
    var deadlinePassed = false

    /// The earliest due time among jobs that may run.
    var nextDue: WallClock? { heap.min?.due }

    mutating func add(_ job: Job) {
        count += 1
        if let key = orderingKey(of: job) {
            if busyKeys.contains(key) {
                waiting[key, default: []].append(job)
                return
            }
            busyKeys.insert(key)
        }
        push(job)
    }

    /// Takes due jobs within the limits and marks them running.
    mutating func takeReady(now: WallClock, limits: Scheduler.Limits) -> [Job] {
        guard !stopping else { return [] }
        var ready: [Job] = []
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

    /// The job is done (delivered): its key's next job may run.
    mutating func complete(_ job: Job) {
        endAttempt(job)
        count -= 1
        advance(orderingKey(of: job))
    }

    /// The job will not run again.
    mutating func kill(_ job: Job, reason: String, at time: WallClock) {
        endAttempt(job)
        count -= 1
        dead.append(DeadLetter(job: job, reason: reason, diedAt: time))
        if dead.count > JobQueueState.deadLetterCapacity { dead.removeFirst(dead.count - JobQueueState.deadLetterCapacity) }
        advance(orderingKey(of: job))
    }

    /// The job runs again at `job.notBefore`; its key stays busy so later jobs keep waiting.
    mutating func reschedule(_ job: Job) {
        endAttempt(job)
        push(job)
    }

    private mutating func endAttempt(_ job: Job) {
        running -= 1
        runningByAction[job.action, default: 1] -= 1
        if var held = heldByAction[job.action], !held.isEmpty {
            heap.insert(held.removeFirst())
            heldByAction[job.action] = held.isEmpty ? nil : held
        }
    }

    private mutating func advance(_ key: String?) {
        guard let key else { return }
        if var queue = waiting[key], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[key] = queue.isEmpty ? nil : queue
            push(next)
        } else {
            busyKeys.remove(key)
        }
    }

    private mutating func push(_ job: Job) {
        sequence += 1
        heap.insert(Entry(due: job.notBefore, sequence: sequence, job: job))
    }

    /// Order is kept per action and recipient: a webhook to another system does not wait for a mail.
    private func orderingKey(of job: Job) -> String? {
        job.orderingKey.map { "\(job.action)\u{0}\($0)" }
    }
}
