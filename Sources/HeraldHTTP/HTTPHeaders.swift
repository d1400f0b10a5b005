/// Header fields in the order they were received or added, with case-insensitive lookup.
///
/// Repeated fields are kept as separate entries (never merged, never "last one wins"):
/// ```swift
/// headers["content-type"]            // the first Content-Type value, or nil
/// headers.values(for: "X-Tag")       // every X-Tag value, in order
/// ```
package struct HTTPHeaders: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// One header field as received: the name keeps its original case.
    package struct Field: Sendable, Hashable {
        package var name: String
        package var value: String

        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    private var fields: [Field]

    /// Empty headers.
    package init() {
        fields = []
    }

    /// Empty headers with room for `minimumCapacity` fields.
    package init(minimumCapacity: Int) {
        fields = []
        fields.reserveCapacity(minimumCapacity)
    }

    /// Headers from `(name, value)` pairs, in order.
    package init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    package init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    package var startIndex: Int { fields.startIndex }
    package var endIndex: Int { fields.endIndex }
    package subscript(position: Int) -> Field { fields[position] }

    /// The first value of the field `name` (compared without regard to ASCII case), or nil.
    package subscript(name: String) -> String? {
        for field in fields where Self.namesEqual(field.name, name) {
            return field.value
        }
        return nil
    }

    /// Every value of the field `name` (compared without regard to ASCII case), in order.
    package func values(for name: String) -> [String] {
        fields.lazy.filter { Self.namesEqual($0.name, name) }.map(\.value)
    }

    /// Whether a field called `name` is present.
    package func contains(_ name: String) -> Bool {
        fields.contains { Self.namesEqual($0.name, name) }
    }

    /// Appends a field, keeping any existing ones of the same name.
    package mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field called `name` with one field holding `value`.
    package mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every field called `name`.
    package mutating func remove(name: String) {
        fields.removeAll { Self.namesEqual($0.name, name) }
    }

    /// ASCII case-insensitive equality, without allocating lowercased copies.
    static func namesEqual(_ lhs: String, _ rhs: String) -> Bool {
        var left = lhs.utf8.makeIterator()
        var right = rhs.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil):
                return true
            case (let a?, let b?):
                if a != b && a.asciiLowercased != b.asciiLowercased { return false }
            default:
                return false
            }
        }
    }
}
