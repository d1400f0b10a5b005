import HeraldCore
import Synchronization

/// Decides whether an event (or a route's dedupe key) was already taken, so that Kratos'
/// retries and route-level `dedupe:` never plan the same jobs twice (design §7).
///
/// Keys whose jobs are stored live in the spool (they survive restarts; `isStored` asks it).
/// This index holds the keys of requests whose jobs are being stored right now: a key is
/// *claimed* first, then *committed* when its jobs are durable or *released* when they cannot
/// be stored — so a retry of a request that got 503 is never mistaken for a duplicate, and a
/// retry arriving meanwhile waits for the first request's outcome.
final class DedupeIndex: Sendable {
    enum Claim: Equatable {
        /// The key is new: go on, then `commit` or `release` it.
        case claimed
        /// Taken within its window.
        case duplicate
        /// Another request holds it; `onSettled` is called with true (stored: a duplicate) or false
        /// (released: the caller should fail too, so that Kratos retries).
        case pending
    }

    private let isStored: @Sendable (String, WallClock) -> Bool
    /// Claimed keys and the callbacks of requests waiting on them.
    private let inFlight = Mutex<[String: [@Sendable (Bool) -> Void]]>([:])

    init(isStored: @escaping @Sendable (String, WallClock) -> Bool) {
        self.isStored = isStored
    }

    /// Keys being stored right now.
    var inFlightCount: Int { inFlight.withLock { $0.count } }

    /// Whether the jobs of `key` are stored (a retry of a request that got its 202), asked
    /// without claiming: the ingress answers such a retry before it parses the body. A key that
    /// is not stored yet, or is being stored, goes through `claim`.
    func isStored(_ key: String, now: WallClock) -> Bool {
        isStored(key, now)
    }

    func claim(_ key: String, now: WallClock, onSettled: @escaping @Sendable (Bool) -> Void = { _ in }) -> Claim {
        inFlight.withLock { claims in
            if claims[key] != nil {
                claims[key, default: []].append(onSettled)
                return .pending
            }
            // Asked under the lock: a key committed by another request cannot slip in between.
            if isStored(key, now) { return .duplicate }
            claims[key] = []
            return .claimed
        }
    }

    /// The jobs of these claims are durable (and the spool has the keys).
    func commit(_ keys: [String]) {
        settle(keys, stored: true)
    }

    /// The jobs of these claims could not be stored: forget them.
    func release(_ keys: [String]) {
        settle(keys, stored: false)
    }

    private func settle(_ keys: [String], stored: Bool) {
        guard !keys.isEmpty else { return }
        let callbacks = inFlight.withLock { claims in keys.flatMap { claims.removeValue(forKey: $0) ?? [] } }
        for callback in callbacks { callback(stored) }
    }
}
