import HeraldCore

/// A compiled `do:` step of an exec action. Planning renders what the program reads on stdin,
/// so the spool holds, and `herald explain` shows, exactly that: `{"stdin": "{\"identity\":…}"}`.
struct ExecStep: ActionStep {
    static let keys = ["body"]

    let action: String
    /// A rendered body; nil writes the event's payload as compact JSON, without the user's
    /// cookies (`Event.forwardedPayload`).
    let body: Template?

    func plan(_ event: Event, report: inout RenderReport) -> PlannedJob {
        let text = body.map { $0.render(event, report: &report) } ?? event.forwardedPayload
        return PlannedJob(payload: ["stdin": .string(text)], orderingKey: nil)
    }

    /// Compiles a step, reporting every problem at its position; nil when there was any.
    static func compile(_ step: StepDefinition, action: String) -> ExecStep? {
        let diagnostics = step.diagnostics
        let before = diagnostics.items.count
        guard let options = step.options(keys: keys) else { return nil }
        let body = options.node("body").flatMap { node -> Template? in
            if node.scalar?.isSecret == true {
                diagnostics.error("'body' cannot be a secret reference: it would be stored with the job", at: node)
                return nil
            }
            return step.templates.compile(node, key: "body", sink: .text)
        }
        guard diagnostics.items.count == before else { return nil }
        return ExecStep(action: action, body: body)
    }
}
