/// How many attempts may run at once, in all (`delivery.concurrency`) and per action (an
/// action's `concurrency`, or its plugin's own default), and how long one may take.
package struct DeliveryLimits: Sendable, Equatable {
    package var global: Int
    package var perAction: [String: Int]
    package var attemptTimeout: Duration

    package init(global: Int, perAction: [String: Int] = [:], attemptTimeout: Duration = .seconds(30)) {
        self.global = global
        self.perAction = perAction
        self.attemptTimeout = attemptTimeout
    }
}

/// The attempts an executor has under way, by action: the one count the limits are checked
/// against, whichever store the jobs come from.
package struct AttemptSlots: Sendable, Equatable {
    package private(set) var running = 0
    package private(set) var byAction: [String: Int] = [:]

    package init() {}

    /// What may be claimed now under `limits`, of `actions`.
    package func request(_ limits: DeliveryLimits, actions: Set<String>) -> ClaimRequest {
        var perAction: [String: Int] = [:]
        for (action, limit) in limits.perAction where actions.contains(action) {
            perAction[action] = max(0, limit - byAction[action, default: 0])
        }
        return ClaimRequest(count: max(0, limits.global - running), perAction: perAction, actions: actions)
    }

    /// Whether an attempt of `action` may start now under `limits`.
    package func admits(_ action: String, under limits: DeliveryLimits) -> Bool {
        guard running < limits.global else { return false }
        guard let limit = limits.perAction[action] else { return true }
        return byAction[action, default: 0] < limit
    }

    /// An attempt of `action` starts.
    package mutating func take(_ action: String) {
        running += 1
        byAction[action, default: 0] += 1
    }

    /// An attempt of `action` ended.
    package mutating func release(_ action: String) {
        running -= 1
        let left = byAction[action, default: 1] - 1
        byAction[action] = left > 0 ? left : nil
    }
}
