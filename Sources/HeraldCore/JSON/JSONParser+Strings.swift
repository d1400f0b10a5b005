/// String scanning: validation of escapes and UTF-8, with an eight-bytes-at-a-time fast path.
extension JSONParser {
    /// Validates the string starting at the quote at `offset`; returns the offset past its closing quote.
    mutating func scanString(at offset: Int) throws(JSONParseError) -> Int {
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
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
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

    /// A mask whose lowest set bit is the high bit of the first byte in `word` (little-endian) that is
    /// `"`, `\`, below 0x20 or above 0x7F. Higher bits may be spurious; zero when there is none.
    @inline(__always)
    private func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        // A byte below 0x20 gets its high bit set by the subtraction, one above 0x7F has it already;
        // a borrow can only set spurious bits above the first such byte.
        let controlOrHigh = (word &- ones &* 0x20) | word
        let quotes = (quote &- ones) & ~quote
        let backslashes = (backslash &- ones) & ~backslash
        return (controlOrHigh | quotes | backslashes) & highs
    }
}
