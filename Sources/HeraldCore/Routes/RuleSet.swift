/// The compiled, immutable routing rules. Built once per config load; a reload swaps the whole
/// rule set.
package struct RuleSet: Sendable {
    package let routes: [Route]
    /// For each known event, the indexes of the routes that listen to it, so that routing an
    /// event looks at its candidates only.
    private let candidates: [EventName: [Int]]

    package init(routes: [Route]) {
        self.routes = routes
        var candidates: [EventName: [Int]] = [:]
        for name in EventName.known { candidates[name] = [] }
        for (index, route) in routes.enumerated() {
            for name in EventName.known where route.listens(to: name) { candidates[name, default: []].append(index) }
        }
        self.candidates = candidates
    }

    /// The routes that listen to `name`, in file order (before conditions are checked).
    package func routes(listeningTo name: EventName) -> [Route] {
        if let indexes = candidates[name] { return indexes.map { routes[$0] } }
        return routes.filter { $0.listens(to: name) }
    }

    /// The routes that fire for `event`: every listening route whose condition holds, in file
    /// order, up to and including the first matching route with `stop: true`. Decision routes
    /// (`deny:`) and job routes are matched separately: `decisions` says which.
    package func match(_ event: Event, decisions: Bool = false) -> [Route] {
        var matched: [Route] = []
        let indexes = candidates[event.name] ?? routes.indices.filter { routes[$0].listens(to: event.name) }
        for index in indexes {
            let route = routes[index]
            guard (route.denial != nil) == decisions, route.accepts(method: event.method),
                route.condition.matches(event)
            else { continue }
            matched.append(route)
            if route.stop { break }
        }
        return matched
    }
}
