/// An answer's header fields as they came, `Name: value` lines ending in CRLF, kept as bytes:
/// a field becomes a `String` only when someone asks for it, so reading an answer allocates one
/// buffer however many fields it has.
struct HTTPHeaderBlock: Sendable {
    private(set) var bytes: [UInt8] = []
    /// How many fields (lines with a colon) the block holds.
    private(set) var count = 0

    init() {}

    /// A block holding `fields`, as written.
    init(_ fields: [(name: String, value: String)]) {
        for (name, value) in fields { append(Array("\(name): \(value)\r\n".utf8)) }
    }

    /// Adds one header line as libcurl delivers it (with its line end); lines without a colon
    /// (the blank line that ends the head) are not kept.
    mutating func append(_ line: some Collection<UInt8>) {
        guard line.contains(UInt8(ascii: ":")) else { return }
        bytes.append(contentsOf: line)
        count += 1
    }

    /// Forgets every field (a new status line: the head of a 1xx is over).
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Every field in order, names as sent, values without surrounding whitespace.
    var fields: [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        forEachField { name, value in
            fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            return true
        }
        return fields
    }

    /// The value of the first field called `name` (compared ignoring ASCII case). Asked of every
    /// answer (`Retry-After`, `Location`), so it scans the block's bytes in place.
    func value(_ name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { block -> String? in
                var start = 0
                while start < block.count {
                    var end = start
                    while end < block.count, block[end] != UInt8(ascii: "\n") { end += 1 }
                    let next = min(end + 1, block.count)
                    if end - start > wanted.count, block[start + wanted.count] == UInt8(ascii: ":"),
                        Self.equalIgnoringCase(
                            UnsafeBufferPointer(rebasing: block[start..<(start + wanted.count)]), wanted)
                    {
                        var from = start + wanted.count + 1
                        var to = next
                        while from < to, Self.isSpace(block[from]) { from += 1 }
                        while to > from, Self.isSpace(block[to - 1]) { to -= 1 }
                        return String(decoding: UnsafeBufferPointer(rebasing: block[from..<to]), as: UTF8.self)
                    }
                    start = next
                }
                return nil
            }
        }
    }

    private static func equalIgnoringCase(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count where a[index].asciiLowercased != b[index].asciiLowercased { return false }
        return true
    }

    /// Calls `body` with each field's name and trimmed value until it returns false.
    private func forEachField(_ body: (ArraySlice<UInt8>, ArraySlice<UInt8>) -> Bool) {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.endIndex
            let line = bytes[start..<end]
            start = end
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            var value = line[(colon + 1)...]
            while let first = value.first, Self.isSpace(first) { value.removeFirst() }
            while let last = value.last, Self.isSpace(last) { value.removeLast() }
            if !body(line[..<colon], value) { return }
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }
}
