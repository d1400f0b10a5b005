/// A W3C Trace Context trace id: 16 bytes, never all zero, written as 32 lower-case hex digits.
package struct TraceID: Sendable, Hashable {
    /// The first 8 bytes, big-endian.
    package var high: UInt64
    /// The last 8 bytes, big-endian.
    package var low: UInt64

    /// nil when both halves are zero (the invalid id).
    package init?(high: UInt64, low: UInt64) {
        guard high != 0 || low != 0 else { return nil }
        self.high = high
        self.low = low
    }

    /// A new random id (for a trace Herald starts), from libcrypto's generator: no system call
    /// per id on the request path (Swift's system generator makes one per 8 bytes).
    package static func random() -> TraceID {
        while true {
            if let id = TraceID(high: SecureRandom.next(), low: SecureRandom.next()) { return id }
        }
    }

    /// 32 lower-case hex digits, e.g. `4bf92f3577b34da6a3ce929d0e0e4736`.
    package var hex: String { TraceHex.format(high) + TraceHex.format(low) }

    /// Parses 32 lower-case hex digits; nil for anything else or the all-zero id.
    package init?(hex: Substring) {
        guard hex.utf8.count == 32, let high = TraceHex.parse(hex.utf8.prefix(16)),
            let low = TraceHex.parse(hex.utf8.suffix(16))
        else { return nil }
        self.init(high: high, low: low)
    }
}

/// A W3C Trace Context span id (`parent-id`): 8 bytes, never zero, 16 lower-case hex digits.
package struct SpanID: Sendable, Hashable {
    package var value: UInt64

    /// nil for zero (the invalid id).
    package init?(_ value: UInt64) {
        guard value != 0 else { return nil }
        self.value = value
    }

    /// A new random id (each span Herald starts: the ingress, each attempt).
    package static func random() -> SpanID {
        while true {
            if let id = SpanID(SecureRandom.next()) { return id }
        }
    }

    /// 16 lower-case hex digits, e.g. `00f067aa0ba902b7`.
    package var hex: String { TraceHex.format(value) }

    /// Parses 16 lower-case hex digits; nil for anything else or zero.
    package init?(hex: Substring) {
        guard hex.utf8.count == 16, let value = TraceHex.parse(hex.utf8) else { return nil }
        self.init(value)
    }
}

/// Lower-case hex of 64-bit values, strict both ways (W3C Trace Context allows no upper case).
enum TraceHex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func format(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { text in
            for index in 0..<16 {
                text[index] = digits[Int((value >> (60 - 4 * UInt64(index))) & 0xF)]
            }
            return 16
        }
    }

    /// The value of up to 16 lower-case hex digits; nil when any other byte is among them.
    static func parse(_ bytes: some Collection<UInt8>) -> UInt64? {
        guard bytes.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}
