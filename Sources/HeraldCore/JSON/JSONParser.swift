/// A strict RFC 8259 parser that validates a byte buffer and records every value on a tape.
///
/// Iterative (an explicit stack of open containers), so nesting costs no native stack; strings are
/// validated (UTF-8, escapes, control characters) but not decoded.
struct JSONParser {
    let input: UnsafeBufferPointer<UInt8>
    private let limits: JSONLimits
    var tape: JSONTapeBuffer

    private init(input: UnsafeBufferPointer<UInt8>, limits: JSONLimits) {
        self.input = input
        self.limits = limits
        // Pretty-printed web hook bodies average ~20 bytes per value; growing is cheap anyway.
        tape = JSONTapeBuffer(capacity: input.count / 16 + 16)
    }

    /// Parses `input` into a tape that the caller then owns.
    static func parse(
        _ input: UnsafeBufferPointer<UInt8>, limits: JSONLimits
    ) throws(JSONParseError) -> JSONTapeBuffer {
        let count = input.count
        if count > limits.maxBytes {
            throw JSONParseError(offset: max(0, limits.maxBytes), reason: "input larger than \(limits.maxBytes) bytes")
        }
        // Offsets and tape indices are stored as UInt32.
        if count >= Int(UInt32.max) {
            throw JSONParseError(offset: Int(UInt32.max) - 1, reason: "input of 4 GiB or more")
        }
        var parser = JSONParser(input: input, limits: limits)
        do {
            try parser.run()
        } catch {
            parser.tape.deallocate()
            throw error
        }
        return parser.tape
    }

    // MARK: - Structure

    private mutating func run() throws(JSONParseError) {
        let n = input.count
        if n >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF {
            throw JSONParseError(offset: 0, reason: "byte order mark is not allowed")
        }
        var i = skipWhitespace(from: 0)
        // Tape indices of the open containers enclosing `current`.
        var parents: [Int] = []
        // Tape index of the innermost open container, or -1 at top level.
        var current = -1
        var inObject = false
        var depth = 0

        parseValue: while true {
            guard i < n else { throw endOfInput(i) }
            if current >= 0, !inObject { tape[current].count &+= 1 }
            let byte = input[i]
            switch byte {
            case UInt8(ascii: "\""):
                i = try scanString(at: i)
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                i = try scanNumber(at: i)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < limits.maxDepth else {
                    throw JSONParseError(offset: i, reason: "nesting deeper than \(limits.maxDepth)")
                }
                let isObject = byte == UInt8(ascii: "{")
                let index = tape.append(isObject ? .object : .array, start: i, end: i &+ 1)
                i = skipWhitespace(from: i &+ 1)
                if i < n, input[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i &+= 1
                    tape[index].end = UInt32(truncatingIfNeeded: i)
                    break  // An empty container is complete: go on with what follows it.
                }
                if current >= 0 { parents.append(current) }
                current = index
                inObject = isObject
                depth &+= 1
                if isObject { i = try scanKey(at: i, object: index) }
                continue parseValue
            case UInt8(ascii: "t"):
                i = try scanLiteral(at: i, "true", .true)
            case UInt8(ascii: "f"):
                i = try scanLiteral(at: i, "false", .false)
            case UInt8(ascii: "n"):
                i = try scanLiteral(at: i, "null", .null)
            default:
                throw unexpected(at: i, expected: "a value")
            }

            // After a complete value: a separator, the end of the enclosing containers, or the end.
            while true {
                i = skipWhitespace(from: i)
                guard current >= 0 else { break parseValue }
                guard i < n else { throw endOfInput(i) }
                let byte = input[i]
                if byte == UInt8(ascii: ",") {
                    i = skipWhitespace(from: i &+ 1)
                    if inObject { i = try scanKey(at: i, object: current) }
                    continue parseValue
                }
                guard byte == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw unexpected(at: i, expected: inObject ? "',' or '}'" : "',' or ']'")
                }
                i &+= 1
                tape[current].end = UInt32(truncatingIfNeeded: i)
                tape[current].next = UInt32(truncatingIfNeeded: tape.count)
                depth &-= 1
                if let parent = parents.popLast() {
                    current = parent
                    inObject = tape[parent].kind == .object
                } else {
                    current = -1
                }
            }
        }
        if i != n {
            throw JSONParseError(offset: i, reason: "trailing characters after the value")
        }
    }

    /// Scans `"key"` `:` and the whitespace after it; returns the offset of the member's value.
    @inline(__always)
    private mutating func scanKey(at offset: Int, object: Int) throws(JSONParseError) -> Int {
        guard offset < input.count else { throw endOfInput(offset) }
        guard input[offset] == UInt8(ascii: "\"") else { throw unexpected(at: offset, expected: "a string key") }
        tape[object].count &+= 1
        var i = skipWhitespace(from: try scanString(at: offset))
        guard i < input.count else { throw endOfInput(i) }
        guard input[i] == UInt8(ascii: ":") else { throw unexpected(at: i, expected: "':'") }
        i = skipWhitespace(from: i &+ 1)
        return i
    }

    @inline(__always)
    private func skipWhitespace(from offset: Int) -> Int {
        var i = offset
        let n = input.count
        while i < n {
            let byte = input[i]
            if byte > 0x20 { return i }
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return i }
            i &+= 1
            // Indentation comes in runs of spaces: skip them eight at a time, then jump to the first
            // byte that is not a space.
            while i &+ 8 <= n {
                let notSpaces = load64(at: i) ^ 0x2020_2020_2020_2020
                if notSpaces != 0 {
                    i &+= notSpaces.trailingZeroBitCount &>> 3
                    break
                }
                i &+= 8
            }
        }
        return i
    }

    // MARK: - Scalars

    private mutating func scanLiteral(
        at offset: Int, _ text: StaticString, _ kind: JSONTapeKind
    ) throws(JSONParseError) -> Int {
        let length = text.utf8CodeUnitCount
        var i = 0
        while i < length {
            guard offset &+ i < input.count else { throw endOfInput(offset &+ i) }
            guard input[offset &+ i] == text.utf8Start[i] else {
                throw JSONParseError(offset: offset, reason: "invalid literal, expected '\(text)'")
            }
            i &+= 1
        }
        _ = tape.append(kind, start: offset, end: offset &+ length)
        return offset &+ length
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func scanNumber(at offset: Int) throws(JSONParseError) -> Int {
        let n = input.count
        var i = offset
        var isInteger = true
        if input[i] == UInt8(ascii: "-") { i &+= 1 }
        guard i < n, isDigit(input[i]) else { throw invalidNumber(at: i) }
        if input[i] == UInt8(ascii: "0") {
            i &+= 1
            if i < n, isDigit(input[i]) {
                throw JSONParseError(offset: i, reason: "leading zero in number")
            }
        } else {
            while i < n, isDigit(input[i]) { i &+= 1 }
        }
        if i < n, input[i] == UInt8(ascii: ".") {
            isInteger = false
            i &+= 1
            guard i < n, isDigit(input[i]) else { throw invalidNumber(at: i) }
            while i < n, isDigit(input[i]) { i &+= 1 }
        }
        if i < n, input[i] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            i &+= 1
            if i < n, input[i] == UInt8(ascii: "+") || input[i] == UInt8(ascii: "-") { i &+= 1 }
            guard i < n, isDigit(input[i]) else { throw invalidNumber(at: i) }
            while i < n, isDigit(input[i]) { i &+= 1 }
        }
        _ = tape.append(.number, start: offset, end: i, flags: isInteger ? JSONTapeEntry.isInteger : 0)
        return i
    }

    // MARK: - Helpers

    @inline(__always)
    func load64(at offset: Int) -> UInt64 {
        // Callers guarantee offset + 8 <= input.count, so the base address is not nil.
        UInt64(
            littleEndian: UnsafeRawPointer(input.baseAddress.unsafelyUnwrapped + offset).loadUnaligned(as: UInt64.self))
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt32? {
        Hex.value(byte).map(UInt32.init)
    }

    func endOfInput(_ offset: Int) -> JSONParseError {
        JSONParseError(offset: offset, reason: "unexpected end of input")
    }

    private func invalidNumber(at offset: Int) -> JSONParseError {
        guard offset < input.count else { return endOfInput(offset) }
        return JSONParseError(
            offset: offset, reason: "invalid number, unexpected \(JSONParser.describe(input[offset]))")
    }

    private func unexpected(at offset: Int, expected: String) -> JSONParseError {
        JSONParseError(offset: offset, reason: "unexpected \(JSONParser.describe(input[offset])), expected \(expected)")
    }

    /// `character 'x'` for printable ASCII, `byte 0xC3` otherwise.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20, byte < 0x7F {
            return "character '\(Character(Unicode.Scalar(byte)))'"
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" + hex : hex)"
    }
}
