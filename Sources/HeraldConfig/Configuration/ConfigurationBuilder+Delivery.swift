import HeraldCore

/// `delivery:` — concurrency, the attempt timeout and the retry schedule.
extension ConfigurationBuilder {
    mutating func readDelivery(_ node: ConfigNode) {
        guard
            let map = ConfigMap(
                node, keys: ["retry", "concurrency", "timeout"], what: "'delivery'", diagnostics: diagnostics)
        else { return }
        if let value = map.int("concurrency", in: 1...1024) { delivery.concurrency = value }
        // A zero deadline fails every attempt of a network action before it sends anything.
        if let value = map.duration("timeout", atLeast: .milliseconds(100)) { delivery.attemptTimeout = value }
        guard let retryNode = map.node("retry"),
            let retry = ConfigMap(
                retryNode, keys: ["schedule", "jitter", "max_age"], what: "'delivery.retry'", diagnostics: diagnostics)
        else { return }
        if let schedule = retry.node("schedule") {
            if let items = schedule.sequence, !items.isEmpty {
                let durations = items.compactMap { ConfigMap.duration($0, key: "schedule", diagnostics: diagnostics) }
                if durations.count == items.count { delivery.retrySchedule = durations }
            } else {
                diagnostics.error(
                    "'schedule' must be a non-empty list of durations such as [5s, 30s, 2m]", at: schedule)
            }
        }
        if let value = retry.double("jitter", in: 0...1) { delivery.jitter = value }
        if let value = retry.duration("max_age") { delivery.maxAge = value }
        // max_age counts from when a job is due (after its route's delay), so a delay never uses
        // it up; but a max_age shorter than the first wait leaves no room for any retry.
        if let first = delivery.retrySchedule.first, delivery.maxAge < first {
            diagnostics.warning(
                "max_age \(delivery.maxAge.compactDescription) is shorter than the first retry wait \(first.compactDescription): a failed attempt is never retried",
                at: retry.node("max_age") ?? retryNode)
        }
    }
}
