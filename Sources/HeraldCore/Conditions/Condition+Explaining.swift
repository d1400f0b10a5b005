/// Why a condition did not hold, for `herald explain`.
package struct ConditionFailure: Sendable, CustomStringConvertible {
    /// Where the failing test is written.
    package let location: SourceLocation
    /// The test as it reads: `identity.traits.newsletter equals true`, or `not (...)`.
    package let condition: String
    /// The value the event had there: JSON text, or `<missing>`.
    package let seen: String

    package var description: String { "\(condition) — saw \(seen) (\(location))" }
}

extension Condition {
    /// Nil when the condition holds; otherwise the tests that failed (for `any`, each alternative).
    ///
    /// Whether it holds is decided by `matches`, the daemon's own evaluation, so the two cannot
    /// disagree; the failures only explain that verdict.
    package func explain(_ event: Event) -> [ConditionFailure]? {
        guard !matches(event) else { return nil }
        return Condition.failures(root, event)
    }

    private static func failures(_ node: Node, _ event: Event) -> [ConditionFailure] {
        switch node {
        case .all(let children):
            for child in children {
                let failed = failures(child, event)
                if !failed.isEmpty { return failed }
            }
            return []
        case .any(let children):
            var all: [ConditionFailure] = []
            for child in children {
                let failed = failures(child, event)
                if failed.isEmpty { return [] }
                all += failed
            }
            return all
        case .not(let child, let location):
            guard evaluate(child, event) else { return [] }
            return [ConditionFailure(location: location, condition: "not (\(describe(child)))", seen: "it held")]
        case .test(let test):
            if test.predicate.holds(for: event.value(at: test.path)) { return [] }
            let value = event.value(at: test.path)
            return [
                ConditionFailure(location: test.location, condition: test.summary, seen: value?.preview ?? "<missing>")
            ]
        }
    }

    private static func describe(_ node: Node) -> String {
        switch node {
        case .all(let children): return children.map(describe).joined(separator: " and ")
        case .any(let children): return children.map(describe).joined(separator: " or ")
        case .not(let child, _): return "not (\(describe(child)))"
        case .test(let test): return test.summary
        }
    }
}
