import HeraldConfig
import HeraldCore

/// Runs route tests against a configuration, as the daemon would decide and plan (nothing is
/// sent or stored), and says for each failure what was expected and what happened.
enum RouteTestRunner {
    struct Result {
        let test: RouteTest
        /// Empty when the test passed.
        let differences: [String]
        var passed: Bool { differences.isEmpty }
    }

    static func run(_ test: RouteTest, configuration: HeraldConfiguration) -> Result {
        guard let document = try? JSONDocument(parsing: test.payload.serialized()) else {
            return Result(test: test, differences: ["the payload cannot be read back as JSON"])
        }
        let event = Event(
            id: TimeOrderedIDGenerator().next(), name: test.event, receivedAt: .now, triggerID: nil,
            payload: document.root, hookMethod: test.method)
        let decision = IngressDecision.decide(event, rules: configuration.rules, decideOnly: test.decideOnly)
        var plan = EventPlan()
        var denials: [DenyMessage] = []
        switch decision {
        case .deny(let messages): denials = messages
        case .allow: break
        case .plan: plan = configuration.rules.plan(event, ids: TimeOrderedIDGenerator())
        }
        let planned = plan.routePlans.filter { !$0.jobs.isEmpty }.map(\.route)
        var differences: [String] = []
        func got() -> String {
            if !denials.isEmpty {
                return "denied by " + denials.map { "'\($0.route)' (\($0.status): \($0.text))" }.joined(separator: ", ")
            }
            return planned.isEmpty ? "nothing planned" : "jobs from \(list(planned))"
        }
        switch test.expectation {
        case .nothing:
            if !denials.isEmpty || !planned.isEmpty { differences.append("expected nothing; got \(got())") }
        case .deny(let expected):
            guard
                let denial = denials.first(where: { denial in
                    (expected.route == nil || denial.route == expected.route)
                        && (expected.status == nil || denial.status == expected.status)
                        && (expected.message.map { denial.text.contains($0) } ?? true)
                })
            else {
                var wanted = "a denial"
                if let route = expected.route { wanted += " by '\(route)'" }
                if let status = expected.status { wanted += " with \(status)" }
                if let message = expected.message { wanted += " saying \"\(message)\"" }
                differences.append("expected \(wanted); got \(got())")
                break
            }
            _ = denial
        case .plan(let routes, let jobs):
            if !denials.isEmpty { differences.append("expected jobs; got \(got())") }
            if let routes, routes != planned {
                differences.append("routes: expected \(list(routes)), got \(list(planned))")
            }
            if let jobs { differences += compare(jobs, with: plan.jobs, configuration: configuration) }
        }
        return Result(test: test, differences: differences)
    }

    private static func compare(
        _ expected: [RouteTest.ExpectedJob], with jobs: [Job], configuration: HeraldConfiguration
    )
        -> [String]
    {
        var differences: [String] = []
        if expected.count != jobs.count {
            differences.append(
                "jobs: expected \(expected.count), got \(jobs.count)"
                    + (jobs.isEmpty ? "" : " (\(jobs.map { "\($0.route) → \($0.action)" }.joined(separator: ", ")))"))
        }
        for (index, (want, job)) in zip(expected, jobs).enumerated() {
            let label = "job \(index + 1)"
            if let route = want.route, route != job.route {
                differences.append("\(label) route: expected '\(route)', got '\(job.route)'")
            }
            if let action = want.action, action != job.action {
                differences.append("\(label) action: expected '\(action)', got '\(job.action)'")
            }
            for field in want.fields {
                let found = value(at: field.path, in: job.payload)
                guard found != field.value else { continue }
                let shown = found.map { configuration.redacting(text($0)) } ?? "nothing (no such path)"
                differences.append(
                    "\(label) \(field.path): expected \(configuration.redacting(text(field.value))), got \(shown)")
            }
        }
        return differences
    }

    /// The value at `path` (`request.message.to[0].email`) in `json`.
    static func value(at path: String, in json: JSON) -> JSON? {
        var current: JSON? = json
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            var name = Substring(part)
            var indexes: [Int] = []
            while name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
                guard let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) else {
                    return nil
                }
                indexes.insert(index, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { current = current?[String(name)] }
            for index in indexes { current = current?[index] }
        }
        return current
    }

    private static func text(_ value: JSON) -> String {
        String(decoding: value.serialized(), as: UTF8.self)
    }

    private static func list(_ names: [String]) -> String {
        "[" + names.joined(separator: ", ") + "]"
    }
}
