import HeraldCore
import Synchronization

/// Whether this process can reach the database, as its watch connection (`DatabaseWatch`) sees
/// it: the watch notices a lost connection at once (the socket closes when PostgreSQL stops or
/// crashes) and connects again every `reconnectInterval` until it works. Readiness follows it,
/// and every other connection of the process starts over after an outage (`generation`), so
/// that the first event after the database returns never meets a dead connection.
final class DatabaseHealth: Sendable {
    /// How often the watch tries to connect while the database is away (item 7 of issue 18:
    /// back within a second of the database accepting connections).
    static let reconnectInterval: Duration = .milliseconds(200)

    private struct State {
        /// nil until the watch first connected or failed.
        var reachable: Bool?
        /// Counts the watch's successful connections: a connection made before the latest one
        /// may have died with the database.
        var generation: UInt64 = 0
        var problem: String?
        var listeners: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    /// True while the watch holds a working connection.
    var isReachable: Bool { state.withLock { $0.reachable == true } }

    /// False only once the watch found the database unreachable (not before it first tried).
    var isKnownDown: Bool { state.withLock { $0.reachable == false } }

    /// The watch's current connection's number.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Why the database cannot be reached (redacted), while it cannot.
    var problem: String? { state.withLock { $0.problem } }

    /// Calls `listener` each time the database becomes reachable.
    func onReachable(_ listener: @escaping @Sendable () -> Void) {
        state.withLock { $0.listeners.append(listener) }
    }

    /// The watch connected: returns whether the database was away before.
    @discardableResult
    func reached() -> Bool {
        let (was, listeners) = state.withLock { state in
            defer {
                state.reachable = true
                state.generation += 1
                state.problem = nil
            }
            return (state.reachable, state.listeners)
        }
        for listener in listeners { listener() }
        return was == false
    }

    /// The watch lost (or could not make) its connection: returns whether it was reachable before.
    @discardableResult
    func lost(_ problem: String) -> Bool {
        state.withLock { state in
            defer {
                state.reachable = false
                state.problem = problem
            }
            return state.reachable != false
        }
    }
}
