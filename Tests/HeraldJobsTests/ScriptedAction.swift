import HeraldCore
import Synchronization

/// An action that answers with scripted outcomes (`.delivered` once the script is used up),
/// records what each attempt was told, and can hold attempts until the test lets them go.
final class ScriptedAction: Action, Sendable {
    /// One call of `perform`.
    struct Call: Sendable {
        var id: TimeOrderedID
        var attempt: Int
        var previousAttemptMayHaveSent: Bool
        /// The attempt's span, as the context names it and as the HTTP client would send it.
        var trace: TraceContext? = nil
        var outbound: TraceContext? = nil
    }

    private struct State {
        var script: [Outcome]
        var calls: [Call] = []
        var held = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        /// Releases given before an attempt was held (`releaseOne`).
        var passes = 0
        var running = 0
        var mostRunning = 0
    }

    let name: String
    let kind = "scripted"
    var summary: String { "scripted outcomes" }
    private let state: Mutex<State>

    init(name: String = "mail", outcomes: [Outcome] = [], held: Bool = false) {
        self.name = name
        state = Mutex(State(script: outcomes, held: held))
    }

    var calls: [Call] { state.withLock { $0.calls } }
    /// The most attempts that ran at once.
    var mostRunning: Int { state.withLock { $0.mostRunning } }

    /// Lets every held attempt finish, and the later ones run through.
    func release() {
        let waiting = state.withLock { state in
            state.held = false
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Lets the longest-held attempt finish (or the next one, if none is held yet); the others
    /// stay held.
    func releaseOne() {
        let first = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.passes += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        first?.resume()
    }

    func compileStep(_ step: StepDefinition) -> (any ActionStep)? { nil }

    func perform(_ job: Job, context: DeliveryContext) async -> Outcome {
        let outcome = state.withLock { state in
            state.calls.append(
                Call(
                    id: job.id, attempt: context.attempt,
                    previousAttemptMayHaveSent: context.previousAttemptMayHaveSent,
                    trace: context.trace, outbound: OutboundTrace.current))
            state.running += 1
            state.mostRunning = max(state.mostRunning, state.running)
            return state.script.isEmpty ? Outcome.delivered(detail: "ok") : state.script.removeFirst()
        }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                guard state.held else { return true }
                if state.passes > 0 {
                    state.passes -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
        state.withLock { $0.running -= 1 }
        return outcome
    }
}
