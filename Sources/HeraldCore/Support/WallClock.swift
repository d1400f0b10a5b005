import FoundationEssentials
import Glibc

/// Wall-clock time as Herald records it: milliseconds since the Unix epoch.
package struct WallClock: Sendable, Hashable, Comparable {
    package var millisecondsSinceEpoch: Int64

    package init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    package static var now: WallClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return WallClock(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// The clock moved by `duration`, saturating at the ends of the range instead of trapping.
    package func adding(_ duration: Duration) -> WallClock {
        let (sum, overflow) = millisecondsSinceEpoch.addingReportingOverflow(duration.saturatingMilliseconds)
        guard overflow else { return WallClock(millisecondsSinceEpoch: sum) }
        return WallClock(millisecondsSinceEpoch: duration < .zero ? .min : .max)
    }

    /// The time from `rhs` to `lhs`, saturating instead of trapping.
    package static func - (lhs: WallClock, rhs: WallClock) -> Duration {
        let (difference, overflow) = lhs.millisecondsSinceEpoch.subtractingReportingOverflow(rhs.millisecondsSinceEpoch)
        guard overflow else { return .milliseconds(difference) }
        return .milliseconds(lhs < rhs ? Int64.min : Int64.max)
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-27T16:27:07.512Z`.
    package var rfc3339: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendRFC3339(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the RFC 3339 form to `bytes` without going through formatted strings (it is on
    /// the path of every log line).
    package func appendRFC3339(to bytes: inout [UInt8]) {
        // Floor division, so that times before 1970 keep a milliseconds part in 0...999.
        let (quotient, remainder) = millisecondsSinceEpoch.quotientAndRemainder(dividingBy: 1000)
        var seconds = time_t(remainder < 0 ? quotient - 1 : quotient)
        let milliseconds = remainder < 0 ? remainder + 1000 : remainder
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = abs(value)
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        bytes.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        bytes.append(UInt8(ascii: "."))
        digits(Int(milliseconds), 3)
        bytes.append(UInt8(ascii: "Z"))
    }

    package static func < (lhs: WallClock, rhs: WallClock) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }
}

/// A source of the current time, so that schedulers and plugins can be tested with a manual clock.
package protocol TimeSource: Sendable {
    var now: WallClock { get }
}

/// The real clock.
package struct SystemTimeSource: TimeSource {
    package init() {}
    package var now: WallClock { WallClock.now }
}
