/// What routing one event produced: the routes that fired and the jobs they planned.
package struct EventPlan: Sendable {
    /// The jobs of one matching route.
    package struct RoutePlan: Sendable {
        package let route: String
        package var jobs: [Job]
        /// Steps that planned nothing for this event, with why (an empty recipient, say).
        package var nothing: [(action: String, reason: String)] = []
        /// The route's rendered `dedupe:` key (`route:<name>:<rendered>`) and window, if it has one.
        package let dedupe: (key: String, window: Duration)?
    }

    package var routePlans: [RoutePlan] = []
    /// Template paths that were missing from the payload (no default), per route, for the log.
    package var missingPaths: [(route: String, path: String)] = []

    package init() {}

    /// Names of the routes that matched, in order.
    package var routes: [String] { routePlans.map(\.route) }
    /// Every job, in route order.
    package var jobs: [Job] { routePlans.flatMap(\.jobs) }
}

extension RuleSet {
    /// Routes `event` and renders a job for every step of every matching route. Pure and quick:
    /// it runs on the request path.
    package func plan(_ event: Event, ids: TimeOrderedIDGenerator) -> EventPlan {
        var plan = EventPlan()
        for route in match(event) {
            var report = RenderReport()
            let notBefore = route.delay.map { event.receivedAt.adding($0) } ?? event.receivedAt
            var jobs: [Job] = []
            var nothing: [(action: String, reason: String)] = []
            for step in route.steps {
                let planned = step.plan(event, report: &report)
                if let reason = planned.nothingBecause {
                    nothing.append((step.action, reason))
                    continue
                }
                // A delayed job is meant to come later; it must not hold back the recipient's other
                // mail. A route that says `ordered: false` (codes) never waits for earlier mail.
                let orderingKey = route.delay == nil && route.ordered ? planned.orderingKey : nil
                jobs.append(
                    Job(
                        id: ids.next(), eventID: event.id, eventName: event.name, route: route.name,
                        action: step.action,
                        payload: planned.payload, orderingKey: orderingKey, createdAt: event.receivedAt,
                        notBefore: notBefore, trace: event.trace))
            }
            let dedupe = route.dedupe.map { rule in
                ("route:\(route.name):\(rule.key.render(event, report: &report))", rule.window)
            }
            for path in report.missingPaths { plan.missingPaths.append((route.name, path)) }
            plan.routePlans.append(
                EventPlan.RoutePlan(route: route.name, jobs: jobs, nothing: nothing, dedupe: dedupe))
        }
        return plan
    }
}
