/// What routing one event produced: the routes that fired and the jobs they planned.
public struct EventPlan: Sendable {
    /// Names of the routes that matched, in order.
    public var routes: [String] = []
    public var jobs: [Job] = []
    /// Template paths that were missing from the payload (no default), per route, for the log.
    public var missingPaths: [(route: String, path: String)] = []

    public init() {}
}

extension RuleSet {
    /// Routes `event` and renders a job for every step of every matching route. Pure and quick:
    /// it runs on the request path.
    public func plan(_ event: Event, ids: TimeOrderedIDGenerator) -> EventPlan {
        var plan = EventPlan()
        for route in match(event) {
            plan.routes.append(route.name)
            for step in route.steps {
                var report = RenderReport()
                let planned = step.plan(event, report: &report)
                for path in report.missingPaths { plan.missingPaths.append((route.name, path)) }
                plan.jobs.append(
                    Job(
                        id: ids.next(), eventID: event.id, eventName: event.name, route: route.name, action: step.action,
                        payload: planned.payload, orderingKey: planned.orderingKey, createdAt: event.receivedAt,
                        notBefore: event.receivedAt))
            }
        }
        return plan
    }
}
