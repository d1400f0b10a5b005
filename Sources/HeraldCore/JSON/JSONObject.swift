/// The members of a JSON object: unique keys, kept in insertion order.
///
/// Setting a key that exists replaces its value in place; a new key is appended; setting nil removes.
/// Equality and hashing ignore member order, as JSON object semantics do (serialization keeps it).
/// Lookups are linear, which suits the small objects Herald builds.
package struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// One member.
    package typealias Element = (key: String, value: JSON)

    fileprivate struct Member: Sendable, Hashable {
        var key: String
        var value: JSON
    }

    private var members: [Member] = []

    /// An empty object.
    package init() {}

    /// An object with `members` in order; for a repeated key the last value wins at the first position.
    package init(_ members: some Sequence<(key: String, value: JSON)>) {
        for (key, value) in members { self[key] = value }
    }

    /// Repeated keys: the last value wins, at the first key's position.
    package init(dictionaryLiteral elements: (String, JSON)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// An empty object with room for `capacity` members, for `appendNew`.
    init(capacity: Int) {
        members.reserveCapacity(capacity)
    }

    /// Appends a member whose key the caller knows is not there yet.
    mutating func appendNew(_ key: String, _ value: JSON) {
        members.append(Member(key: key, value: value))
    }

    /// Where `key` is among the members, for `replaceValue(at:with:)`.
    func position(of key: String) -> Int? {
        members.firstIndex { $0.key == key }
    }

    mutating func replaceValue(at position: Int, with value: JSON) {
        members[position].value = value
    }

    /// The value for `key`, or nil. Setting nil removes the member; to store a JSON null, set `.null`.
    package subscript(key: String) -> JSON? {
        get {
            members.first { $0.key == key }?.value
        }
        set {
            let position = members.firstIndex { $0.key == key }
            switch (position, newValue) {
            case (let position?, let value?): members[position].value = value
            case (let position?, nil): members.remove(at: position)
            case (nil, let value?): members.append(Member(key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    /// Removes the member `key` and returns its value, if there was one.
    @discardableResult
    package mutating func removeValue(forKey key: String) -> JSON? {
        guard let position = members.firstIndex(where: { $0.key == key }) else { return nil }
        return members.remove(at: position).value
    }

    /// The number of members.
    package var count: Int { members.count }

    /// Whether there are no members.
    package var isEmpty: Bool { members.isEmpty }

    /// The keys, in order.
    package var keys: [String] { members.map(\.key) }

    /// The values, in order.
    package var values: [JSON] { members.map(\.value) }

    /// The members in order. A named type rather than `some IteratorProtocol`: callers in other
    /// modules looked the opaque type's metadata up at run time on every loop (`perf`:
    /// `swift_getOpaqueTypeMetadataImpl` under each Mandrill request's preparation).
    package struct Iterator: IteratorProtocol {
        private var members: IndexingIterator<[Member]>

        fileprivate init(_ members: [Member]) {
            self.members = members.makeIterator()
        }

        package mutating func next() -> Element? {
            members.next().map { (key: $0.key, value: $0.value) }
        }
    }

    package func makeIterator() -> Iterator {
        Iterator(members)
    }

    package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        if lhs.members == rhs.members { return true }
        // Keys are unique on both sides, so equal counts plus every lhs member found in rhs suffices.
        let right = Dictionary(rhs.members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        return lhs.members.allSatisfy { right[$0.key] == $0.value }
    }

    package func hash(into hasher: inout Hasher) {
        // Order-independent, to agree with ==: combine the members' own hashes commutatively.
        var sum = 0
        for member in members {
            var memberHasher = Hasher()
            memberHasher.combine(member)
            sum = sum &+ memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(sum)
    }
}
