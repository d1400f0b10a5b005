import HeraldCore

/// A job an executor took from a store for one attempt. Its outcome is recorded only with this
/// claim (`JobStore.finish`), and only while the claim still holds: the store refuses it once
/// the job was dropped, or (PostgreSQL) once its lease passed to another instance.
package struct JobClaim: Sendable {
    package let id: TimeOrderedID
    package let action: String
    /// Attempts made before this one in the current series (a revived dead letter starts a new
    /// series, keeping its attempt count for ordering only where the store says so).
    package let attempts: Int
    /// When the current series of attempts began; nil: when the job was due (`Job.dueAt`).
    /// `max_age` counts from here.
    package let seriesStart: WallClock?
    /// The previous attempt may have reached the peer: it ended ambiguously, or its process
    /// died (or lost its lease) while it ran. The plugin may ask the peer first.
    package let previousAttemptMayHaveSent: Bool
    /// What proves the claim is still this executor's: PostgreSQL's lease token; 0 for a store
    /// only one process uses.
    package let fence: UInt64
    /// The job, when the store read it with the claim; nil: `JobStore.load` reads it.
    package var job: Job?

    package init(
        id: TimeOrderedID, action: String, attempts: Int, seriesStart: WallClock?,
        previousAttemptMayHaveSent: Bool, fence: UInt64 = 0, job: Job? = nil
    ) {
        self.id = id
        self.action = action
        self.attempts = attempts
        self.seriesStart = seriesStart
        self.previousAttemptMayHaveSent = previousAttemptMayHaveSent
        self.fence = fence
        self.job = job
    }
}

/// How many jobs an executor can take now: its free slots in all and per limited action, and
/// the actions it can perform.
package struct ClaimRequest: Sendable, Equatable {
    /// Free slots in all.
    package var count: Int
    /// Free slots of each action that has a `concurrency` of its own; an action not named here
    /// is limited only by `count`.
    package var perAction: [String: Int]
    /// The actions of the executor's configuration. A store shared by instances claims only
    /// these (another instance may run a newer configuration); a store of one process claims
    /// every job, and a job whose action is gone fails with a reason an operator can see.
    package var actions: Set<String>

    package init(count: Int, perAction: [String: Int] = [:], actions: Set<String>) {
        self.count = count
        self.perAction = perAction
        self.actions = actions
    }

    /// The actions limited only by `count`.
    package var unlimitedActions: [String] { actions.filter { perAction[$0] == nil }.sorted() }
}
