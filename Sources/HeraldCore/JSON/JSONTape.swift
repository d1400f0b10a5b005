/// The kind of one tape entry; `JSONValue.Kind` plus the value of a boolean.
enum JSONTapeKind: UInt8 {
    case null, `false`, `true`, number, string, array, object
}

/// One value of a parsed document, in document order (an object's members are a key entry followed
/// by the value's entries).
struct JSONTapeEntry {
    /// Offset of the value's first byte (the quote of a string, the bracket of a container).
    var start: UInt32
    /// Offset just past the value's last byte.
    var end: UInt32
    /// Tape index just past the value and all its descendants, so skipping a subtree is O(1).
    var next: UInt32
    /// Containers: the number of elements or members. Other kinds: 0.
    var count: UInt32
    var kind: JSONTapeKind
    /// Strings: `JSONTapeEntry.hasEscapes`. Numbers: `JSONTapeEntry.isInteger`.
    var flags: UInt8

    /// A string whose source contains at least one backslash escape.
    static let hasEscapes: UInt8 = 1
    /// A number literal without fraction or exponent.
    static let isInteger: UInt8 = 1
}

/// The parsed form of a document: its bytes and its tape. Shared by every `JSONValue` cursor.
///
/// `@unchecked Sendable`: both `bytes` and the memory behind `tape` are written only by the
/// initializer and never mutated afterwards; `tape` is owned here and freed in `deinit`.
final class JSONStorage: @unchecked Sendable {
    let bytes: [UInt8]
    let tape: UnsafeMutablePointer<JSONTapeEntry>
    let tapeCount: Int

    /// Takes ownership of `tape.pointer`.
    init(bytes: [UInt8], tape: JSONTapeBuffer) {
        self.bytes = bytes
        self.tape = tape.pointer
        self.tapeCount = tape.count
    }

    deinit {
        tape.deallocate()
    }
}

/// A growable buffer of tape entries that the parser appends to without per-append uniqueness
/// checks. Owned by whoever holds it; hand it to `JSONStorage` or call `deallocate()`.
struct JSONTapeBuffer {
    private(set) var pointer: UnsafeMutablePointer<JSONTapeEntry>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 8)
        pointer = .allocate(capacity: self.capacity)
    }

    @inline(__always)
    mutating func append(_ kind: JSONTapeKind, start: Int, end: Int, flags: UInt8 = 0) -> Int {
        if count == capacity { grow() }
        let index = count
        (pointer + index).initialize(
            to: JSONTapeEntry(
                start: UInt32(truncatingIfNeeded: start), end: UInt32(truncatingIfNeeded: end),
                next: UInt32(truncatingIfNeeded: index &+ 1), count: 0, kind: kind, flags: flags))
        count = index &+ 1
        return index
    }

    @inline(__always)
    subscript(index: Int) -> JSONTapeEntry {
        get { pointer[index] }
        nonmutating _modify { yield &pointer[index] }
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newPointer = UnsafeMutablePointer<JSONTapeEntry>.allocate(capacity: newCapacity)
        newPointer.moveInitialize(from: pointer, count: count)
        pointer.deallocate()
        pointer = newPointer
        capacity = newCapacity
    }

    func deallocate() {
        pointer.deallocate()
    }
}
