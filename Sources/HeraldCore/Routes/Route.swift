/// One compiled routing rule (design §6.1): which events, under which condition, lead to which
/// steps.
/// A class, not a struct: matching an event hands routes around, and copying a struct of a dozen
/// references costs a retain and release of each (perf: route copies in loading and planning).
package final class Route: Sendable {
    /// `dedupe: {key, window}`: the route fires at most once per rendered key within the window.
    package struct Dedupe: Sendable {
        package let key: Template
        package let window: Duration

        package init(key: Template, window: Duration) {
            self.key = key
            self.window = window
        }
    }

    package let name: String
    package let events: [EventPattern]
    package let condition: Condition
    /// The `do:` steps, in order; each plans one job.
    package let steps: [any ActionStep]
    /// Set for a decision route (`do: [{deny: …}]`), which plans no jobs.
    package let denial: Denial?
    /// When true, routes after this one are not considered for events it matched.
    package let stop: Bool
    package let dedupe: Dedupe?
    /// `delay:`: the jobs run this long after the event.
    package let delay: Duration?
    /// `methods:`: the Kratos methods (per-method hook lists) the route is for; nil for all.
    package let methods: [String]?
    /// `ordered:` (default true): its jobs' first attempts wait for earlier jobs of the same
    /// action and recipient. Time-critical mail (codes) says false.
    package let ordered: Bool
    /// Where the route is defined, for messages.
    package let location: SourceLocation

    package init(
        name: String, events: [EventPattern], condition: Condition, steps: [any ActionStep], stop: Bool,
        dedupe: Dedupe? = nil, delay: Duration? = nil, denial: Denial? = nil, methods: [String]? = nil,
        ordered: Bool = true, location: SourceLocation
    ) {
        self.methods = methods
        self.ordered = ordered
        self.denial = denial
        self.name = name
        self.events = events
        self.condition = condition
        self.steps = steps
        self.stop = stop
        self.dedupe = dedupe
        self.delay = delay
        self.location = location
    }

    /// True unless the route names its methods and the event's method is known and not one of them.
    package func accepts(method: String?) -> Bool {
        guard let methods, let method else { return true }
        return methods.contains(method)
    }

    /// True when one of the route's patterns matches `name`.
    package func listens(to name: EventName) -> Bool {
        events.contains { $0.matches(name) }
    }
}
