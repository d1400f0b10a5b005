import HeraldJobs
import Synchronization

/// Verdicts waiting to be recorded: `PostgresStore.finish` adds one and waits; one flusher at a
/// time takes all that wait and records them in one transaction (`PostgresJobTable.record`), so
/// that many attempts share a commit (issue 18, item 10).
final class VerdictBatch: Sendable {
    struct Waiting: Sendable {
        let verdict: PostgresJobTable.Verdict
        let continuation: CheckedContinuation<Result<FinishResult, PostgresError>, Never>
    }

    /// Most verdicts in one transaction.
    static let maxBatch = 512

    private struct State {
        var waiting: [Waiting] = []
        var flushing = false
    }

    private let state = Mutex(State())

    /// Adds a verdict; true when no flusher runs and the caller must start one.
    func add(_ waiting: Waiting) -> Bool {
        state.withLock { state in
            state.waiting.append(waiting)
            defer { state.flushing = true }
            return !state.flushing
        }
    }

    /// The next batch for the flusher; nil when none waits (the flusher then ends, and the next
    /// `add` starts another).
    func next() -> [Waiting]? {
        state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.flushing = false
                return nil
            }
            let batch = Array(state.waiting.prefix(Self.maxBatch))
            state.waiting.removeFirst(batch.count)
            return batch
        }
    }
}
