extension JSONValue {
    /// The unescaped text of a string; nil for other kinds.
    package var string: String? {
        let entry = entry
        guard entry.kind == .string else { return nil }
        return storage.bytes.withUnsafeBufferPointer { bytes in
            let content = UnsafeBufferPointer(rebasing: bytes[Int(entry.start) + 1..<Int(entry.end) - 1])
            guard entry.flags & JSONTapeEntry.hasEscapes != 0 else {
                return String(decoding: content, as: UTF8.self)
            }
            return String(unsafeUninitializedCapacity: content.count) { output in
                JSONValue.unescape(content, into: output)
            }
        }
    }

    /// Whether this is a string whose unescaped UTF-8 equals that of `text` byte for byte (no Unicode
    /// normalization). Allocates nothing unless the source string has escapes.
    package func stringEquals(_ text: String) -> Bool {
        guard entry.kind == .string else { return false }
        if let equal = text.utf8.withContiguousStorageIfAvailable({ keyEquals(index, $0) }) {
            return equal
        }
        var text = text
        return text.withUTF8 { keyEquals(index, $0) }
    }

    /// Whether the string at tape index `index` unescapes to exactly `text`.
    func keyEquals(_ index: Int, _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let entry = storage.tape[index]
        let start = Int(entry.start) + 1
        let length = Int(entry.end) - 1 - start
        return storage.bytes.withUnsafeBufferPointer { bytes in
            guard entry.flags & JSONTapeEntry.hasEscapes != 0 else {
                return length == text.count && JSONValue.bytesEqual(bytes, from: start, text)
            }
            // Unescaping never lengthens a string, so a shorter source cannot match.
            guard length >= text.count else { return false }
            let content = UnsafeBufferPointer(rebasing: bytes[start..<start + length])
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { output in
                let count = JSONValue.unescape(content, into: output)
                return count == text.count && JSONValue.bytesEqual(UnsafeBufferPointer(output), from: 0, text)
            }
        }
    }

    /// Whether `lhs[offset..<offset + rhs.count]` equals `rhs`; the caller checked the bounds.
    @inline(__always)
    static func bytesEqual(
        _ lhs: UnsafeBufferPointer<UInt8>, from offset: Int, _ rhs: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        var i = 0
        while i < rhs.count {
            guard lhs[offset &+ i] == rhs[i] else { return false }
            i &+= 1
        }
        return true
    }

    /// Decodes the escapes of a validated string body into `output` (at least `input.count` bytes,
    /// which always suffices); returns the number of bytes written. A `\u` escape of a lone UTF-16
    /// surrogate becomes U+FFFD. Defensive about malformed input even though the parser checked it.
    static func unescape(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var i = 0
        var o = 0
        let n = input.count
        while i < n, o < output.count {
            let byte = input[i]
            guard byte == UInt8(ascii: "\\"), i + 1 < n else {
                output[o] = byte
                o += 1
                i += 1
                continue
            }
            let escaped = input[i + 1]
            i += 2
            let simple: UInt8
            switch escaped {
            case UInt8(ascii: "b"): simple = 0x08
            case UInt8(ascii: "f"): simple = 0x0C
            case UInt8(ascii: "n"): simple = 0x0A
            case UInt8(ascii: "r"): simple = 0x0D
            case UInt8(ascii: "t"): simple = 0x09
            case UInt8(ascii: "u"):
                var scalar = hex4(input, at: i) ?? 0xFFFD
                i += 4
                if scalar >= 0xD800, scalar <= 0xDBFF {
                    // A high surrogate: combine it with a following low one, or it stands alone.
                    if i + 6 <= n, input[i] == UInt8(ascii: "\\"), input[i + 1] == UInt8(ascii: "u"),
                        let low = hex4(input, at: i + 2), low >= 0xDC00, low <= 0xDFFF
                    {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00, scalar <= 0xDFFF {
                    scalar = 0xFFFD
                }
                o = appendUTF8(scalar, to: output, at: o)
                continue
            default: simple = escaped  // \" \\ \/
            }
            output[o] = simple
            o += 1
        }
        return o
    }

    private static func hex4(_ input: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt32? {
        guard offset + 4 <= input.count else { return nil }
        var value: UInt32 = 0
        for i in offset..<offset + 4 {
            guard let digit = JSONParser.hexValue(input[i]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to output: UnsafeMutableBufferPointer<UInt8>, at offset: Int)
        -> Int
    {
        let units: (UInt8, UInt8, UInt8, UInt8, Int)
        switch scalar {
        case ..<0x80: units = (UInt8(scalar), 0, 0, 0, 1)
        case ..<0x800: units = (UInt8(0xC0 | scalar >> 6), UInt8(0x80 | scalar & 0x3F), 0, 0, 2)
        case ..<0x10000:
            units = (
                UInt8(0xE0 | scalar >> 12), UInt8(0x80 | scalar >> 6 & 0x3F), UInt8(0x80 | scalar & 0x3F), 0, 3
            )
        default:
            units = (
                UInt8(0xF0 | scalar >> 18 & 0x07), UInt8(0x80 | scalar >> 12 & 0x3F), UInt8(0x80 | scalar >> 6 & 0x3F),
                UInt8(0x80 | scalar & 0x3F), 4
            )
        }
        guard offset + units.4 <= output.count else { return output.count }
        output[offset] = units.0
        if units.4 > 1 { output[offset + 1] = units.1 }
        if units.4 > 2 { output[offset + 2] = units.2 }
        if units.4 > 3 { output[offset + 3] = units.3 }
        return offset + units.4
    }
}
