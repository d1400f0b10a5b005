import HeraldCore
import Synchronization

/// Remembers which events (and which route keys) were already taken, so that Kratos' retries
/// and route-level `dedupe:` never plan the same jobs twice (design §7).
///
/// A key is first *claimed* while its jobs are being stored; it is *committed* once they are
/// durable, or *released* when they cannot be stored — so a retry of a request that got 503 is
/// never mistaken for a duplicate. A request whose key is still pending waits for the outcome of
/// the first one. Keys are kept as 128-bit digests, at most `capacity` of them (the oldest go
/// first), each until its window ends.
final class DedupeIndex: Sendable {
    enum Claim: Equatable {
        /// The key is new: go on, then `commit` or `release` it.
        case claimed
        /// Taken within the window.
        case duplicate
        /// Another request holds it; `onSettled` is called with true (stored: a duplicate) or false
        /// (released: the caller should fail too, so that Kratos retries).
        case pending
    }

    struct Digest: Hashable, Sendable {
        let high: UInt64
        let low: UInt64

        init(_ key: String) {
            let bytes = SHA256.hash(key.utf8)
            var high: UInt64 = 0
            var low: UInt64 = 0
            for index in 0..<8 {
                high = high << 8 | UInt64(bytes[index])
                low = low << 8 | UInt64(bytes[index + 8])
            }
            self.high = high
            self.low = low
        }
    }

    private struct Entry {
        var expires: WallClock
        /// Nil once committed; the callbacks of requests waiting while pending.
        var waiters: [@Sendable (Bool) -> Void]?
    }

    private struct State {
        var entries: [Digest: Entry] = [:]
        /// Insertion order, for expiry and the capacity bound.
        var order: [(Digest, WallClock)] = []
        var orderStart = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int = 1_000_000) {
        self.capacity = capacity
    }

    var count: Int { state.withLock { $0.entries.count } }

    func claim(
        _ key: String, window: Duration, now: WallClock, onSettled: @escaping @Sendable (Bool) -> Void = { _ in }
    ) -> Claim {
        let digest = Digest(key)
        return state.withLock { state in
            prune(&state, now: now)
            if var entry = state.entries[digest], entry.expires > now {
                guard var waiters = entry.waiters else { return .duplicate }
                waiters.append(onSettled)
                entry.waiters = waiters
                state.entries[digest] = entry
                return .pending
            }
            let expires = now.adding(window)
            state.entries[digest] = Entry(expires: expires, waiters: [])
            state.order.append((digest, expires))
            return .claimed
        }
    }

    /// The jobs of these claims are durable: they count as seen until their windows end.
    func commit(_ keys: [String]) {
        settle(keys, stored: true)
    }

    /// The jobs of these claims could not be stored: forget them.
    func release(_ keys: [String]) {
        settle(keys, stored: false)
    }

    /// Adds a key known from before a restart.
    func restore(_ key: String, expires: WallClock, now: WallClock) {
        guard expires > now else { return }
        let digest = Digest(key)
        state.withLock { state in
            state.entries[digest] = Entry(expires: expires, waiters: nil)
            state.order.append((digest, expires))
        }
    }

    private func settle(_ keys: [String], stored: Bool) {
        guard !keys.isEmpty else { return }
        var callbacks: [@Sendable (Bool) -> Void] = []
        state.withLock { state in
            for key in keys {
                let digest = Digest(key)
                guard var entry = state.entries[digest], let waiters = entry.waiters else { continue }
                callbacks += waiters
                if stored {
                    entry.waiters = nil
                    state.entries[digest] = entry
                } else {
                    state.entries[digest] = nil
                }
            }
        }
        for callback in callbacks { callback(stored) }
    }

    /// Drops expired entries from the front of the insertion order, and the oldest beyond capacity.
    private func prune(_ state: inout State, now: WallClock) {
        while state.orderStart < state.order.count {
            let (digest, expires) = state.order[state.orderStart]
            let overCapacity = state.entries.count >= capacity
            guard expires <= now || overCapacity else { break }
            state.orderStart += 1
            guard let entry = state.entries[digest], entry.expires == expires || overCapacity else { continue }
            if entry.waiters == nil {
                state.entries[digest] = nil
            } else {
                state.order.append((digest, entry.expires))  // Still pending: look again later.
                if !overCapacity { break }
            }
        }
        if state.orderStart > 4096, state.orderStart * 2 > state.order.count {
            state.order.removeFirst(state.orderStart)
            state.orderStart = 0
        }
    }
}
