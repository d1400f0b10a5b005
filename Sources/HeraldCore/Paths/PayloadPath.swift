/// A path into an event: `identity.traits.email`, `identity.verifiable_addresses[0].value`,
/// `request_headers.User-Agent[0]`, `request_cookies["name.with.dots"]`, or one of the fields
/// Herald derives (`event.name`, `event.method`, `recipient`, …; see `DerivedField`).
///
/// Parsed and checked once when the config loads; lookups then walk the components.
package struct PayloadPath: Sendable, Hashable, CustomStringConvertible {
    package enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// Where a lookup starts.
    package enum Root: Sendable, Hashable {
        /// The request body.
        case payload
        /// A field Herald computes from the payload and the request.
        case derived(DerivedField)
    }

    package let components: [Component]
    package let root: Root
    /// The text the path was parsed from, for messages.
    package let text: String

    /// Parses a path; throws a message (without position) describing what is wrong.
    package init(parsing text: String) throws(PathSyntaxError) {
        self.text = text
        self.components = try PayloadPath.parse(text)
        self.root = PayloadPath.root(of: components)
    }

    package var description: String { text }

    /// The first key, e.g. `identity` for `identity.traits.email`.
    package var firstKey: String? {
        if case .key(let key)? = components.first { return key }
        return nil
    }

    private static func root(of components: [Component]) -> Root {
        switch components.first {
        case .key("recipient")? where components.count == 1:
            return .derived(.recipient)
        case .key("event")? where components.count == 2:
            if case .key(let name) = components[1], let field = DerivedField(eventField: name) {
                return .derived(field)
            }
            return .payload
        default:
            return .payload
        }
    }

    private static func parse(_ text: String) throws(PathSyntaxError) -> [Component] {
        var components: [Component] = []
        let bytes = Array(text.utf8)
        var index = 0
        var expectKey = true
        guard !bytes.isEmpty else { throw PathSyntaxError("empty path") }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "[") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") {
                    let quote = bytes[index]
                    index += 1
                    let start = index
                    while index < bytes.count, bytes[index] != quote { index += 1 }
                    guard index < bytes.count else { throw PathSyntaxError("unterminated quoted key in '\(text)'") }
                    components.append(.key(String(decoding: bytes[start..<index], as: UTF8.self)))
                    index += 1
                } else {
                    let start = index
                    while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
                    guard index > start, index - start <= 9,
                        let number = Int(String(decoding: bytes[start..<index], as: UTF8.self))
                    else { throw PathSyntaxError("expected an index such as [0] or a quoted key in '\(text)'") }
                    components.append(.index(number))
                }
                guard index < bytes.count, bytes[index] == UInt8(ascii: "]") else {
                    throw PathSyntaxError("missing ']' in '\(text)'")
                }
                index += 1
                expectKey = false
            } else if byte == UInt8(ascii: ".") {
                guard !expectKey else { throw PathSyntaxError("empty segment in '\(text)'") }
                index += 1
                expectKey = true
                guard index < bytes.count else { throw PathSyntaxError("path '\(text)' ends with '.'") }
            } else {
                guard expectKey else { throw PathSyntaxError("expected '.' or '[' after ']' in '\(text)'") }
                let start = index
                while index < bytes.count, isKeyByte(bytes[index]) { index += 1 }
                guard index > start else {
                    throw PathSyntaxError(
                        "unexpected character '\(String(decoding: [bytes[index]], as: UTF8.self))' in path '\(text)'")
                }
                components.append(.key(String(decoding: bytes[start..<index], as: UTF8.self)))
                expectKey = false
            }
        }
        guard case .key? = components.first else { throw PathSyntaxError("a path starts with a key, not an index") }
        return components
    }

    /// Letters, digits and `_ - $ @ :`; anything else needs the `["…"]` form.
    private static func isKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "$"),
            UInt8(ascii: "@"), UInt8(ascii: ":"):
            return true
        default:
            return byte >= 0x80
        }
    }
}

/// Why a path could not be parsed.
package struct PathSyntaxError: Error, Sendable, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}

extension JSONValue {
    /// Follows `components` from this value; nil when any step is missing or of the wrong kind.
    package func value(at components: some Collection<PayloadPath.Component>) -> JSONValue? {
        var current = self
        for component in components {
            switch component {
            case .key(let key):
                guard let next = current[key] else { return nil }
                current = next
            case .index(let index):
                guard let next = current[index] else { return nil }
                current = next
            }
        }
        return current
    }
}
