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
public enum FailingPlugin: ActionPlugin {
    public static let kind = "failing"
    public static let summary = "fails every job with a configured outcome (tests)"

    public static func makeAction(_ definition: ActionDefinition) -> (any Action)? {
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
public struct FailingAction: Action {
    public let name: String
    public let kind = FailingPlugin.kind
    public let outcome: Outcome
    public let rejectsSteps: Bool

    public init(name: String, outcome: Outcome, rejectsSteps: Bool = false) {
        self.name = name
        self.outcome = outcome
        self.rejectsSteps = rejectsSteps
    }

    public var summary: String { "answers \(outcome.label)" }

    public func compileStep(_ step: StepDefinition) -> (any ActionStep)? {
        if rejectsSteps {
            step.diagnostics.error("\(step.what): the failing plugin rejects every step", at: step.node)
            return nil
        }
        return FailingStep(action: name)
    }

    public func perform(_ job: Job, context: DeliveryContext) async -> Outcome { outcome }
}

/// Plans an empty job.
struct FailingStep: ActionStep {
    let action: String

    func plan(_ event: Event, report: inout RenderReport) -> PlannedJob {
        PlannedJob(payload: [:], orderingKey: nil)
    }
}
