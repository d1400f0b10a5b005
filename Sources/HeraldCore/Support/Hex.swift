/// Hexadecimal text of bytes (digests, signatures) and hex digits read back.
package enum Hex {
    /// The value of one hex digit, either case; nil for any other byte (a sign included, which
    /// `UInt8(_:radix:)` would accept).
    @inlinable
    package static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Two lower-case hex digits per byte: `[0xab, 0x01]` → `"ab01"`.
    package static func lowercase(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            var index = 0
            for byte in bytes {
                text[index] = digits[Int(byte >> 4)]
                text[index + 1] = digits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }
}
