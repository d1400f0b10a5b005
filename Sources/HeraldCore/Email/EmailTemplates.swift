import FoundationEssentials

/// The parts of a step that email plugins share: recipients, sender, subject and bodies.
///
/// ```yaml
/// - action: mail
///   to: "{{recipient}}"                  # or a list; or {email: …, name: …}
///   from: { email: hello@example.com, name: Example }
///   reply_to: support@example.com
///   subject: "Welcome, {{identity.traits.name.first | default: 'there'}}"
///   html_file: templates/welcome.html    # or html: "…"; text: / text_file: likewise
/// ```
package struct EmailTemplates: Sendable {
    package static let keys = [
        "to", "cc", "bcc", "from", "reply_to", "subject", "html", "text", "html_file", "text_file",
    ]

    package let to: [AddressTemplate]
    package let cc: [AddressTemplate]
    package let bcc: [AddressTemplate]
    package let from: AddressTemplate?
    package let replyTo: Template?
    package let subject: Template?
    package let html: Template?
    package let text: Template?

    /// Compiles the shared keys of `map`. `to` is required.
    package static func compile(_ map: ConfigMap, step: StepDefinition) -> EmailTemplates? {
        let templates = step.templates
        let before = step.diagnostics.items.count
        let to = map.node("to", required: true).flatMap {
            AddressTemplate.compileList($0, key: "to", templates: templates)
        }
        let cc = map.node("cc").flatMap { AddressTemplate.compileList($0, key: "cc", templates: templates) } ?? []
        let bcc = map.node("bcc").flatMap { AddressTemplate.compileList($0, key: "bcc", templates: templates) } ?? []
        let from = map.node("from").flatMap { AddressTemplate.compile($0, key: "from", templates: templates) }
        let replyTo = map.node("reply_to").flatMap { templates.compile($0, key: "reply_to", sink: .header) }
        let subject = map.node("subject").flatMap { templates.compile($0, key: "subject", sink: .header) }
        let html = body(map, inline: "html", file: "html_file", sink: .html, step: step)
        let text = body(map, inline: "text", file: "text_file", sink: .text, step: step)
        guard step.diagnostics.items.count == before, let to else { return nil }
        return EmailTemplates(
            to: to, cc: cc, bcc: bcc, from: from, replyTo: replyTo, subject: subject, html: html, text: text)
    }

    /// `html:`/`text:` inline, or `html_file:`/`text_file:` relative to the config file; not both.
    private static func body(
        _ map: ConfigMap, inline: String, file: String, sink: TemplateSink, step: StepDefinition
    ) -> Template? {
        if let node = map.node(inline) {
            if let fileKey = map.keyNode(file) {
                step.diagnostics.error("use either '\(inline)' or '\(file)', not both", at: fileKey)
            }
            return step.templates.compile(node, key: inline, sink: sink)
        }
        guard let node = map.node(file), let relative = map.string(file) else { return nil }
        let path = relative.hasPrefix("/") ? relative : step.baseDirectory + "/" + relative
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            step.diagnostics.error("cannot read \(file) '\(relative)' (looked at \(path))", at: node)
            return nil
        }
        return step.templates.compile(fileText: text, file: path, sink: sink)
    }

    /// Renders every part for `event`.
    package func render(_ event: Event, report: inout RenderReport) -> RenderedEmail {
        RenderedEmail(
            to: to.map { $0.render(event, report: &report) },
            cc: cc.map { $0.render(event, report: &report) },
            bcc: bcc.map { $0.render(event, report: &report) },
            from: from?.render(event, report: &report),
            replyTo: replyTo?.render(event, report: &report),
            subject: subject?.render(event, report: &report),
            html: html?.render(event, report: &report),
            text: text?.render(event, report: &report))
    }
}

/// An email's rendered parts, as stored in a job.
package struct RenderedEmail: Sendable, Hashable {
    /// Why this message can go to nobody: every `to` rendered empty or is not an address. Nil
    /// when at least one `to` address looks valid. Log-safe (addresses masked).
    package var noRecipientReason: String? {
        if to.contains(where: { $0.looksValid }) { return nil }
        let written = to.map(\.email).filter { !$0.trimmingSpaces().isEmpty }
        if written.isEmpty { return "no recipient: 'to' rendered empty for this event" }
        return
            "no recipient: 'to' is not an address (\(written.map(RemoteTextRedactor(secrets: []).address).joined(separator: ", ")))"
    }

    package var to: [EmailAddress]
    package var cc: [EmailAddress]
    package var bcc: [EmailAddress]
    package var from: EmailAddress?
    package var replyTo: String?
    package var subject: String?
    package var html: String?
    package var text: String?

    package init(
        to: [EmailAddress], cc: [EmailAddress] = [], bcc: [EmailAddress] = [], from: EmailAddress? = nil,
        replyTo: String? = nil, subject: String? = nil, html: String? = nil, text: String? = nil
    ) {
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.from = from
        self.replyTo = replyTo
        self.subject = subject
        self.html = html
        self.text = text
    }

    /// The first recipient, used to keep one recipient's mails in order.
    package var orderingKey: String? { to.first.map { $0.email.lowercased() } }

    package var json: JSON {
        var object: JSONObject = ["to": .array(to.map(\.json))]
        if !cc.isEmpty { object["cc"] = .array(cc.map(\.json)) }
        if !bcc.isEmpty { object["bcc"] = .array(bcc.map(\.json)) }
        if let from { object["from"] = from.json }
        if let replyTo, !replyTo.isEmpty { object["reply_to"] = .string(replyTo) }
        if let subject { object["subject"] = .string(subject) }
        if let html { object["html"] = .string(html) }
        if let text { object["text"] = .string(text) }
        return .object(object)
    }

    package init?(json: JSON?) {
        guard let json, let to = json["to"]?.array else { return nil }
        self.init(
            to: to.compactMap { EmailAddress(json: $0) },
            cc: json["cc"]?.array?.compactMap { EmailAddress(json: $0) } ?? [],
            bcc: json["bcc"]?.array?.compactMap { EmailAddress(json: $0) } ?? [],
            from: EmailAddress(json: json["from"]),
            replyTo: json["reply_to"]?.string,
            subject: json["subject"]?.string,
            html: json["html"]?.string,
            text: json["text"]?.string)
    }
}
