/// Where a stored job is in its life, and the only ways it moves on. Both stores keep a job in
/// one of these states and change it only through `after(_:)`: the local spool in its index,
/// PostgreSQL in its `state` column (`rawName`), with updates fenced by the lease's token whose
/// `WHERE` names the state `after(_:)` starts from.
///
/// ```text
///            claim              deliver / drop
///   queued ─────────▶ running ─────────────────▶ done
///     ▲ │ expedite      │ retry ▲ release        ▲
///     │ └───────────────┘       │ (restart,      │ drop
///     │                         │  lease lost)   │
///     └──── revive ───── dead ◀─┘ fail ──────────┘
/// ```
package enum JobState: UInt8, Sendable, CustomStringConvertible {
    /// Waiting for its time, for earlier jobs of its ordering group, or for a free slot.
    case queued
    /// Claimed: an attempt is under way (with PostgreSQL, under a lease the claimer renews).
    case running
    /// A dead letter: it failed for good, or ran out of `max_age`; only an operator moves it.
    case dead
    /// Delivered or dropped: nothing more happens to it, and the store forgets it.
    case done

    package var description: String { rawName }

    /// The state's name, as PostgreSQL's `state` column and `herald queue|dead` spell it.
    package var rawName: String {
        switch self {
        case .queued: "queued"
        case .running: "running"
        case .dead: "dead"
        case .done: "done"
        }
    }

    /// The state named `rawName`.
    package init?(rawName: String) {
        switch rawName {
        case "queued": self = .queued
        case "running": self = .running
        case "dead": self = .dead
        case "done": self = .done
        default: return nil
        }
    }

    /// The state after `transition`, or nil when the job cannot take it from this state (an
    /// outcome reported for a job an operator dropped meanwhile, a retry of a running job).
    package func after(_ transition: JobTransition) -> JobState? {
        switch (self, transition) {
        case (.queued, .claim): .running
        case (.queued, .expedite): .queued
        case (.running, .deliver): .done
        case (.running, .retry), (.running, .release): .queued
        case (.running, .fail): .dead
        case (.dead, .revive): .queued
        case (.queued, .drop), (.running, .drop), (.dead, .drop): .done
        default: nil
        }
    }
}

/// What can happen to a stored job.
package enum JobTransition: Sendable {
    /// An executor takes a due job for an attempt.
    case claim
    /// The attempt delivered.
    case deliver
    /// The attempt did not deliver; the job runs again later.
    case retry
    /// The attempt failed for good, or the retries ran out: the job becomes a dead letter.
    case fail
    /// The attempt ended without an outcome (the process stopped, the lease ran out).
    case release
    /// An operator runs a queued job now.
    case expedite
    /// An operator puts a dead letter back in the queue, as a new series of attempts.
    case revive
    /// An operator removes the job for good. A running attempt finishes, and its outcome is not
    /// recorded.
    case drop
}
