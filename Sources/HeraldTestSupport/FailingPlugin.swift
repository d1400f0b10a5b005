import HeraldCore

/// `plugin: failing` — an action that never succeeds, for tests of retries, dead letters and
/// configuration errors.
///
/// ```yaml
/// actions:
///   broken:
///     plugin: failing
///     outcome: retry            # failed (default) | retry | retry_ambiguous
///     reason: "upstream down"
///     retry_after: 30s          # with retry outcomes
///     reject_steps: true        # every step naming it is a config error
/// ```
package enum FailingPlugin: ActionPlugin {
    package static let kind = "failing"
    package static let summary = "fails every job with a configured outcome (tests)"

    package static func makeAction(_ definition: ActionDefinition) -> (any Action)? {
        guard let options = definition.options(keys: ["outcome", "reason", "retry_after", "reject_steps"]) else {
            return nil
        }
        let reason = options.string("reason") ?? "failing plugin"
        let after = options.duration("retry_after")
        let outcome: Outcome
        switch options.string("outcome") ?? "failed" {
        case "failed": outcome = .failed(reason: reason)
        case "retry": outcome = .retry(after: after, reason: reason, ambiguous: false)
        case "retry_ambiguous": outcome = .retry(after: after, reason: reason, ambiguous: true)
        case let other:
            definition.diagnostics.error(
                "'outcome' must be failed, retry or retry_ambiguous, found \(other)",
                at: options.node("outcome") ?? definition.node)
            return nil
        }
        return FailingAction(
            name: definition.name, outcome: outcome, rejectsSteps: options.bool("reject_steps") ?? false)
    }
}

/// The action of `FailingPlugin`.
package struct FailingAction: Action {
    package let name: String
    package let kind = FailingPlugin.kind
    package let outcome: Outcome
    package let rejectsSteps: Bool

    package init(name: String, outcome: Outcome, rejectsSteps: Bool = false) {
        self.name = name
        self.outcome = outcome
        self.rejectsSteps = rejectsSteps
    }

    package var summary: String { "answers \(outcome.label)" }

    package func compileStep(_ step: StepDefinition) -> (any ActionStep)? {
        if rejectsSteps {
            step.diagnostics.error("\(step.what): the failing plugin rejects every step", at: step.node)
            return nil
        }
        return FailingStep(action: name)
    }

    package func perform(_ job: Job, context: DeliveryContext) async -> Outcome { outcome }
}

/// Plans an empty job.
struct FailingStep: ActionStep {
    let action: String

    func plan(_ event: Event, report: inout RenderReport) -> PlannedJob {
        PlannedJob(payload: [:], orderingKey: nil)
    }
}
