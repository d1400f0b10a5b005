/// Appends compact JSON (RFC 8259) to a byte buffer.
///
/// Strings: `"` and `\` are escaped, control characters below 0x20 become `\b \f \n \r \t` or `\u00XX`,
/// everything else is written as UTF-8. Doubles use the shortest text that reads back the same
/// value; non-finite doubles are written as `null`.
///
/// Besides whole values, the writer streams: `beginObject()`, `key(_:)`, values, `endObject()`.
/// Inside a container it inserts the commas itself; at top level consecutive values are not separated.
///
/// ```swift
/// var writer = JSONWriter()
/// writer.beginObject()
/// writer.key("event")
/// writer.writeString("registration.after")
/// writer.key("jobs")
/// writer.write(2)
/// writer.endObject()   // {"event":"registration.after","jobs":2}
/// ```
package struct JSONWriter: Sendable {
    /// The output so far.
    package var bytes: [UInt8]
    /// Open containers; commas are written only inside one.
    private var depth = 0
    /// Whether the next element of the innermost container needs a comma before it.
    private var needsComma = false

    /// An empty writer with room for `reservingCapacity` bytes.
    package init(reservingCapacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(reservingCapacity)
    }

    /// Writes `value` compactly.
    package mutating func write(_ value: JSON) {
        switch value {
        case .null: writeNull()
        case .bool(let value): write(value)
        case .int(let value): write(value)
        case .double(let value): write(value)
        case .string(let text): writeString(text)
        case .array(let elements):
            beginArray()
            for element in elements { write(element) }
            endArray()
        case .object(let object):
            beginObject()
            for (key, value) in object {
                self.key(key)
                write(value)
            }
            endObject()
        }
    }

    /// Writes `text` quoted and escaped.
    package mutating func writeString(_ text: String) {
        separate()
        if text.utf8.withContiguousStorageIfAvailable({ appendEscaped($0) }) == nil {
            var text = text
            text.withUTF8 { appendEscaped($0) }
        }
    }

    /// Appends `bytes` exactly as given: no separator, no validation.
    package mutating func writeRaw(_ bytes: some Sequence<UInt8>) {
        self.bytes.append(contentsOf: bytes)
    }

    /// Writes `null`.
    package mutating func writeNull() {
        separate()
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
    }

    /// Writes `true` or `false`.
    package mutating func write(_ value: Bool) {
        separate()
        if value {
            bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        } else {
            bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        }
    }

    /// Writes an integer in decimal.
    package mutating func write(_ value: Int64) {
        separate()
        appendDecimal(value)
    }

    /// Writes an integer in decimal.
    package mutating func write(_ value: Int) {
        write(Int64(value))
    }

    /// Writes a double in its shortest round-trip form, or `null` when it is not finite.
    package mutating func write(_ value: Double) {
        guard value.isFinite else { return writeNull() }
        separate()
        bytes.append(contentsOf: value.description.utf8)
    }

    /// Opens an object.
    package mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        depth += 1
        needsComma = false
    }

    /// Writes a member name and the colon; the member's value must follow.
    package mutating func key(_ name: String) {
        writeString(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Closes the innermost object.
    package mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        depth -= 1
        needsComma = true
    }

    /// Opens an array.
    package mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        depth += 1
        needsComma = false
    }

    /// Closes the innermost array.
    package mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        depth -= 1
        needsComma = true
    }

    /// Appends already-valid JSON for one value (a string with its quotes, a number literal), with
    /// the separator a value needs.
    mutating func writeValueBytes(_ source: UnsafeBufferPointer<UInt8>) {
        separate()
        bytes.append(contentsOf: source)
    }

    /// Appends an already-valid quoted key and the colon, with the separator a key needs.
    mutating func writeKeyBytes(_ source: UnsafeBufferPointer<UInt8>) {
        separate()
        bytes.append(contentsOf: source)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Writes the comma before a value or key when one is due.
    @inline(__always)
    private mutating func separate() {
        if needsComma, depth > 0 { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    private mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        for (i, byte) in text.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
        {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<i]))
            runStart = i + 1
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            default:
                let low = byte & 0xF
                bytes.append(contentsOf: [
                    UInt8(ascii: "u"), 0x30, 0x30, 0x30 + byte >> 4, low < 10 ? 0x30 + low : 0x57 + low,
                ])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart...]))
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendDecimal(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // Work with the magnitude as UInt64 so that Int64.min needs no special case.
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }
}
