import Dispatch
import Glibc
import Synchronization

/// The child processes Herald waits for itself, so that a reaper collects every other child
/// without taking an exit status its owner is waiting for.
///
/// Children belong to the process, not to a module: a `waitpid(-1)` reaps whichever child ended
/// first, even one that another thread is about to `waitpid` for, and that thread then sees
/// `ECHILD` instead of the exit status. Herald starts children in one place (the exec plugin's
/// runner) and, as PID 1 in a container, must also collect the orphans the kernel hands to it
/// (`ChildReaper`). Both go through this registry, process-wide for that reason:
///
/// - an owner starts a child inside `spawn(_:)`, which registers the pid before any reaper can
///   look at the child, waits for it with `waitpid(pid)` as it always did, then `release`s it;
/// - a reaper reaps only through `reapUnlessOwned(_:)`, which leaves registered children alone.
///
/// Every child Herald starts must be started through `spawn(_:)`.
package final class ChildProcesses: Sendable {
    /// The registry of this process (there is one set of children per process).
    package static let shared = ChildProcesses()

    private struct State {
        var owned: Set<pid_t> = []
        /// The reaper waits for a change (a registered child released, a new child started).
        var reaperWaits = false
    }

    private let state = Mutex(State())
    private let changed = DispatchSemaphore(value: 0)

    package init() {}

    /// Runs `start`, which starts one child and returns its pid (nil when it could not), with the
    /// registry locked, and registers the pid: no reaper can reap the child before its owner.
    /// Keep `start` short (a `posix_spawn`): reaping waits meanwhile.
    package func spawn(_ start: () -> pid_t?) -> pid_t? {
        state.withLock { state in
            guard let pid = start() else { return nil }
            state.owned.insert(pid)
            wakeReaper(&state)
            return pid
        }
    }

    /// Called by a child's owner once it has reaped the child.
    package func release(_ pid: pid_t) {
        state.withLock { state in
            state.owned.remove(pid)
            wakeReaper(&state)
        }
    }

    /// True when `pid` was started through `spawn(_:)` and not released yet.
    package func owns(_ pid: pid_t) -> Bool {
        state.withLock { $0.owned.contains(pid) }
    }

    /// What `reapUnlessOwned` did.
    package enum Reaping: Equatable, Sendable {
        /// The child was not registered; it is reaped now (or was not waitable: not ours, or
        /// still running).
        case reaped
        /// A registered child: left to its owner. Call `waitForChange` before looking again,
        /// or the same child is found again and again until its owner reaps it.
        case owned
    }

    /// Reaps `pid` (which a reaper saw exit) unless an owner registered it.
    package func reapUnlessOwned(_ pid: pid_t) -> Reaping {
        state.withLock { state in
            if state.owned.contains(pid) {
                state.reaperWaits = true
                return .owned
            }
            var status: Int32 = 0
            while waitpid(pid, &status, WNOHANG) < 0 && errno == EINTR {}
            return .reaped
        }
    }

    /// The reaper waits here until a child is started or released, or `timeout` passes.
    package func waitForChange(timeout: Duration) {
        state.withLock { $0.reaperWaits = true }
        _ = changed.wait(timeout: .now() + .nanoseconds(Int(min(timeout.saturatingNanoseconds, UInt64(Int.max)))))
    }

    /// Signals at most once per wait, so the semaphore's count stays bounded however many
    /// children start while no reaper runs.
    private func wakeReaper(_ state: inout State) {
        guard state.reaperWaits else { return }
        state.reaperWaits = false
        changed.signal()
    }
}
