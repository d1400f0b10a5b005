/// A route's compiled `when:` (design §6.2): a tree of tests on payload paths, built once when the
/// config loads and evaluated per event without allocating beyond the lookups.
package struct Condition: Sendable {
    indirect enum Node: Sendable {
        case all([Node])
        case any([Node])
        case not(Node, SourceLocation)
        case test(Test)
    }

    struct Test: Sendable {
        let path: PayloadPath
        let predicate: Predicate
        let location: SourceLocation
        /// How the test reads in messages: `identity.traits.newsletter equals true`.
        let summary: String
    }

    enum Predicate: Sendable {
        case equals(Expected)
        case oneOf([Expected])
        case matches(CompiledPattern)
        case exists(Bool)
        case prefix(String)
        case suffix(String)
        case contains(Expected)
        case compare(Comparison, Double)
    }

    enum Comparison: String, Sendable {
        case gt, gte, lt, lte
    }

    /// A scalar from the config, compared with JSON values by type: `true` matches only JSON
    /// `true`, `5` only the number 5, `"5"` only the text "5".
    enum Expected: Sendable, CustomStringConvertible {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)

        var description: String {
            switch self {
            case .null: return "null"
            case .bool(let flag): return flag ? "true" : "false"
            case .number(let number):
                return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
            case .string(let text): return "'\(text)'"
            }
        }
    }

    let root: Node

    /// A condition that always holds (a route without `when:`).
    package static let always = Condition(root: .all([]))

    /// True when the event satisfies the condition.
    package func matches(_ event: Event) -> Bool {
        Condition.evaluate(root, event)
    }

    static func evaluate(_ node: Node, _ event: Event) -> Bool {
        switch node {
        case .all(let children):
            for child in children where !evaluate(child, event) { return false }
            return true
        case .any(let children):
            for child in children where evaluate(child, event) { return true }
            return false
        case .not(let child, _):
            return !evaluate(child, event)
        case .test(let test):
            return test.predicate.holds(for: event.value(at: test.path))
        }
    }
}

/// A compiled regular expression. Swift's `Regex` is an immutable value whose matching does not
/// mutate it, so sharing it between threads is safe.
final class CompiledPattern: @unchecked Sendable {
    let source: String
    let regex: Regex<AnyRegexOutput>

    init(_ source: String) throws {
        self.source = source
        self.regex = try Regex(source)
    }

    func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }
}

extension Condition.Predicate {
    func holds(for value: FieldValue?) -> Bool {
        switch self {
        case .exists(let expected):
            let present = value != nil && value?.isNull == false
            return present == expected
        case .equals(let expected):
            return Condition.equal(value, expected)
        case .oneOf(let options):
            return options.contains { Condition.equal(value, $0) }
        case .matches(let pattern):
            guard let text = Condition.scalarText(value) else { return false }
            return pattern.matches(text)
        case .prefix(let prefix):
            return Condition.scalarText(value)?.hasPrefix(prefix) ?? false
        case .suffix(let suffix):
            return Condition.scalarText(value)?.hasSuffix(suffix) ?? false
        case .contains(let expected):
            if case .json(let json)? = value, json.kind == .array {
                return json.elements.contains { Condition.equal(.json($0), expected) }
            }
            guard case .string(let needle) = expected, let text = Condition.scalarText(value) else { return false }
            return text.contains(needle)
        case .compare(let comparison, let bound):
            guard let number = value?.number else { return false }
            switch comparison {
            case .gt: return number > bound
            case .gte: return number >= bound
            case .lt: return number < bound
            case .lte: return number <= bound
            }
        }
    }
}

extension Condition {
    /// Text of a string value or a derived field; nil for other kinds.
    static func scalarText(_ value: FieldValue?) -> String? {
        switch value {
        case .text(let text)?: return text
        case .json(let json)?: return json.string
        case nil: return nil
        }
    }

    static func equal(_ value: FieldValue?, _ expected: Expected) -> Bool {
        switch (value, expected) {
        case (nil, .null): return true
        case (nil, _): return false
        case (.text(let text)?, .string(let wanted)): return text == wanted
        case (.text?, _): return false
        case (.json(let json)?, _):
            switch (json.kind, expected) {
            case (.null, .null): return true
            case (.bool, .bool(let wanted)): return json.bool == wanted
            case (.number, .number(let wanted)): return json.number == wanted
            case (.string, .string(let wanted)): return json.stringEquals(wanted)
            default: return false
            }
        }
    }
}
