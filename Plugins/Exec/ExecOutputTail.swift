/// The last `limit` bytes a program wrote to one stream, and how many it wrote in all: a chatty
/// program costs at most twice `limit` of memory, however much it prints.
struct ExecOutputTail: Sendable {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    /// Every byte written, kept or not.
    private(set) var total = 0

    init(limit: Int) {
        self.limit = limit
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        total += chunk.count
        bytes.append(contentsOf: chunk.suffix(limit))
        // Trimmed only once twice the limit is held, so that appending stays amortized O(1).
        if bytes.count > 2 * limit { bytes.removeFirst(bytes.count - limit) }
    }

    /// The kept bytes, at most `limit`.
    var kept: ArraySlice<UInt8> { bytes.suffix(limit) }

    /// True when more was written than kept.
    var isCut: Bool { total > kept.count }

    /// The last `count` non-empty lines of what was kept, oldest first; the first line of a cut
    /// tail may be partial, so it is dropped.
    func lastLines(_ count: Int) -> [String] {
        var lines = String(decoding: kept, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        if isCut, !lines.isEmpty { lines.removeFirst() }
        return Array(lines.filter { !$0.allSatisfy(\.isWhitespace) }.suffix(count))
    }
}
