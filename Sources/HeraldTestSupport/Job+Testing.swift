import HeraldCore

extension Job {
    /// A job as the scheduler would make it from `planned`, for tests that plan and perform
    /// without a spool.
    package static func testing(
        _ planned: PlannedJob, event: Event, route: String = "test", action: String,
        id: TimeOrderedID = TimeOrderedID(high: 0x0190_0000_0000_0002, low: 7), attempts: Int = 0
    ) -> Job {
        let now = WallClock.now
        return Job(
            id: id, eventID: event.id, eventName: event.name, route: route, action: action, payload: planned.payload,
            orderingKey: planned.orderingKey, createdAt: now, notBefore: now, attempts: attempts)
    }
}

extension DeliveryContext {
    /// A context with a deadline `timeout` from now.
    package static func testing(
        timeout: Duration = .seconds(30), attempt: Int = 1, logger: Logger = .discarding,
        clock: any TimeSource = SystemTimeSource(), trace: TraceContext? = nil
    ) -> DeliveryContext {
        DeliveryContext(logger: logger, clock: clock, deadline: .now + timeout, attempt: attempt, trace: trace)
    }
}
