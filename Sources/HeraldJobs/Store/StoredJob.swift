import HeraldCore

/// Queued jobs (with those running) or dead letters: the two sections operators see.
package enum JobSection: String, Sendable {
    case queue
    case dead
}

/// A job as operators see it: its state, its attempts, why it died, what it waits for.
package struct StoredJob: Sendable {
    package var id: TimeOrderedID
    package var state: JobState
    /// The job with its payload; nil when its record cannot be read.
    package var job: Job?
    /// Attempts so far (in the current series).
    package var attempts: Int
    /// For a dead letter: when and why it died.
    package var death: DeadLetter?
    /// What a queued job waits for, as the process performing it knows; nil when no such
    /// process tells (the local spool, opened by the CLI while no daemon runs).
    package var wait: JobWait?

    package init(
        id: TimeOrderedID, state: JobState, job: Job?, attempts: Int, death: DeadLetter? = nil, wait: JobWait? = nil
    ) {
        self.id = id
        self.state = state
        self.job = job
        self.attempts = attempts
        self.death = death
        self.wait = wait
    }

    /// The section it is listed in.
    package var section: JobSection { state == .dead ? .dead : .queue }
}

/// When and why a job became a dead letter.
package struct DeadLetter: Sendable, Equatable {
    package var diedAt: WallClock
    package var reason: String
    /// The peer's last answer, when there was one.
    package var lastAnswer: String?

    package init(diedAt: WallClock, reason: String, lastAnswer: String?) {
        self.diedAt = diedAt
        self.reason = reason
        self.lastAnswer = lastAnswer
    }
}

/// A page of a listing.
package struct JobPage: Sendable {
    /// How many jobs the filter matches in all.
    package var total: Int
    /// The first of them, oldest first.
    package var items: [StoredJob]

    package init(total: Int, items: [StoredJob]) {
        self.total = total
        self.items = items
    }
}

/// What a queued job is waiting for, for `herald queue list|show`.
package enum JobWait: Equatable, Sendable {
    /// An attempt is under way.
    case running
    /// Its due time (or next attempt time).
    case dueTime
    /// The first attempts of `ahead` earlier jobs of its group (same action and recipient).
    case earlierJobs(ahead: Int)
    /// A free slot of its action's `concurrency`.
    case actionConcurrency
    /// Not scheduled (yet): no daemon runs it, or its intake is still completing.
    case unknown
}
