extension JSONValue {
    /// The source text of a number, exactly as written (`-1.50e3`); nil for other kinds.
    package var numberLiteral: String? {
        let entry = entry
        guard entry.kind == .number else { return nil }
        return storage.bytes.withUnsafeBufferPointer { bytes in
            String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(entry.start)..<Int(entry.end)]), as: UTF8.self)
        }
    }

    /// The value of a number, correctly rounded; ±infinity when its magnitude is too large for a
    /// `Double`. Nil for other kinds.
    package var number: Double? {
        let entry = entry
        guard entry.kind == .number else { return nil }
        if let integer = int {
            // `-0` is an integer literal too, and reads as negative zero.
            return integer == 0 && storage.bytes[Int(entry.start)] == UInt8(ascii: "-") ? -0.0 : Double(integer)
        }
        guard let literal = numberLiteral else { return nil }
        // A number literal is always accepted by Double's parser; huge exponents give infinity.
        return Double(literal)
    }

    /// The value of a number written as an integer (no fraction or exponent) that fits in `Int`;
    /// nil otherwise (`1.0`, `1e2`, `9223372036854775808` and non-numbers give nil).
    package var int: Int? {
        let entry = entry
        guard entry.kind == .number, entry.flags & JSONTapeEntry.isInteger != 0 else { return nil }
        return storage.bytes.withUnsafeBufferPointer { bytes in
            var i = Int(entry.start)
            let end = Int(entry.end)
            let negative = bytes[i] == UInt8(ascii: "-")
            if negative { i += 1 }
            // Accumulate negatively so that Int.min fits.
            var value = 0
            while i < end {
                let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = product.subtractingReportingOverflow(Int(bytes[i] &- UInt8(ascii: "0")))
                if overflow || overflow2 { return nil }
                value = sum
                i += 1
            }
            if negative { return value }
            return value == .min ? nil : -value
        }
    }
}
