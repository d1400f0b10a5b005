import HeraldCore
import Synchronization

/// A `TimeSource` that stands still until a test moves it.
package final class ManualClock: TimeSource, Sendable {
    private let current: Mutex<WallClock>

    package init(_ start: WallClock = WallClock(millisecondsSinceEpoch: 1_780_000_000_000)) {
        current = Mutex(start)
    }

    package var now: WallClock { current.withLock { $0 } }

    /// Moves the clock forward by `duration`.
    package func advance(by duration: Duration) {
        current.withLock { $0 = $0.adding(duration) }
    }

    /// Sets the clock to `time`.
    package func set(_ time: WallClock) {
        current.withLock { $0 = time }
    }
}
