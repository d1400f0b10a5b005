import HeraldCore
import Synchronization

/// A `TimeSource` that stands still until a test moves it.
public final class ManualClock: TimeSource, Sendable {
    private let current: Mutex<WallClock>

    public init(_ start: WallClock = WallClock(millisecondsSinceEpoch: 1_780_000_000_000)) {
        current = Mutex(start)
    }

    public var now: WallClock { current.withLock { $0 } }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.adding(duration) }
    }

    /// Sets the clock to `time`.
    public func set(_ time: WallClock) {
        current.withLock { $0 = time }
    }
}
