import Dispatch
import FoundationEssentials
import HeraldCore

/// A configured outbox: where files go and the default sender.
struct OutboxAction: Action {
    let name: String
    let directory: String
    let from: EmailAddress?
    let kind = OutboxPlugin.kind

    /// File writes with fsync block, so they run here, never on Swift's cooperative threads.
    private static let ioQueue = DispatchQueue(label: "herald.outbox.io")

    var summary: String { "writes to \(directory)" }

    func compileStep(_ step: StepDefinition) -> (any ActionStep)? {
        guard let options = step.options(keys: EmailTemplates.keys + ["template", "vars", "tags"]),
            let email = EmailTemplates.compile(options, step: step)
        else { return nil }
        let template = options.node("template").flatMap { step.templates.compile($0, key: "template", sink: .header) }
        var vars: [(String, Template)] = []
        if let node = options.node("vars") {
            if let pairs = node.mapping {
                for pair in pairs {
                    guard let key = pair.key.scalar?.text,
                        let value = step.templates.compile(pair.value, key: key, sink: .text)
                    else { continue }
                    vars.append((key, value))
                }
            } else {
                step.diagnostics.error("'vars' must be a map of names to templates", at: node)
            }
        }
        let tags = options.stringList("tags") ?? []
        if email.html == nil && email.text == nil && template == nil {
            step.diagnostics.error(
                "\(step.what) needs a body: 'text', 'html', 'text_file', 'html_file' or 'template'", at: step.node)
            return nil
        }
        return OutboxStep(action: name, email: email, defaultFrom: from, template: template, vars: vars, tags: tags)
    }

    func perform(_ job: Job, context: DeliveryContext) async -> Outcome {
        guard let message = RenderedEmail(json: job.payload["message"]) else {
            return .failed(reason: "job payload has no message")
        }
        let eml: String
        do {
            eml = try EMLWriter.render(message, job: job)
        } catch {
            return .failed(reason: "not written: \(error)")
        }
        var sidecar: JSONObject = [
            "job": .string(job.id.description), "event": .string(job.eventName.rawValue),
            "event_id": .string(job.eventID.description), "route": .string(job.route), "action": .string(job.action),
            "attempt": .int(Int64(context.attempt)),
        ]
        if let object = job.payload.object {
            for (key, value) in object { sidecar[key] = value }
        }
        let directory = self.directory
        let base = job.id.description
        let sidecarText = JSON.object(sidecar).prettyPrinted() + "\n"
        return await withCheckedContinuation { continuation in
            OutboxAction.ioQueue.async {
                do {
                    try AtomicFile.write(Array(sidecarText.utf8), to: "\(directory)/\(base).json")
                    try AtomicFile.write(Array(eml.utf8), to: "\(directory)/\(base).eml")
                    continuation.resume(returning: .delivered(detail: "wrote \(base).eml"))
                } catch {
                    continuation.resume(
                        returning: .retry(
                            after: nil, reason: "cannot write to \(directory): \(error)", ambiguous: false))
                }
            }
        }
    }
}

/// An outbox step: the email templates plus what a Mandrill step would carry.
struct OutboxStep: ActionStep {
    let action: String
    let email: EmailTemplates
    let defaultFrom: EmailAddress?
    let template: Template?
    let vars: [(String, Template)]
    let tags: [String]

    func plan(_ event: Event, report: inout RenderReport) -> PlannedJob {
        var message = email.render(event, report: &report)
        if let reason = message.noRecipientReason { return .nothing(because: reason) }
        if message.from == nil || message.from?.isBlank == true { message.from = defaultFrom }
        if let problem = message.addressProblem { return .nothing(because: "not planned: \(problem)") }
        var payload: JSONObject = ["message": message.json]
        if let template { payload["template"] = .string(template.render(event, report: &report)) }
        if !vars.isEmpty {
            var object = JSONObject()
            for (name, value) in vars { object[name] = .string(value.render(event, report: &report)) }
            payload["vars"] = .object(object)
        }
        if !tags.isEmpty { payload["tags"] = .array(tags.map(JSON.string)) }
        return PlannedJob(payload: .object(payload), orderingKey: message.orderingKey)
    }
}
