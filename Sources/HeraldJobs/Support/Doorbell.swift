import Synchronization

/// Wakes one waiting task: `ring()` from anywhere, `wait(upTo:)` in the loop that reacts.
/// A ring while nobody waits is remembered, so no wake-up is lost.
///
/// The timer of a wait outlives it: a loop that is rung before its timeout (the ingress rings
/// once per group commit) usually waits next for the same moment, and keeps the timer it has
/// instead of starting a task and a dispatch timer and cancelling them again each time (15 % of
/// herald's CPU under ingress load with a `delay:` route, `perf`, 2026-12-06). A kept timer
/// never rings more than a millisecond later than the moment asked for; it may ring earlier, by
/// at most half of the wait, and the loop then simply waits again.
package final class Doorbell: Sendable {
    private struct Timer {
        let deadline: ContinuousClock.Instant
        let task: Task<Void, Never>
    }

    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
        var timer: Timer?
        var timersStarted = 0
        var ringsSkipped = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// Timers started so far (each a task and a dispatch timer): what keeping them saves.
    package var timersStarted: Int { state.withLock { $0.timersStarted } }

    deinit {
        state.withLock { $0.timer?.task.cancel() }
    }

    package func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Rings unless the loop is waiting with a timer that rings no later than `dueIn` from now:
    /// new work due then (a `delay:` route's jobs) needs no earlier look. The spool rings this way
    /// after each group commit, which otherwise woke the executor for nothing each time.
    package func ring(dueIn: Duration) {
        let now = ContinuousClock.now
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                if let timer = state.timer, timer.deadline <= now + dueIn {
                    state.ringsSkipped += 1
                    return nil
                }
                state.waiter = nil
                return waiter
            }
            state.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Rings that `ring(dueIn:)` found unneeded.
    package var ringsSkipped: Int { state.withLock { $0.ringsSkipped } }

    /// Whether a loop waits now.
    package var hasWaiter: Bool { state.withLock { $0.waiter != nil } }

    /// Returns after a ring, or after `timeout` when given.
    package func wait(upTo timeout: Duration?) async {
        arm(timeout)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.rung {
                    state.rung = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Makes sure a ring comes within `timeout`: keeps the timer armed when it rings no later
    /// than that and no earlier than half of it; otherwise replaces it (nil: no timer at all).
    private func arm(_ timeout: Duration?) {
        let now = ContinuousClock.now
        let replaced = state.withLock { state -> Task<Void, Never>? in
            guard let timeout else {
                defer { state.timer = nil }
                return state.timer?.task
            }
            let deadline = now + timeout
            // A millisecond of slack: a loop waiting for the same due job computes its timeout from
            // a slightly later `now` each time.
            if let timer = state.timer, timer.deadline <= deadline + .milliseconds(1),
                timer.deadline >= now + timeout / 2
            {
                return nil
            }
            let previous = state.timer?.task
            let task = Task { [weak self] in
                try? await Task.sleep(until: deadline, clock: .continuous)
                if !Task.isCancelled { self?.timerRang(deadline) }
            }
            state.timer = Timer(deadline: deadline, task: task)
            state.timersStarted += 1
            return previous
        }
        replaced?.cancel()
    }

    private func timerRang(_ deadline: ContinuousClock.Instant) {
        state.withLock { state in
            if state.timer?.deadline == deadline { state.timer = nil }
        }
        ring()
    }
}
