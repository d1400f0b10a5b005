import HeraldCore

extension MailchimpStep {
    static let keys = [
        "operation", "email", "list_id", "status_if_new", "status", "merge_fields", "language",
        "skip_merge_validation", "tags", "remove_tags",
    ]
    /// Keys that only an `upsert` can use.
    static let upsertKeys = ["status_if_new", "status", "merge_fields", "language", "skip_merge_validation"]
    /// The statuses a step may ask for: `unsubscribe` is its own operation, `cleaned` and
    /// `archived` are Mailchimp's to set, `transactional` is not an opt-in.
    static let statuses = ["subscribed", "pending"]

    /// Compiles a step, reporting every problem at its position; nil when there was any.
    static func compile(_ step: StepDefinition, action: String, settings: MailchimpSettings) -> MailchimpStep? {
        let diagnostics = step.diagnostics
        let before = diagnostics.items.count
        guard let options = step.options(keys: keys) else { return nil }
        let operationNode = options.node("operation")
        let parsedOperation = operationNode.flatMap { parseOperation($0, diagnostics: diagnostics) }
        let operation = parsedOperation ?? .upsert
        let email = options.node("email", required: true).flatMap {
            step.templates.compile($0, key: "email", sink: .header)
        }
        let listID =
            options.node("list_id").flatMap { MailchimpSettings.parseListID($0, diagnostics: diagnostics) }
            ?? settings.listID
        if operation != .upsert {
            for key in upsertKeys {
                if let node = options.keyNode(key) {
                    diagnostics.error("'\(key)' applies to operation upsert only, not \(operation.rawValue)", at: node)
                }
            }
        }
        if operation == .archive {
            for key in ["tags", "remove_tags"] {
                if let node = options.keyNode(key) {
                    diagnostics.error("'\(key)' cannot be used with operation archive", at: node)
                }
            }
        }
        var statusIfNew: String?
        if operation == .upsert {
            if let node = options.node("status_if_new") {
                statusIfNew = parseStatus(node, key: "status_if_new", diagnostics: diagnostics)
            } else if operationNode == nil || parsedOperation != nil {
                // Not after a bad `operation`: the step may not have meant an upsert at all.
                diagnostics.error(
                    "\(step.what) needs 'status_if_new': subscribed, or pending for double opt-in (Mailchimp then "
                        + "mails the confirmation)", at: step.node)
            }
        }
        // Keys of the other operations were reported above; their values are not checked too.
        let upsert = operation == .upsert
        let status =
            upsert ? options.node("status").flatMap { parseStatus($0, key: "status", diagnostics: diagnostics) } : nil
        let mergeFields =
            upsert ? options.node("merge_fields").flatMap { compileMergeFields($0, step: step) } ?? [] : []
        let language =
            upsert
            ? options.node("language").flatMap { step.templates.compile($0, key: "language", sink: .header) } : nil
        let skip = upsert ? options.bool("skip_merge_validation") : nil
        let addTags = options.node("tags").flatMap { compileTags($0, key: "tags", step: step) } ?? []
        let removeTags = options.node("remove_tags").flatMap { compileTags($0, key: "remove_tags", step: step) } ?? []
        guard diagnostics.items.count == before, let email else { return nil }
        return MailchimpStep(
            action: action, operation: operation, listID: listID, email: email, statusIfNew: statusIfNew,
            status: status, mergeFields: mergeFields, language: language, skipMergeValidation: skip,
            addTags: addTags, removeTags: removeTags)
    }

    private static func parseOperation(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> MailchimpOperation? {
        guard let text = ConfigMap.string(node, key: "operation", diagnostics: diagnostics) else { return nil }
        if let operation = MailchimpOperation(rawValue: text) { return operation }
        let known = MailchimpOperation.allCases.map(\.rawValue).joined(separator: ", ")
        if let refusal = MailchimpOperation.refusal(text) {
            diagnostics.error("operation '\(text)' is not offered: \(refusal)", at: node)
        } else {
            diagnostics.error("'operation' must be one of \(known), found \(node.displayValue)", at: node)
        }
        return nil
    }

    private static func parseStatus(_ node: ConfigNode, key: String, diagnostics: ConfigDiagnostics) -> String? {
        guard let text = ConfigMap.string(node, key: key, diagnostics: diagnostics) else { return nil }
        guard statuses.contains(text) else {
            var message = "'\(key)' must be subscribed or pending, found \(node.displayValue)"
            if text == "unsubscribed" { message += " (use operation: unsubscribe)" }
            if text == "archived" || text == "cleaned" { message += " (Mailchimp does not take it as input)" }
            diagnostics.error(message, at: node)
            return nil
        }
        return text
    }

    /// `{FNAME: "{{identity.traits.name.first}}", …}`: merge tags (upper case, as Mailchimp
    /// writes them) to templates.
    private static func compileMergeFields(_ node: ConfigNode, step: StepDefinition) -> [(
        tag: String, value: Template
    )]? {
        guard let mapping = node.mapping else {
            step.diagnostics.error(
                "'merge_fields' must be a map of merge tags to templates, found \(node.kindDescription)", at: node)
            return nil
        }
        var fields: [(tag: String, value: Template)] = []
        for pair in mapping {
            guard
                let tag = ConfigMap.string(
                    pair.key, key: "merge_fields", acceptingScalars: true, diagnostics: step.diagnostics)
            else { continue }
            let valid = !tag.isEmpty && tag.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }
            if !valid {
                step.diagnostics.error(
                    "'\(tag)' is not a merge tag: Mailchimp's are upper-case letters, digits and '_', such as FNAME",
                    at: pair.key)
                continue
            }
            guard let value = step.templates.compile(pair.value, key: tag, sink: .text) else { continue }
            fields.append((tag, value))
        }
        return fields
    }

    /// A tag name or a list of them, each a template (`plan-{{identity.traits.plan}}`).
    private static func compileTags(_ node: ConfigNode, key: String, step: StepDefinition) -> [Template]? {
        let items = node.sequence ?? [node]
        var tags: [Template] = []
        for item in items {
            guard let tag = step.templates.compile(item, key: key, sink: .header) else { continue }
            if tag.isConstant, tag.source.trimmingSpaces().isEmpty {
                step.diagnostics.error("a tag name must not be empty", at: item)
                continue
            }
            tags.append(tag)
        }
        return tags
    }
}
