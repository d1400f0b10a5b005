import HeraldCore

/// When to try a job again (design §5, §7): the configured schedule with jitter, then its last
/// step repeated until `max_age`; a plugin's `retry(after:)` wins when later.
package struct RetryPolicy: Sendable, Equatable {
    package let schedule: [Duration]
    package let jitter: Double
    package let maxAge: Duration

    /// - Parameter schedule: the waits after the first, second, … failed attempt; never empty.
    package init(schedule: [Duration], jitter: Double, maxAge: Duration) {
        self.schedule = schedule.isEmpty ? [.seconds(5)] : schedule
        self.jitter = jitter
        self.maxAge = maxAge
    }

    /// The time of the next attempt after `attempts` failed ones, or nil when the job would be
    /// older than `max_age` by then, counted from `seriesStart`.
    package func nextAttempt(
        after attempts: Int, seriesStart: WallClock, now: WallClock, requested: Duration?,
        random: Double = Double.random(in: -1...1)
    ) -> WallClock? {
        let next = now.adding(delay(after: attempts, requested: requested, random: random))
        return next - seriesStart > maxAge ? nil : next
    }

    /// The wait before the next attempt after `attempts` failed ones: the schedule's step with
    /// jitter, or the peer's `requested` wait when later.
    package func delay(after attempts: Int, requested: Duration?, random: Double = Double.random(in: -1...1))
        -> Duration
    {
        let base = schedule[min(max(attempts, 1), schedule.count) - 1]
        var delay = base * (1 + jitter * random)
        if let requested, requested > delay { delay = requested }
        return delay
    }
}
