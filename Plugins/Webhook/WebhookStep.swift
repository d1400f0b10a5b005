import HeraldCore

/// A compiled `do:` step of a webhook action. Planning renders the body once, so every attempt
/// signs and sends the same bytes, and the spool holds, and `herald explain` shows, exactly the
/// body the receiver will get:
///
/// ```json
/// {"content_type": "application/json", "body": "{\"identity\":{\"id\":\"7a1e…\"}}"}
/// ```
struct WebhookStep: ActionStep {
    static let keys = ["body", "content_type"]

    let action: String
    /// A rendered body; nil sends the event's payload as compact JSON, without the user's
    /// cookies (`Event.forwardedPayload`).
    let body: Template?
    let contentType: String

    func plan(_ event: Event, report: inout RenderReport) -> PlannedJob {
        let text = body.map { $0.render(event, report: &report) } ?? event.forwardedPayload
        return PlannedJob(payload: ["content_type": .string(contentType), "body": .string(text)], orderingKey: nil)
    }

    /// Compiles a step, reporting every problem at its position; nil when there was any.
    static func compile(_ step: StepDefinition, action: String, settings: WebhookSettings) -> WebhookStep? {
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
        let contentType = options.node("content_type").flatMap {
            WebhookSettings.parseContentType($0, diagnostics: diagnostics)
        }
        guard diagnostics.items.count == before else { return nil }
        return WebhookStep(action: action, body: body, contentType: contentType ?? settings.contentType)
    }
}
