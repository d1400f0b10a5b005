import HeraldCore

/// A compiled `do:` step of a Mandrill action. Planning renders the whole Mandrill request except
/// the API key and Herald's job id (added when performing), so the spool holds what will be sent:
///
/// ```json
/// {"endpoint": "messages/send-template",
///  "request": {"template_name": "welcome-de", "template_content": [], "message": {…}, "async": false},
///  "template_fallbacks": ["welcome"]}
/// ```
///
/// `template_fallbacks` (present only when the step lists several templates) are the names tried,
/// in order, when Mandrill answers `Unknown_Template` for the one before.
struct MandrillStep: ActionStep {
    /// At most this many names in a `template:` list.
    static let maxTemplates = 5

    let action: String
    /// The action's options, with the API key blanked: a step never needs it.
    let defaults: MandrillSettings
    let email: EmailTemplates
    /// `template:`: one name, or several tried in order; empty for an inline message.
    let templates: [Template]
    let templateContent: [(name: String, content: Template)]
    let vars: [(name: String, value: Template)]
    let mergeLanguage: String?
    /// The action's tags followed by the step's, without repeats.
    let tags: [String]
    let metadata: [(name: String, value: Template)]
    let subaccount: Template?
    let ipPool: String?
    let sendAt: Template?
    let headers: [(name: String, value: Template)]
    let trackOpens: Bool?
    let trackClicks: Bool?
    let important: Bool?

    func plan(_ event: Event, report: inout RenderReport) -> PlannedJob {
        let rendered = email.render(event, report: &report)
        if let reason = rendered.noRecipientReason { return .nothing(because: reason) }
        var message = JSONObject()
        if let subject = rendered.subject { message["subject"] = .string(subject) }
        if let html = rendered.html { message["html"] = .string(html) }
        if let text = rendered.text { message["text"] = .string(text) }
        if let from = rendered.from.flatMap(nonEmptyAddress) ?? defaults.from {
            message["from_email"] = .string(from.email)
            if let name = from.name, !name.isEmpty { message["from_name"] = .string(name) }
        }
        let recipients = Self.recipients(rendered)
        message["to"] = .array(recipients)

        var headerFields = JSONObject()
        if let replyTo = nonEmpty(rendered.replyTo) ?? defaults.replyTo {
            // Mandrill copies the header as it is: `a@x.org, evil@y.org` from a trait would be two
            // mailboxes. One plain address or no message.
            if let problem = EmailAddress(email: replyTo).plainAddressProblem {
                let problem = MailAddressProblem(key: "reply_to", address: replyTo, problem: problem)
                return .nothing(because: "not planned: \(problem)")
            }
            headerFields["Reply-To"] = .string(replyTo)
        }
        for (name, value) in headers { headerFields[name] = .string(value.render(event, report: &report)) }
        if !headerFields.isEmpty { message["headers"] = .object(headerFields) }

        if let important = important ?? defaults.important { message["important"] = .bool(important) }
        if let trackOpens = trackOpens ?? defaults.trackOpens { message["track_opens"] = .bool(trackOpens) }
        if let trackClicks = trackClicks ?? defaults.trackClicks { message["track_clicks"] = .bool(trackClicks) }
        if let link = defaults.viewContentLink { message["view_content_link"] = .bool(link) }
        if let language = mergeLanguage ?? defaults.mergeLanguage { message["merge_language"] = .string(language) }
        if !vars.isEmpty {
            message["global_merge_vars"] = .array(
                vars.map { ["name": .string($0.name), "content": .string($0.value.render(event, report: &report))] })
        }
        if !tags.isEmpty { message["tags"] = .array(tags.map(JSON.string)) }
        if let subaccount = nonEmpty(subaccount?.render(event, report: &report)) ?? defaults.subaccount {
            message["subaccount"] = .string(subaccount)
        }
        var fields = defaults.metadata
        for (name, value) in metadata { fields[name] = .string(value.render(event, report: &report)) }
        // Mandrill's events about this message (a hard bounce) lead back to the identity.
        if let identity = event.identity?["id"]?.string, !identity.isEmpty {
            fields["herald_identity"] = .string(identity)
        }
        if !fields.isEmpty { message["metadata"] = .object(fields) }

        var request = JSONObject()
        var fallbacks: [String] = []
        if !templates.isEmpty {
            var names = templateNames(event, report: &report)
            request["template_name"] = .string(names.removeFirst())
            fallbacks = names
            request["template_content"] = .array(
                templateContent.map {
                    ["name": .string($0.name), "content": .string($0.content.render(event, report: &report))]
                })
        }
        request["message"] = .object(message)
        request["async"] = false
        if let pool = ipPool ?? defaults.ipPool { request["ip_pool"] = .string(pool) }
        if let sendAt = nonEmpty(sendAt?.render(event, report: &report)) { request["send_at"] = .string(sendAt) }

        let endpoint = templates.isEmpty ? MandrillEndpoint.send : .sendTemplate
        var payload: JSONObject = ["endpoint": .string(endpoint.rawValue), "request": .object(request)]
        if !fallbacks.isEmpty { payload["template_fallbacks"] = .array(fallbacks.map(JSON.string)) }
        let orderingKey = recipients.first?["email"]?.string?.lowercased()
        return PlannedJob(payload: .object(payload), orderingKey: orderingKey)
    }

    /// The template names to try, in order, never empty. A name other than the last is left out
    /// when it rendered empty or used a value the event lacks (`welcome-{{event.locale}}` without a
    /// locale): that is what the fallback is for, so it is not reported as a missing path either.
    /// Repeats are dropped (`welcome-{{event.locale | language}}` and `welcome-en` for `en`).
    func templateNames(_ event: Event, report: inout RenderReport) -> [String] {
        var names: [String] = []
        for (index, template) in templates.enumerated() {
            if index == templates.count - 1 {
                let name = template.render(event, report: &report)
                if !names.contains(name) || names.isEmpty { names.append(name) }
                break
            }
            var own = RenderReport()
            let name = template.render(event, report: &own)
            if own.missingPaths.isEmpty, !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// `to`, `cc` and `bcc` as Mandrill's one list with a `type` each; addresses that rendered
    /// empty (an optional field missing from the payload) are left out.
    static func recipients(_ email: RenderedEmail) -> [JSON] {
        var list: [JSON] = []
        for (type, addresses) in [("to", email.to), ("cc", email.cc), ("bcc", email.bcc)] {
            for address in addresses {
                let trimmed = address.email.trimmingSpaces()
                guard !trimmed.isEmpty else { continue }
                var entry: JSONObject = ["email": .string(trimmed)]
                if let name = address.name, !name.isEmpty { entry["name"] = .string(name) }
                entry["type"] = .string(type)
                list.append(.object(entry))
            }
        }
        return list
    }
}

private func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    return text
}

private func nonEmptyAddress(_ address: EmailAddress) -> EmailAddress? {
    address.email.isEmpty ? nil : address
}
