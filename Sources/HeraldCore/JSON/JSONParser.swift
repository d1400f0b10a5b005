/// A strict RFC 8259 parser that validates a byte buffer and records every value on a tape.
///
/// Iterative (an explicit stack of open containers), so nesting costs no native stack; strings are
/// validated (UTF-8, escapes, control characters) but not decoded.
struct JSONParser {
    private let input: UnsafeBufferPointer<UInt8>
    private let limits: JSONLimits
    private var tape: JSONTapeBuffer

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
            throw JSONParseError(offset: limits.maxBytes, reason: "input larger than \(limits.maxBytes) bytes")
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
            // Indentation comes in runs of spaces: skip them eight at a time.
            while i &+ 8 <= n, load64(at: i) == 0x2020_2020_2020_2020 { i &+= 8 }
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

    // MARK: - Strings

    /// Validates the string starting at the quote at `offset`; returns the offset past its closing quote.
    private mutating func scanString(at offset: Int) throws(JSONParseError) -> Int {
        let n = input.count
        var i = offset &+ 1
        var flags: UInt8 = 0
        while true {
            // Most string bytes are plain ASCII: test eight at a time and stop at the first byte that
            // is a quote, a backslash, a control character or not ASCII.
            while i &+ 8 <= n {
                let mask = specialBytes(load64(at: i))
                if mask != 0 {
                    i &+= mask.trailingZeroBitCount &>> 3
                    break
                }
                i &+= 8
            }
            guard i < n else { throw JSONParseError(offset: offset, reason: "unterminated string") }
            let byte = input[i]
            if byte == UInt8(ascii: "\"") {
                i &+= 1
                _ = tape.append(.string, start: offset, end: i, flags: flags)
                return i
            } else if byte == UInt8(ascii: "\\") {
                flags = JSONTapeEntry.hasEscapes
                i = try scanEscape(at: i, string: offset)
            } else if byte < 0x20 {
                throw JSONParseError(offset: i, reason: "unescaped control character in string")
            } else if byte < 0x80 {
                i &+= 1
            } else {
                i = try scanUTF8Sequence(at: i)
            }
        }
    }

    /// Validates the escape at `offset` (a backslash); returns the offset past it.
    private func scanEscape(at offset: Int, string: Int) throws(JSONParseError) -> Int {
        let n = input.count
        guard offset &+ 1 < n else { throw JSONParseError(offset: string, reason: "unterminated string") }
        switch input[offset &+ 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return offset &+ 2
        case UInt8(ascii: "u"):
            var i = offset &+ 2
            while i < offset &+ 6 {
                guard i < n else { throw JSONParseError(offset: string, reason: "unterminated string") }
                guard JSONParser.hexValue(input[i]) != nil else {
                    throw JSONParseError(offset: offset, reason: "invalid \\u escape")
                }
                i &+= 1
            }
            return i
        default:
            throw JSONParseError(offset: offset, reason: "invalid escape")
        }
    }

    /// Validates one multi-byte UTF-8 sequence whose lead byte is at `offset`: no overlong forms, no
    /// UTF-16 surrogates, nothing above U+10FFFF, no truncation. Returns the offset past it.
    private func scanUTF8Sequence(at offset: Int) throws(JSONParseError) -> Int {
        let lead = input[offset]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw JSONParseError(offset: offset, reason: "invalid UTF-8")
        }
        guard offset &+ length <= input.count else { throw JSONParseError(offset: offset, reason: "invalid UTF-8") }
        let second = input[offset &+ 1]
        guard second >= low, second <= high else { throw JSONParseError(offset: offset, reason: "invalid UTF-8") }
        var i = offset &+ 2
        while i < offset &+ length {
            guard input[i] & 0xC0 == 0x80 else { throw JSONParseError(offset: offset, reason: "invalid UTF-8") }
            i &+= 1
        }
        return i
    }

    // MARK: - Helpers

    @inline(__always)
    private func load64(at offset: Int) -> UInt64 {
        // Callers guarantee offset + 8 <= input.count, so the base address is not nil.
        UInt64(littleEndian: UnsafeRawPointer(input.baseAddress.unsafelyUnwrapped + offset).loadUnaligned(as: UInt64.self))
    }

    /// A mask whose lowest set bit is the high bit of the first byte in `word` (little-endian) that is
    /// `"`, `\`, below 0x20 or above 0x7F. Higher bits may be spurious; zero when there is none.
    @inline(__always)
    private func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word
        let quotes = (quote &- ones) & ~quote
        let backslashes = (backslash &- ones) & ~backslash
        return (control | quotes | backslashes | word) & highs
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte &- UInt8(ascii: "A") &+ 10)
        default: nil
        }
    }

    private func endOfInput(_ offset: Int) -> JSONParseError {
        JSONParseError(offset: offset, reason: "unexpected end of input")
    }

    private func invalidNumber(at offset: Int) -> JSONParseError {
        guard offset < input.count else { return endOfInput(offset) }
        return JSONParseError(offset: offset, reason: "invalid number, unexpected \(JSONParser.describe(input[offset]))")
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
