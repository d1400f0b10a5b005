/// Parses `500ms`, `30s`, `5m`, `1h30m`, `2d` (units ms, s, m, h, d; at least one part; no sign).
///
/// Returns nil for anything else, including an empty string and a bare number.
public func parseDuration(_ text: String) -> Duration? {
    var total: Duration = .zero
    var bytes = Array(text.utf8)[...]
    guard !bytes.isEmpty else { return nil }
    while !bytes.isEmpty {
        var number: Int64 = 0
        var digits = 0
        while let byte = bytes.first, byte >= 0x30, byte <= 0x39 {
            let (product, overflow1) = number.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(Int64(byte - 0x30))
            guard !overflow1, !overflow2, sum < 1_000_000_000 else { return nil }
            number = sum
            digits += 1
            bytes = bytes.dropFirst()
        }
        guard digits > 0 else { return nil }
        var unit = ""
        while let byte = bytes.first, byte >= 0x61, byte <= 0x7A {
            unit.append(Character(UnicodeScalar(byte)))
            bytes = bytes.dropFirst()
        }
        switch unit {
        case "ms": total += .milliseconds(number)
        case "s": total += .seconds(number)
        case "m": total += .seconds(number * 60)
        case "h": total += .seconds(number * 3600)
        case "d": total += .seconds(number * 86400)
        default: return nil
        }
    }
    return total
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// A compact rendering such as `1h30m`, `45s`, `250ms`, the inverse of `parseDuration`.
    public var compactDescription: String {
        var milliseconds = Int64(seconds * 1000)
        if milliseconds == 0 { return "0s" }
        var parts = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        where milliseconds >= size {
            parts += "\(milliseconds / size)\(unit)"
            milliseconds %= size
        }
        return parts
    }
}
