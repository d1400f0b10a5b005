/// One thing to do: an action to perform with content rendered when the event was routed.
///
/// Jobs are planned on the request path, stored before the event is acknowledged, and performed
/// later by the scheduler, possibly more than once (at-least-once delivery). The payload is
/// exactly what will be sent, minus secrets, which the action adds when it performs the job.
package struct Job: Sendable {
    package let id: TimeOrderedID
    package let eventID: TimeOrderedID
    package let eventName: EventName
    /// The route that planned the job.
    package let route: String
    /// The configured action (`actions:` key) that performs it.
    package let action: String
    /// What the action's step rendered; the action reads it back in `perform`.
    package let payload: JSON
    /// Jobs with the same key are performed in the order they were planned.
    package let orderingKey: String?
    package let createdAt: WallClock
    /// The earliest time the job may run (later than `createdAt` for `delay:` routes and retries).
    package var notBefore: WallClock
    /// Attempts made so far.
    package var attempts: Int
    /// When the job was first due: `createdAt`, or later for a `delay:` route. `max_age` counts
    /// from here, so a job delayed by a day still gets its retries.
    package let dueAt: WallClock
    /// The trace the event came with (or the one Herald started for it), naming the ingress'
    /// span: each attempt's span is its child. nil for jobs stored before Herald kept traces.
    package var trace: TraceContext?

    /// - Parameters:
    ///   - dueAt: when the job is first due; `notBefore` when nil.
    ///   - trace: the event's trace, naming the ingress span.
    package init(
        id: TimeOrderedID, eventID: TimeOrderedID, eventName: EventName, route: String, action: String,
        payload: JSON, orderingKey: String?, createdAt: WallClock, notBefore: WallClock, attempts: Int = 0,
        dueAt: WallClock? = nil, trace: TraceContext? = nil
    ) {
        self.dueAt = dueAt ?? notBefore
        self.trace = trace
        self.id = id
        self.eventID = eventID
        self.eventName = eventName
        self.route = route
        self.action = action
        self.payload = payload
        self.orderingKey = orderingKey
        self.createdAt = createdAt
        self.notBefore = notBefore
        self.attempts = attempts
    }
}

/// What a step plans for one event, before it becomes a `Job`.
package struct PlannedJob: Sendable {
    package var payload: JSON
    package var orderingKey: String?
    /// Set when the step has nothing to do for this event (its recipient rendered empty or is not
    /// an address): no job is made, and the reason is logged and counted instead.
    package var nothingBecause: String?

    package init(payload: JSON, orderingKey: String?) {
        self.payload = payload
        self.orderingKey = orderingKey
    }

    /// No job: the step cannot do anything for this event, for `reason` (log-safe: no personal data).
    package static func nothing(because reason: String) -> PlannedJob {
        var planned = PlannedJob(payload: .null, orderingKey: nil)
        planned.nothingBecause = reason
        return planned
    }
}

/// How an attempt to perform a job ended.
package enum Outcome: Sendable, Equatable {
    /// Done. `detail` is a short, log-safe note such as the provider's message id.
    case delivered(detail: String)
    /// Not done, worth trying again: at the next step of the retry schedule, or not before
    /// `after` when the peer said so (e.g. `Retry-After`). `ambiguous` marks attempts that may
    /// have taken effect (a timeout after the request was sent), which can produce a duplicate.
    case retry(after: Duration?, reason: String, ambiguous: Bool)
    /// Will never succeed as it is (bad key, rejected recipient, unknown template); no retry.
    case failed(reason: String)

    /// A one-word label for logs and metrics.
    /// The label of a retry whose attempt may have taken effect.
    package static let ambiguousRetryLabel = "retry_ambiguous"

    package var label: String {
        switch self {
        case .delivered: return "delivered"
        case .retry(_, _, let ambiguous): return ambiguous ? Outcome.ambiguousRetryLabel : "retry"
        case .failed: return "failed"
        }
    }
}
