import HeraldCore

/// Which Kratos hooks Herald's routes need (design §8, reference/kratos-webhooks.md §1.4–1.5, §3.5):
/// one `web_hook` per flow and phase a route listens to, repeated in every per-method list where
/// Kratos reads only those, plus the courier when a route listens to `courier.*`.
public struct KratosHookPlan: Sendable {
    /// How Kratos treats Herald's answer.
    public enum Response: Sendable, Equatable {
        /// `response: {ignore: true}`: Kratos goes on at once and calls Herald in the background
        /// (still three tries). For hooks that only plan jobs: a Herald outage never blocks users.
        case ignore
        /// `response: {ignore: false, parse: true}`: Kratos waits, and turns a 4xx `{"messages":…}`
        /// answer into form errors. For hooks that may deny. Without `parse` (or the deprecated
        /// `can_interrupt`), Kratos reports any 4xx as a generic 502 and never reads the messages.
        case parse
    }

    /// One `web_hook` entry at one place in Kratos' configuration.
    public struct Hook: Sendable, Equatable {
        public let flow: String
        /// `before` or `after`.
        public let phase: String
        /// The per-method list (`password`, `oidc`, …), or nil for `<phase>.hooks`.
        public let method: String?
        /// A pre-persist hook at `…/after?mode=decide` that only consults deny routes.
        public let decide: Bool
        public let response: Response

        /// `registration.after.password.hooks`
        public var location: String {
            ([flow, phase] + (method.map { [$0] } ?? []) + ["hooks"]).joined(separator: ".")
        }

        /// `/v1/events/registration/after?mode=decide`
        public var path: String { "/v1/events/\(flow)/\(phase)" + (decide ? "?mode=decide" : "") }

        /// `herald-registration-after-decide`: shown in Kratos' logs and traces.
        public var id: String { "herald-\(flow)-\(phase)" + (decide ? "-decide" : "") }
    }

    /// The per-method `after` lists of each flow that has them (reference §1.4). Kratos runs
    /// `after.<method>.hooks` instead of `after.hooks` once that list exists, and reads
    /// pre-persist hooks only from these lists, so Herald's hook goes into every one of them.
    public static let afterMethods: [String: [String]] = [
        "registration": ["password", "webauthn", "passkey", "oidc", "code"],
        "login": ["password", "webauthn", "passkey", "oidc", "code", "totp", "lookup_secret"],
        "settings": ["password", "totp", "oidc", "webauthn", "passkey", "lookup_secret", "profile"],
    ]

    /// The hooks, grouped by flow in `EventName.flows` order, `before` before `after`.
    public let hooks: [Hook]
    /// True when a route listens to a courier event: Kratos' courier should deliver over HTTP.
    public let courier: Bool
    /// The flow events some route listens to (deny routes included).
    public let events: [EventName]
    /// The flow events some deny route listens to.
    public let denyEvents: [EventName]

    public init(rules: RuleSet) {
        var jobEvents = Set<EventName>()
        var denyEvents = Set<EventName>()
        var courier = false
        for route in rules.routes {
            for name in route.events.flatMap(\.knownMatches) {
                if name.isCourier {
                    courier = courier || route.denial == nil
                } else if route.denial != nil {
                    denyEvents.insert(name)
                } else {
                    jobEvents.insert(name)
                }
            }
        }
        var hooks: [Hook] = []
        for flow in EventName.flows {
            let before = EventName(flow: flow, phase: "before")
            if denyEvents.contains(before) {
                hooks.append(Hook(flow: flow, phase: "before", method: nil, decide: false, response: .parse))
            } else if jobEvents.contains(before) {
                hooks.append(Hook(flow: flow, phase: "before", method: nil, decide: false, response: .ignore))
            }
            let after = EventName(flow: flow, phase: "after")
            guard let methods = Self.afterMethods[flow] else {
                if jobEvents.contains(after) {
                    hooks.append(Hook(flow: flow, phase: "after", method: nil, decide: false, response: .ignore))
                }
                continue
            }
            for method in methods {
                if denyEvents.contains(after) {
                    hooks.append(Hook(flow: flow, phase: "after", method: method, decide: true, response: .parse))
                }
                if jobEvents.contains(after) {
                    hooks.append(Hook(flow: flow, phase: "after", method: method, decide: false, response: .ignore))
                }
            }
        }
        self.hooks = hooks
        self.courier = courier
        self.events = jobEvents.union(denyEvents).sorted()
        self.denyEvents = denyEvents.sorted()
    }
}
