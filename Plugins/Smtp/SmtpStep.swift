import HeraldCore

/// A compiled `do:` step of an SMTP action. Planning renders the message's parts, so the spool
/// holds, and `herald explain` shows, exactly what will be sent: `{"message": {"to": …}}`.
struct SmtpStep: ActionStep {
    let action: String
    let email: EmailTemplates
    let defaultFrom: EmailAddress?

    func plan(_ event: Event, report: inout RenderReport) -> PlannedJob {
        var message = email.render(event, report: &report)
        if let reason = message.noRecipientReason { return .nothing(because: reason) }
        if message.from == nil || message.from?.isBlank == true { message.from = defaultFrom }
        // An address with specials (`a@x.org>,evil@y.org`) would add a mailbox to a header or a
        // parameter to an SMTP command: the message is not planned at all.
        if let problem = message.addressProblem { return .nothing(because: "not planned: \(problem)") }
        return PlannedJob(payload: ["message": message.json], orderingKey: message.orderingKey)
    }

    /// Compiles a step, reporting every problem at its position; nil when there was any.
    static func compile(_ step: StepDefinition, action: String, defaultFrom: EmailAddress?) -> SmtpStep? {
        let before = step.diagnostics.items.count
        guard let options = step.options(keys: EmailTemplates.keys),
            let email = EmailTemplates.compile(options, step: step)
        else { return nil }
        if email.html == nil && email.text == nil {
            step.diagnostics.error(
                "\(step.what) needs a body: 'text', 'html', 'text_file' or 'html_file'", at: step.node)
        }
        if email.from == nil && defaultFrom == nil {
            step.diagnostics.error(
                "\(step.what) needs a sender: 'from' here or in action '\(action)'", at: step.node)
        }
        guard step.diagnostics.items.count == before else { return nil }
        return SmtpStep(action: action, email: email, defaultFrom: defaultFrom)
    }
}
