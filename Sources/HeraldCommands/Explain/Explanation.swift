import HeraldConfig
import HeraldCore

/// `herald explain`: what the configuration does with one payload — which routes match, which
/// do not and why, and the jobs it would plan — without sending anything.
package enum Explanation {
    package static func render(_ configuration: HeraldConfiguration, event: Event) -> String {
        var lines: [String] = []
        lines.append("event \(event.name)")
        let derived = DerivedField.allCases.filter { ![.id, .receivedAt, .name].contains($0) }.map { field in
            "\(field.path)=\(event.derived(field) ?? "<none>")"
        }
        lines.append("  " + derived.joined(separator: "  "))
        lines.append("")
        let matched = Set(configuration.rules.match(event).map(\.name))
        let denials = configuration.rules.decide(event)
        // The daemon's own decision: a denied before hook plans nothing (after hooks are denied
        // only by their separate ?mode=decide hook, so the post-persist hook's jobs are shown).
        let plan: EventPlan
        switch IngressDecision.decide(event, rules: configuration.rules, decideOnly: false) {
        case .deny, .allow: plan = EventPlan()
        case .plan: plan = configuration.rules.plan(event, ids: TimeOrderedIDGenerator())
        }
        var stopped = false
        for route in configuration.rules.routes {
            let header = "route '\(route.name)' (\(route.location))"
            guard route.listens(to: event.name) else {
                lines.append(
                    "\(header): not listening (events: \(route.events.map(\.description).joined(separator: ", ")))")
                continue
            }
            if let denial = denials.first(where: { $0.route == route.name }) {
                lines.append("\(header): DENY with \(denial.status) — \(denial.field): \(denial.text)")
                continue
            }
            if route.denial != nil {
                lines.append("\(header): no denial")
                for failure in route.condition.explain(event) ?? [] {
                    lines.append("  failed: \(failure.condition)")
                    lines.append("     saw: \(failure.seen)   at \(failure.location)")
                }
                continue
            }
            if stopped {
                lines.append("\(header): skipped, an earlier matching route has stop: true")
                continue
            }
            guard matched.contains(route.name) else {
                lines.append("\(header): no match")
                for failure in route.condition.explain(event) ?? [] {
                    lines.append("  failed: \(failure.condition)")
                    lines.append("     saw: \(failure.seen)   at \(failure.location)")
                }
                continue
            }
            lines.append("\(header): MATCH\(route.stop ? " (stop: true)" : "")")
            for (index, job) in plan.jobs.enumerated() where job.route == route.name {
                let kind = configuration.actions[job.action]?.kind ?? "?"
                lines.append(
                    "  job \(index + 1) → action '\(job.action)' (\(kind))\(job.orderingKey.map { ", in order for \($0)" } ?? "")"
                )
                let payload = configuration.redacting(job.payload.prettyPrinted())
                lines += payload.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
            }
            for (action, reason) in plan.routePlans.first(where: { $0.route == route.name })?.nothing ?? [] {
                lines.append("  step of action '\(action)' plans no job: \(reason)")
            }
            if let delay = route.delay {
                lines.append("  the jobs run \(delay.compactDescription) after the event (delay)")
            }
            if let dedupe = plan.routePlans.first(where: { $0.route == route.name })?.dedupe {
                lines.append("  fires once per \(dedupe.window.compactDescription) for dedupe key '\(dedupe.key)'")
            }
            for missing in plan.missingPaths where missing.route == route.name {
                lines.append("  note: '\(missing.path)' is missing from the payload; rendered empty")
            }
            if route.stop { stopped = true }
        }
        lines.append("")
        if !denials.isEmpty {
            lines.append("Kratos would be answered \(denials.status) with:")
            lines.append(denials.kratosBody.prettyPrinted())
            lines.append("(before hooks, and pre-persist hooks called with ?mode=decide; a denied event plans no jobs)")
        }
        lines.append("\(plan.routes.count) route(s) matched, \(plan.jobs.count) job(s) planned; nothing was sent.")
        return lines.joined(separator: "\n") + "\n"
    }
}
