/// What the ingress does with an event before storing anything (design §6.4): one decision that
/// the daemon and `herald explain` both take, so they cannot drift apart.
package enum IngressDecision: Sendable {
    /// Answer Kratos with these messages (a 4xx it shows on the form or as an error page).
    case deny([DenyMessage])
    /// A decide-only (pre-persist, `?mode=decide`) hook where nothing denies: answer 204, plan nothing.
    case allow
    /// Plan the event's jobs.
    case plan

    /// Deny routes answer `before` hooks and decide-only hooks; every other call plans jobs (a
    /// post-persist hook of a flow with deny routes skips them: its decide hook ran already).
    package static func decide(_ event: Event, rules: RuleSet, decideOnly: Bool) -> IngressDecision {
        guard Denial.canDeny(event.name), event.name.phase == "before" || decideOnly else { return .plan }
        let denials = rules.decide(event)
        if !denials.isEmpty { return .deny(denials) }
        return decideOnly ? .allow : .plan
    }
}
