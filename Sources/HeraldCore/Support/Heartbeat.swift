import Synchronization

/// A liveness check for a loop that may sleep for a long time: the watchdog asks, the loop
/// answers the next time it comes round (the asker wakes it so that an idle loop answers too).
///
/// ```swift
/// // in the loop:      heartbeat.answer()
/// // in the watchdog:  let alive = heartbeat.check { doorbell.ring() }
/// ```
package final class Heartbeat: Sendable {
    private let asked = Atomic<UInt64>(0)
    private let answered = Atomic<UInt64>(0)

    package init() {}

    /// Called by the loop on each round: answers every question asked so far.
    @inline(__always)
    package func answer() {
        answered.store(asked.load(ordering: .acquiring), ordering: .releasing)
    }

    /// True when the loop answered the previous question (or none was asked yet); then asks a new
    /// one and calls `wake` so that the loop comes round.
    package func check(wake: () -> Void) -> Bool {
        let previous = asked.load(ordering: .acquiring)
        let alive = answered.load(ordering: .acquiring) >= previous
        asked.store(previous &+ 1, ordering: .releasing)
        wake()
        return alive
    }
}
