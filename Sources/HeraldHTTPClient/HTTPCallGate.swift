import Synchronization

/// Lets at most `limit` calls of one client run at once; the others wait in order, and a waiter
/// whose task is cancelled leaves at once. The backstop for a peer's connection limit (Mailchimp:
/// 10 per account) for callers the scheduler does not bound.
///
/// Every call has one entry from `enter` to `leave` (or to its cancellation while waiting), so
/// the state is bounded by the callers in flight.
final class HTTPCallGate: Sendable {
    /// A place held by a call: give it back with `leave`.
    struct Ticket: Sendable {
        fileprivate let id: UInt64
    }

    private enum Phase {
        /// `enter` is on its way to the queue.
        case arriving
        /// Cancelled before it queued up: it leaves as soon as it gets there.
        case cancelledEarly
        case waiting(CheckedContinuation<Bool, Never>)
        case admitted
    }

    private struct State {
        var running = 0
        var queue: [UInt64] = []
        var phases: [UInt64: Phase] = [:]
        var nextID: UInt64 = 0
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Waits for a place; nil when the calling task was cancelled first (no place is held).
    func enter() async -> Ticket? {
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            state.phases[state.nextID] = .arriving
            return state.nextID
        }
        let admitted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now = state.withLock { state -> Bool? in
                    if case .cancelledEarly? = state.phases[id] {
                        state.phases[id] = nil
                        return false
                    }
                    guard state.running >= limit else {
                        state.running += 1
                        state.phases[id] = .admitted
                        return true
                    }
                    state.phases[id] = .waiting(continuation)
                    state.queue.append(id)
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                switch state.phases[id] {
                case .arriving?:
                    state.phases[id] = .cancelledEarly
                    return nil
                case .waiting(let continuation)?:
                    state.phases[id] = nil
                    state.queue.removeAll { $0 == id }
                    return continuation
                default:
                    // Admitted: the call's own cancellation ends it, and `leave` follows.
                    return nil
                }
            }
            waiter?.resume(returning: false)
        }
        return admitted ? Ticket(id: id) : nil
    }

    /// Gives the place to the first waiter, or frees it.
    func leave(_ ticket: Ticket) {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.phases[ticket.id] = nil
            while !state.queue.isEmpty {
                let first = state.queue.removeFirst()
                if case .waiting(let continuation)? = state.phases[first] {
                    state.phases[first] = .admitted
                    return continuation
                }
            }
            state.running -= 1
            return nil
        }
        next?.resume(returning: true)
    }
}
