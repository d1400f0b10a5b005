/// A cursor on one value of a `JSONDocument`: cheap to copy, keeps the document alive.
///
/// Accessors for the wrong kind return nil (or 0, or an empty sequence) instead of trapping, so
/// lookups chain: `root["identity"]?["verifiable_addresses"]?[0]?["value"]?.string`.
package struct JSONValue: Sendable {
    /// The JSON type of a value.
    package enum Kind: Sendable, Hashable {
        case null, bool, number, string, array, object
    }

    let storage: JSONStorage
    let index: Int

    init(storage: JSONStorage, index: Int) {
        self.storage = storage
        self.index = index
    }

    @inline(__always)
    var entry: JSONTapeEntry { storage.tape[index] }

    /// `{}`, without parsing it.
    package static let emptyObject: JSONValue = {
        var tape = JSONTapeBuffer(capacity: 1)
        _ = tape.append(.object, start: 0, end: 2)
        return JSONValue(storage: JSONStorage(bytes: Array("{}".utf8), tape: tape), index: 0)
    }()

    /// The value's type.
    package var kind: Kind {
        switch entry.kind {
        case .null: .null
        case .false, .true: .bool
        case .number: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }

    /// Whether the value is `null`.
    package var isNull: Bool { entry.kind == .null }

    /// The value of `true` or `false`; nil for other kinds.
    package var bool: Bool? {
        switch entry.kind {
        case .true: true
        case .false: false
        default: nil
        }
    }

    /// The byte range of the value's source text in `JSONDocument.bytes` (quotes and brackets included).
    package var sourceRange: Range<Int> {
        let entry = entry
        return Int(entry.start)..<Int(entry.end)
    }

    /// The number of elements of an array or members of an object (duplicate keys counted); 0 otherwise.
    package var count: Int {
        let entry = entry
        return entry.kind == .array || entry.kind == .object ? Int(entry.count) : 0
    }

    /// The element at `index` of an array; nil when out of range or not an array. O(index).
    package subscript(index: Int) -> JSONValue? {
        let entry = entry
        guard entry.kind == .array, index >= 0, index < Int(entry.count) else { return nil }
        var child = self.index + 1
        for _ in 0..<index { child = Int(storage.tape[child].next) }
        return JSONValue(storage: storage, index: child)
    }

    /// The value of the member named `key` of an object (the last one when the key is repeated); nil
    /// when absent or not an object. Compares raw bytes, allocating only for keys that have escapes.
    package subscript(key: String) -> JSONValue? {
        guard entry.kind == .object else { return nil }
        if let found = key.utf8.withContiguousStorageIfAvailable({ member(named: $0) }) {
            return found
        }
        var key = key
        return key.withUTF8 { member(named: $0) }
    }

    private func member(named key: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        let tape = storage.tape
        let end = Int(tape[index].next)
        var found = -1
        storage.bytes.withUnsafeBufferPointer { bytes in
            var child = index + 1
            while child < end {
                let entry = tape[child]
                if entry.flags & JSONTapeEntry.hasEscapes == 0 {
                    // The common case, inline: same length, then the same bytes.
                    let start = Int(entry.start) + 1
                    if Int(entry.end) - 1 - start == key.count, JSONValue.bytesEqual(bytes, from: start, key) {
                        found = child + 1
                    }
                } else if keyEquals(child, key) {
                    found = child + 1
                }
                child = Int(tape[child + 1].next)
            }
        }
        return found < 0 ? nil : JSONValue(storage: storage, index: found)
    }

    /// The elements of an array, in order; empty for other kinds.
    package var elements: Elements { Elements(self) }

    /// The members of an object, in document order (duplicates included); empty for other kinds.
    package var members: Members { Members(self) }

    /// A lazy sequence of an array's elements.
    package struct Elements: Sequence, Sendable {
        let storage: JSONStorage
        let first: Int
        let end: Int

        init(_ value: JSONValue) {
            storage = value.storage
            let entry = value.entry
            first = value.index + 1
            end = entry.kind == .array ? Int(entry.next) : first
        }

        package func makeIterator() -> Iterator { Iterator(storage: storage, position: first, end: end) }

        /// Yields each element in turn.
        package struct Iterator: IteratorProtocol, Sendable {
            let storage: JSONStorage
            var position: Int
            let end: Int

            package mutating func next() -> JSONValue? {
                guard position < end else { return nil }
                let value = JSONValue(storage: storage, index: position)
                position = Int(storage.tape[position].next)
                return value
            }
        }
    }

    /// A lazy sequence of an object's members; keys are decoded as they are reached.
    package struct Members: Sequence, Sendable {
        let storage: JSONStorage
        let first: Int
        let end: Int

        init(_ value: JSONValue) {
            storage = value.storage
            let entry = value.entry
            first = value.index + 1
            end = entry.kind == .object ? Int(entry.next) : first
        }

        package func makeIterator() -> Iterator { Iterator(storage: storage, position: first, end: end) }

        /// Yields each member in turn.
        package struct Iterator: IteratorProtocol, Sendable {
            let storage: JSONStorage
            var position: Int
            let end: Int

            package mutating func next() -> (key: String, value: JSONValue)? {
                guard position < end else { return nil }
                let key = JSONValue(storage: storage, index: position).string ?? ""
                let value = JSONValue(storage: storage, index: position + 1)
                position = Int(storage.tape[position + 1].next)
                return (key, value)
            }
        }
    }
}
