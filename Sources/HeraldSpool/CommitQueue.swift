import Dispatch
import Synchronization

/// Called once when an append is durable (fsync'd) or has failed; on the writer thread, so it
/// must be quick (hand the answer to another thread or queue).
package typealias SpoolCompletion = @Sendable (Result<Void, SpoolError>) -> Void

/// Something waiting for the writer thread.
struct PendingWrite: Sendable {
    enum Content: Sendable {
        case records([EncodedRecord])
        /// Records copied forward by compaction; checked against the index when written.
        case compaction(CompactionChunk)
        /// Closes the active segment once this batch is written, so that compaction may take it
        /// (`Spool.scrub`).
        case seal
    }

    var content: Content
    var bytes: Int
    var completion: SpoolCompletion?
}

/// The hand-over between appenders (any thread, never blocked) and the writer thread.
final class CommitQueue: Sendable {
    private struct State {
        var items: [PendingWrite] = []
        var bytes = 0
        var writerWaiting = false
        var closed = false
    }

    enum Take {
        case batch([PendingWrite])
        /// Nothing came within the timeout.
        case idle
        /// Closed and drained.
        case finished
    }

    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)

    /// Queues `item`; fails when closed, or when more than `limit` bytes wait already.
    func enqueue(_ item: PendingWrite, limit: Int) -> SpoolError? {
        let (error, wake) = state.withLock { state -> (SpoolError?, Bool) in
            if state.closed { return (.closed, false) }
            if state.bytes > 0 && state.bytes + item.bytes > limit {
                return (.overloaded(queuedBytes: state.bytes), false)
            }
            state.items.append(item)
            state.bytes += item.bytes
            defer { state.writerWaiting = false }
            return (nil, state.writerWaiting)
        }
        if wake { wakeup.signal() }
        return error
    }

    /// Stops taking items; the writer drains what is queued and finishes.
    func close() {
        let wake = state.withLock { state in
            state.closed = true
            defer { state.writerWaiting = false }
            return state.writerWaiting
        }
        if wake { wakeup.signal() }
    }

    /// Waits for items (up to `timeout`, or forever when nil) and takes the next batch: items in
    /// order up to `maxBytes` (at least one); a compaction chunk only as the first item, so that
    /// it is checked against an index that reflects everything before it in the log.
    func take(maxBytes: Int, timeout: Duration?) -> Take {
        var waited = false
        while true {
            let batch = state.withLock { state -> [PendingWrite]? in
                guard !state.items.isEmpty else {
                    if state.closed { return nil }
                    state.writerWaiting = true
                    return []
                }
                var count = 0
                var bytes = 0
                for item in state.items {
                    if count > 0 {
                        if case .compaction = item.content { break }
                        if bytes + item.bytes > maxBytes { break }
                    }
                    count += 1
                    bytes += item.bytes
                    if case .compaction = item.content { break }
                }
                let batch = Array(state.items.prefix(count))
                state.items.removeFirst(count)
                state.bytes -= bytes
                return batch
            }
            guard let batch else { return .finished }
            if !batch.isEmpty { return .batch(batch) }
            if waited { return .idle }
            if let timeout {
                let nanoseconds =
                    timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
                if wakeup.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .timedOut {
                    // Whether or not a signal races in now, the next wait returns at once at worst.
                    state.withLock { $0.writerWaiting = false }
                    waited = true
                }
            } else {
                wakeup.wait()
            }
        }
    }
}
