import HeraldCore

/// Which Kratos hooks Herald's routes need (design §8, docs/kratos-compatibility.md): one
/// `web_hook` per flow and phase a route listens to, repeated in every per-method list where
/// Kratos reads only those, each naming its method in its URL; the pre-persist decide hooks of
/// deny routes; and the courier when a route listens to `courier.*`.
package struct KratosHookPlan: Sendable {
    /// How Kratos treats Herald's answer.
    package enum Response: Sendable, Equatable {
        /// `response: {ignore: true}`: Kratos goes on at once and calls Herald in the background
        /// (still three tries). For hooks that only plan jobs: a Herald outage never blocks users.
        case ignore
        /// `response: {ignore: false, parse: true}`: Kratos waits, and turns a 4xx `{"messages":…}`
        /// answer into form errors. For hooks that may deny. Without `parse` (or the deprecated
        /// `can_interrupt`), Kratos reports any 4xx as a generic 502 and never reads the messages.
        case parse
    }

    /// One entry at one place in Kratos' configuration.
    package struct Hook: Sendable, Equatable {
        package let flow: String
        /// `before` or `after`.
        package let phase: String
        /// The per-method list (`password`, `oidc`, …), or nil for `<phase>.hooks`.
        package let method: String?
        /// A pre-persist hook at `…/after?mode=decide` that only consults deny routes.
        package let decide: Bool
        package let response: Response
        /// A hook of Kratos' own (`notify_previous_addresses`) instead of a `web_hook` to Herald.
        package let builtin: String?

        init(
            flow: String, phase: String, method: String?, decide: Bool = false, response: Response = .ignore,
            builtin: String? = nil
        ) {
            self.flow = flow
            self.phase = phase
            self.method = method
            self.decide = decide
            self.response = response
            self.builtin = builtin
        }

        /// `registration.after.password.hooks`
        package var location: String {
            ([flow, phase] + (method.map { [$0] } ?? []) + ["hooks"]).joined(separator: ".")
        }

        /// `/v1/events/registration/after?mode=decide&method=password`: the method tells Herald
        /// what Kratos' body does not (it sets `flow.active` only for some methods).
        package var path: String {
            var query: [String] = []
            if decide { query.append("mode=decide") }
            if let method { query.append("method=\(method)") }
            return "/v1/events/\(flow)/\(phase)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        }

        /// `herald-registration-after-password-decide`: shown in Kratos' logs and traces (v25.4+).
        package var id: String {
            (["herald", flow, phase] + (method.map { [$0] } ?? []) + (decide ? ["decide"] : [])).joined(separator: "-")
        }
    }

    /// The Kratos version the hooks are written for (and every later one).
    package let target: KratosTarget
    /// The hooks, grouped by flow in `EventName.flows` order, `before` before `after`.
    package let hooks: [Hook]
    /// True when a route listens to a courier event: Kratos' courier should deliver over HTTP.
    package let courier: Bool
    /// The flow events some route listens to (deny routes included).
    package let events: [EventName]
    /// The flow events some deny route listens to.
    package let denyEvents: [EventName]
    /// Courier events some route listens to that the target's Kratos never sends.
    package let unsentCourierEvents: [EventName]

    package init(rules: RuleSet, target: KratosTarget = .oldest) {
        self.target = target
        var jobEvents = Set<EventName>()
        var denyEvents = Set<EventName>()
        var courierEvents = Set<EventName>()
        // Courier events routes name one by one (not through `courier.*`).
        var namedCourierEvents = Set<EventName>()
        // Per flow: the method lists job routes and deny routes need.
        var jobLists: [String: Set<String>] = [:]
        var denyLists: [String: Set<String>] = [:]
        for route in rules.routes {
            for pattern in route.events where pattern.flow == "courier" && pattern.phase != "*" {
                namedCourierEvents.insert(EventName(flow: pattern.flow, phase: pattern.phase))
            }
            for name in route.events.flatMap(\.knownMatches) {
                let flow = String(name.flow)
                if name.isCourier {
                    if route.denial == nil { courierEvents.insert(name) }
                } else if route.denial != nil {
                    denyEvents.insert(name)
                    if name.phase == "after" {
                        denyLists[flow, default: []].formUnion(
                            route.methods ?? KratosMethod.defaultDenyLists(flow: flow))
                    }
                } else {
                    jobEvents.insert(name)
                    if name.phase == "after" {
                        jobLists[flow, default: []].formUnion(route.methods ?? KratosMethod.afterLists[flow] ?? [])
                    }
                }
            }
        }
        let notifies = target.hasNotifyPreviousAddresses && courierEvents.contains(Self.addressChanged)
        var hooks: [Hook] = []
        for flow in EventName.flows {
            let before = EventName(flow: flow, phase: "before")
            if denyEvents.contains(before) {
                hooks.append(Hook(flow: flow, phase: "before", method: nil, response: .parse))
            } else if jobEvents.contains(before) {
                hooks.append(Hook(flow: flow, phase: "before", method: nil))
            }
            let after = EventName(flow: flow, phase: "after")
            guard let methods = target.afterLists(of: flow) else {
                if jobEvents.contains(after) { hooks.append(Hook(flow: flow, phase: "after", method: nil)) }
                continue
            }
            for method in methods {
                if denyEvents.contains(after), denyLists[flow]?.contains(method) == true {
                    hooks.append(Hook(flow: flow, phase: "after", method: method, decide: true, response: .parse))
                }
                if jobEvents.contains(after), jobLists[flow]?.contains(method) == true {
                    hooks.append(Hook(flow: flow, phase: "after", method: method))
                }
                if notifies, flow == "settings", method == "profile" {
                    hooks.append(Hook(flow: flow, phase: "after", method: method, builtin: "notify_previous_addresses"))
                }
            }
        }
        self.hooks = hooks
        self.courier = !courierEvents.isEmpty
        self.events = jobEvents.union(denyEvents).sorted()
        self.denyEvents = denyEvents.sorted()
        self.unsentCourierEvents = namedCourierEvents.filter { !Self.sends($0, target: target) }.sorted()
    }

    static let addressChanged = EventName(flow: "courier", phase: "verifiable_address_changed")

    /// Whether Kratos at `target` sends courier messages of this template type: the eleven types
    /// of every release, `verifiable_address_changed` only with `notify_previous_addresses` (main),
    /// and `authenticator_key_added` never (it has no caller in Kratos).
    static func sends(_ name: EventName, target: KratosTarget) -> Bool {
        switch name.phase {
        case "verifiable_address_changed": return target.hasNotifyPreviousAddresses
        case "authenticator_key_added": return false
        default: return true
        }
    }
}
