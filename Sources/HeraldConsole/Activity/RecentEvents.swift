import HeraldCore
import Synchronization

/// The last events the ingress decided on, for the console's events page: names, routes and
/// decisions, the recipient masked as in the logs (`j***@example.com`), never the payload. A
/// ring of `capacity` entries in memory; recording costs one short lock.
package final class RecentEvents: Sendable {
    /// What the ingress did with an event.
    package enum Decision: Sendable, Equatable {
        /// Stored with its jobs and answered 202.
        case accepted(routes: [String], jobs: Int)
        /// Denied by the routes named (a before hook, or `?mode=decide`), with the status sent.
        case denied(routes: [String], status: Int)
        /// A decide-only hook that nothing denied (204).
        case allowed
        /// A retry of an event already accepted.
        case duplicate
        /// Not stored: the store refused (503, Kratos retries).
        case notStored
    }

    package struct Entry: Sendable, Equatable {
        package var receivedAt: WallClock
        package var id: String
        package var event: String
        package var method: String?
        /// Masked.
        package var recipient: String?
        package var decision: Decision
    }

    private struct Ring {
        var entries: [Entry] = []
        /// Where the next entry goes once the ring is full (the oldest one).
        var next = 0
    }

    private let capacity: Int
    private let ring = Mutex(Ring())

    package init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Records what was decided for `event`.
    package func record(_ event: Event, _ decision: Decision) {
        let entry = Entry(
            receivedAt: event.receivedAt, id: event.id.description, event: event.name.rawValue,
            method: event.derived(.method), recipient: event.derived(.recipient).map(maskPersonalData),
            decision: decision)
        ring.withLock { ring in
            if ring.entries.count < capacity {
                ring.entries.append(entry)
            } else {
                ring.entries[ring.next] = entry
                ring.next = (ring.next + 1) % capacity
            }
        }
    }

    /// Newest first.
    package var entries: [Entry] {
        ring.withLock { ring in
            Array((ring.entries[ring.next...] + ring.entries[..<ring.next]).reversed())
        }
    }
}
