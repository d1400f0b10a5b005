import HeraldCore

/// What becomes of a job after an attempt: the one decision both stores record. Pure: made from
/// the plugin's outcome, the attempt's number, when the series started, the store's time and the
/// retry policy, and tested as such.
package enum AttemptVerdict: Sendable, Equatable {
    /// Done; the store forgets the job. `detail` is the plugin's log-safe note.
    case delivered(detail: String)
    /// Queued again until `at`. `mayHaveSent`: the attempt may have reached the peer, so the next
    /// one may ask it first (Mandrill's `messages/search`).
    case retry(at: WallClock, reason: String, mayHaveSent: Bool)
    /// A dead letter, for `death`.
    case dead(JobDeath)

    /// Decides the verdict of attempt number `attempt` (1 for the first of its series).
    /// - Parameters:
    ///   - seriesStart: when the series began: `max_age` counts from here.
    ///   - now: the store's time when the attempt ended.
    ///   - random: in -1…1, the jitter's draw (fixed in tests).
    package static func decide(
        _ outcome: Outcome, attempt: Int, seriesStart: WallClock, now: WallClock, policy: RetryPolicy,
        random: Double = Double.random(in: -1...1)
    ) -> AttemptVerdict {
        switch outcome {
        case .delivered(let detail):
            return .delivered(detail: detail)
        case .failed(let reason):
            return .dead(.failed(reason))
        case .retry(let after, let reason, let ambiguous):
            guard
                let next = policy.nextAttempt(
                    after: attempt, seriesStart: seriesStart, now: now, requested: after, random: random)
            else {
                return .dead(.expired(attempts: attempt, maxAge: policy.maxAge, last: reason))
            }
            return .retry(at: next, reason: reason, mayHaveSent: ambiguous)
        }
    }

    /// The state the job moves to (see `JobState`).
    package var transition: JobTransition {
        switch self {
        case .delivered: .deliver
        case .retry: .retry
        case .dead: .fail
        }
    }
}

/// Why a job became a dead letter.
package enum JobDeath: Sendable, Equatable, CustomStringConvertible {
    /// The plugin said it can never succeed as it is (its words).
    case failed(String)
    /// The retries ran out: the next attempt would have been later than `max_age` after the
    /// series started. `last` is the last attempt's reason.
    case expired(attempts: Int, maxAge: Duration, last: String)
    /// The store cannot read the job back.
    case unreadable(String)

    /// The reason a dead letter keeps (`herald dead show`).
    package var description: String {
        switch self {
        case .failed(let reason): reason
        case .expired(let attempts, let maxAge, let last):
            "gave up after \(attempts) attempts (max_age \(maxAge.compactDescription)); last: \(last)"
        case .unreadable(let why): "its record cannot be read: \(why)"
        }
    }

    /// The peer's last answer, kept beside the reason: what the plugin said.
    package var lastAnswer: String? {
        switch self {
        case .failed(let reason): reason
        case .expired(_, _, let last): last
        case .unreadable: nil
        }
    }
}
