/// One compiled routing rule (design §6.1): which events, under which condition, lead to which
/// steps.
public struct Route: Sendable {
    public let name: String
    public let events: [EventPattern]
    public let condition: Condition
    /// The `do:` steps, in order; each plans one job.
    public let steps: [any ActionStep]
    /// When true, routes after this one are not considered for events it matched.
    public let stop: Bool
    /// Where the route is defined, for messages.
    public let location: SourceLocation

    public init(
        name: String, events: [EventPattern], condition: Condition, steps: [any ActionStep], stop: Bool,
        location: SourceLocation
    ) {
        self.name = name
        self.events = events
        self.condition = condition
        self.steps = steps
        self.stop = stop
        self.location = location
    }

    /// True when one of the route's patterns matches `name`.
    public func listens(to name: EventName) -> Bool {
        events.contains { $0.matches(name) }
    }
}
