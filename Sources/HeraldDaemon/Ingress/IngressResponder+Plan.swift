import HeraldCore
import HeraldJobs

extension IngressResponder {
    /// Plans the event's jobs: claims each route's `dedupe:` key (a route whose key is taken plans
    /// nothing), and logs steps that planned nothing and template paths the payload lacked.
    func plan(_ event: Event, rules: RuleSet, receivedAt: WallClock, claimed: inout [DedupeKey]) -> EventPlan {
        var plan = rules.plan(event, ids: ids)
        metrics?.eventRouted(event.name, routes: plan.routes)
        for index in plan.routePlans.indices {
            guard let rule = plan.routePlans[index].dedupe else { continue }
            // Taken, or being taken by an event that is being stored right now: that one fires it.
            if case .claimed = dedupe.claim(rule.key, now: receivedAt) {
                claimed.append(
                    DedupeKey(rule.key, expiresAt: receivedAt.adding(rule.window), route: plan.routePlans[index].route))
            } else {
                logger.info(
                    "route suppressed by its dedupe window",
                    [
                        "event_id": .string(event.id.description), "trace_id": .string(event.traceIDText),
                        "route": .string(plan.routePlans[index].route),
                    ])
                plan.routePlans[index].jobs = []
            }
        }
        for routePlan in plan.routePlans {
            for (action, reason) in routePlan.nothing {
                logger.warning(
                    "step planned nothing",
                    [
                        "event": .string(event.name.rawValue), "event_id": .string(event.id.description),
                        "trace_id": .string(event.traceIDText), "route": .string(routePlan.route),
                        "action": .string(action), "reason": .string(reason),
                    ])
                metrics?.stepPlannedNothing(route: routePlan.route)
            }
        }
        // One line per route that met missing paths, naming them all.
        var missingByRoute: [(route: String, paths: [String])] = []
        for missing in plan.missingPaths {
            if let index = missingByRoute.firstIndex(where: { $0.route == missing.route }) {
                missingByRoute[index].paths.append(missing.path)
            } else {
                missingByRoute.append((missing.route, [missing.path]))
            }
        }
        for (route, paths) in missingByRoute {
            logger.warning(
                "template paths missing from the payload; rendered their default or empty",
                [
                    "event": .string(event.name.rawValue), "event_id": .string(event.id.description),
                    "trace_id": .string(event.traceIDText), "route": .string(route),
                    "paths": .string(paths.joined(separator: ",")),
                ])
        }
        return plan
    }
}
