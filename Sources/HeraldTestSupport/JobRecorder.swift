import HeraldCore
import Synchronization

/// What `RecordingAction`s performed, and the outcomes they are to answer. Thread-safe.
package final class JobRecorder: Sendable {
    /// One call of `perform`.
    package struct Attempt: Sendable {
        package var job: Job
        package var attempt: Int
        package var outcome: Outcome
    }

    private struct State {
        var script: [Outcome]
        var attempts: [Attempt] = []
    }

    private let state: Mutex<State>

    /// - Parameter outcomes: answered in order; `.delivered(detail: "recorded")` after them.
    package init(outcomes: [Outcome] = []) {
        state = Mutex(State(script: outcomes))
    }

    /// Appends outcomes to the script.
    package func script(_ outcomes: Outcome...) {
        state.withLock { $0.script += outcomes }
    }

    /// Every attempt, in order.
    package var attempts: [Attempt] { state.withLock { $0.attempts } }

    /// The jobs of every attempt, in order (a retried job appears once per attempt).
    package var jobs: [Job] { attempts.map(\.job) }

    /// Records an attempt and returns its scripted outcome.
    func record(_ job: Job, attempt: Int) -> Outcome {
        state.withLock { state in
            let outcome = state.script.isEmpty ? .delivered(detail: "recorded") : state.script.removeFirst()
            state.attempts.append(Attempt(job: job, attempt: attempt, outcome: outcome))
            return outcome
        }
    }
}
