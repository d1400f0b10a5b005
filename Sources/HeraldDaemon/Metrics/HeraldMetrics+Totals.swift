import HeraldConsole

extension HeraldMetrics {
    /// Events received, jobs delivered and failed attempts so far (every series summed): what
    /// the console's activity chart samples. Atomic loads only.
    package var activityTotals: ActivityRing.Totals {
        var events = otherEventReceived.value
        for counter in eventsReceived.values { events &+= counter.value }
        var delivered: UInt64 = 0
        var failed: UInt64 = 0
        for series in actions.withLock({ Array($0.values) }) {
            delivered &+= series.outcomes[0].value
            for index in 1..<series.outcomes.count { failed &+= series.outcomes[index].value }
        }
        return ActivityRing.Totals(events: events, delivered: delivered, failed: failed)
    }
}
