import HeraldCore

/// What the executor takes from the configuration, swapped whole on reload: attempts that start
/// after a swap use the new one, attempts under way finish with the one they started with.
package struct DeliverySnapshot: Sendable {
    /// The configured actions by name.
    package let actions: [String: any Action]
    /// Their names, asked for by every claim.
    package let actionNames: Set<String>
    package let limits: DeliveryLimits
    package let retry: RetryPolicy

    package init(actions: [String: any Action], limits: DeliveryLimits, retry: RetryPolicy) {
        self.actions = actions
        actionNames = Set(actions.keys)
        self.limits = limits
        self.retry = retry
    }
}

/// Watches what the executor does, for metrics (HeraldMetrics) and, later, traces: called once
/// per attempt, off the executor's loop. Must not block.
package protocol DeliveryObserver: Sendable {
    /// An attempt of `action` ended with `outcome` after `latency`.
    func attemptEnded(action: String, outcome: Outcome, latency: Duration)
    /// The store recorded `verdict` for a job of `action`.
    func verdictRecorded(action: String, _ verdict: AttemptVerdict)
    /// A plugin counted something it wants watched (`DeliveryContext.count`).
    func pluginEvent(action: String, event: String)
}
