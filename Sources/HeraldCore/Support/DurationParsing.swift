/// What `parseConfiguredDuration` makes of a text.
package enum ParsedDuration: Sendable, Equatable {
    case duration(Duration)
    /// Not a duration at all: empty, a bare number, an unknown unit, a sign.
    case malformed
    /// Well formed, but longer than `Duration.longestConfigurable`.
    case tooLong
}

/// Parses `500ms`, `30s`, `5m`, `1h30m`, `2d` (units ms, s, m, h, d; at least one part; no sign),
/// refusing anything longer than `Duration.longestConfigurable`.
///
/// Sums are kept in milliseconds with overflow checks, so no input can trap.
package func parseConfiguredDuration(_ text: String) -> ParsedDuration {
    let limit = Duration.longestConfigurable.saturatingMilliseconds
    var total: Int64 = 0
    var tooLong = false
    var bytes = Array(text.utf8)[...]
    guard !bytes.isEmpty else { return .malformed }
    while !bytes.isEmpty {
        var number: Int64 = 0
        var digits = 0
        while let byte = bytes.first, byte >= 0x30, byte <= 0x39 {
            // Nine digits per part is plenty (999999999s is 31 years); more is malformed.
            guard digits < 9 else { return .malformed }
            number = number * 10 + Int64(byte - 0x30)
            digits += 1
            bytes = bytes.dropFirst()
        }
        guard digits > 0 else { return .malformed }
        var unit: [UInt8] = []
        while let byte = bytes.first, byte >= 0x61, byte <= 0x7A, unit.count < 2 {
            unit.append(byte)
            bytes = bytes.dropFirst()
        }
        let unitMilliseconds: Int64
        switch unit {
        case Array("ms".utf8): unitMilliseconds = 1
        case Array("s".utf8): unitMilliseconds = 1000
        case Array("m".utf8): unitMilliseconds = 60_000
        case Array("h".utf8): unitMilliseconds = 3_600_000
        case Array("d".utf8): unitMilliseconds = 86_400_000
        default: return .malformed
        }
        // 999999999 × 86400000 fits in Int64; only the running sum can overflow.
        let (sum, overflow) = total.addingReportingOverflow(number * unitMilliseconds)
        if overflow || sum > limit { tooLong = true } else { total = sum }
    }
    return tooLong ? .tooLong : .duration(.milliseconds(total))
}

/// Parses a duration as `parseConfiguredDuration` does; nil when malformed or too long.
package func parseDuration(_ text: String) -> Duration? {
    if case .duration(let duration) = parseConfiguredDuration(text) { return duration }
    return nil
}

extension Duration {
    /// The longest duration a config may name (3650d, about ten years): far beyond any sensible
    /// delay, window or timeout, and small enough that adding it to any clock cannot overflow.
    package static let longestConfigurable = Duration.seconds(3650 * 86_400)

    /// The duration in seconds as a floating-point number.
    package var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, clamped to `Int64`'s range instead of trapping.
    package var saturatingMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// Whole nanoseconds, negative durations as zero, clamped to `UInt64.max` instead of trapping;
    /// what timers and poll timeouts want.
    package var saturatingNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (sum, overflow2) = whole.addingReportingOverflow(UInt64(max(0, attoseconds) / 1_000_000_000))
        return overflow2 ? .max : sum
    }

    /// A compact rendering such as `1h30m`, `45s`, `250ms`, the inverse of `parseDuration`;
    /// a negative duration renders as `-` and its magnitude.
    package var compactDescription: String {
        let total = saturatingMilliseconds
        if total == 0 { return "0s" }
        var milliseconds = total.magnitude
        var parts = total < 0 ? "-" : ""
        for (unit, size) in [("d", UInt64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        where milliseconds >= size {
            parts += "\(milliseconds / size)\(unit)"
            milliseconds %= size
        }
        return parts
    }
}
