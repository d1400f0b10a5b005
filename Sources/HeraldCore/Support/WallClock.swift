import Foundation

/// Wall-clock time as Herald records it: milliseconds since the Unix epoch.
public struct WallClock: Sendable, Hashable, Comparable {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static var now: WallClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return WallClock(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    public func adding(_ duration: Duration) -> WallClock {
        WallClock(millisecondsSinceEpoch: millisecondsSinceEpoch + Int64(duration.seconds * 1000))
    }

    public static func - (lhs: WallClock, rhs: WallClock) -> Duration {
        .milliseconds(lhs.millisecondsSinceEpoch - rhs.millisecondsSinceEpoch)
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-27T16:27:07.512Z`.
    public var rfc3339: String {
        var seconds = time_t(millisecondsSinceEpoch / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = Int(millisecondsSinceEpoch % 1000)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), millis)
    }

    public static func < (lhs: WallClock, rhs: WallClock) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }
}

/// A source of the current time, so that schedulers and plugins can be tested with a manual clock.
public protocol TimeSource: Sendable {
    var now: WallClock { get }
}

/// The real clock.
public struct SystemTimeSource: TimeSource {
    public init() {}
    public var now: WallClock { WallClock.now }
}
