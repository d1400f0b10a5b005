/// One compiled routing rule (design §6.1): which events, under which condition, lead to which
/// steps.
/// A class, not a struct: matching an event hands routes around, and copying a struct of a dozen
/// references costs a retain and release of each (perf: route copies in loading and planning).
public final class Route: Sendable {
    /// `dedupe: {key, window}`: the route fires at most once per rendered key within the window.
    public struct Dedupe: Sendable {
        public let key: Template
        public let window: Duration

        public init(key: Template, window: Duration) {
            self.key = key
            self.window = window
        }
    }

    public let name: String
    public let events: [EventPattern]
    public let condition: Condition
    /// The `do:` steps, in order; each plans one job.
    public let steps: [any ActionStep]
    /// Set for a decision route (`do: [{deny: …}]`), which plans no jobs.
    public let denial: Denial?
    /// When true, routes after this one are not considered for events it matched.
    public let stop: Bool
    public let dedupe: Dedupe?
    /// `delay:`: the jobs run this long after the event.
    public let delay: Duration?
    /// `methods:`: the Kratos methods (per-method hook lists) the route is for; nil for all.
    public let methods: [String]?
    /// `ordered:` (default true): its jobs' first attempts wait for earlier jobs of the same
    /// action and recipient. Time-critical mail (codes) says false.
    public let ordered: Bool
    /// Where the route is defined, for messages.
    public let location: SourceLocation

    public init(
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
    public func accepts(method: String?) -> Bool {
        guard let methods, let method else { return true }
        return methods.contains(method)
    }

    /// True when one of the route's patterns matches `name`.
    public func listens(to name: EventName) -> Bool {
        events.contains { $0.matches(name) }
    }
}
