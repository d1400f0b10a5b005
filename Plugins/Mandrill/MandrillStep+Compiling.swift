import HeraldCore

extension MandrillStep {
    static let keys =
        EmailTemplates.keys + [
            "template", "template_content", "vars", "merge_language", "tags", "metadata", "subaccount", "ip_pool",
            "send_at", "headers", "track_opens", "track_clicks", "important",
        ]

    /// Compiles a step, reporting every problem at its position; nil when there was any.
    static func compile(_ step: StepDefinition, action: String, settings: MandrillSettings) -> MandrillStep? {
        let diagnostics = step.diagnostics
        let templates = step.templates
        let before = diagnostics.items.count
        guard let options = step.options(keys: keys) else { return nil }
        let email = EmailTemplates.compile(options, step: step)
        let templateList = options.node("template").flatMap { compileTemplateNames($0, step: step) } ?? []
        let templateContent = options.node("template_content").flatMap { compileTemplateContent($0, step: step) } ?? []
        let vars =
            options.node("vars").flatMap {
                compileMap(
                    $0, key: "vars", sink: .text, step: step, ignoringCase: true,
                    nameProblem: MandrillNames.mergeVarProblem)
            } ?? []
        let stepTags = options.node("tags").flatMap { MandrillNames.tags($0, diagnostics: diagnostics) } ?? []
        let metadata =
            options.node("metadata").flatMap {
                compileMap($0, key: "metadata", sink: .text, step: step, nameProblem: MandrillNames.metadataNameProblem)
            } ?? []
        let headers =
            options.node("headers").flatMap {
                compileMap(
                    $0, key: "headers", sink: .header, step: step, ignoringCase: true,
                    nameProblem: MandrillNames.headerNameProblem)
            } ?? []
        let subaccount = options.node("subaccount").flatMap { templates.compile($0, key: "subaccount", sink: .header) }
        let sendAt = options.node("send_at").flatMap { templates.compile($0, key: "send_at", sink: .header) }
        if let sendAt, sendAt.isConstant, !MandrillNames.isSendAt(sendAt.source), let node = options.node("send_at") {
            diagnostics.error(
                "'send_at' must be a UTC time written YYYY-MM-DD HH:MM:SS, found \(node.displayValue)", at: node)
        }
        let metadataNames = Set(settings.metadata.keys).union(metadata.map(\.name))
        if metadataNames.count > MandrillNames.maxUserMetadata, let node = options.node("metadata") {
            diagnostics.error(
                "at most \(MandrillNames.maxUserMetadata) metadata fields with the action's (found \(metadataNames.count)): "
                    + "Mandrill indexes 10 and Herald uses herald_job, herald_event and herald_identity", at: node)
        }
        // Read before the check below so that their problems are reported with all the others.
        let mergeLanguage = MandrillNames.mergeLanguage(options)
        let ipPool = options.string("ip_pool")
        let trackOpens = options.bool("track_opens")
        let trackClicks = options.bool("track_clicks")
        let important = options.bool("important")
        checkBody(options, email: email, settings: settings, step: step)
        guard diagnostics.items.count == before, let email else { return nil }

        var defaults = settings
        defaults.apiKey = ""
        var tags = settings.tags
        for tag in stepTags where !tags.contains(tag) { tags.append(tag) }
        return MandrillStep(
            action: action, defaults: defaults, email: email, templates: templateList, templateContent: templateContent,
            vars: vars, mergeLanguage: mergeLanguage, tags: tags, metadata: metadata, subaccount: subaccount,
            ipPool: ipPool, sendAt: sendAt, headers: headers, trackOpens: trackOpens, trackClicks: trackClicks,
            important: important)
    }

    /// Without `template`, a message needs a sender, a subject and a body; with one, the
    /// template supplies the HTML.
    private static func checkBody(
        _ options: ConfigMap, email: EmailTemplates?, settings: MandrillSettings, step: StepDefinition
    ) {
        if options.contains("template") {
            for key in ["html", "html_file"] {
                if let node = options.keyNode(key) {
                    step.diagnostics.error(
                        "'\(key)' cannot be used with 'template': the Mandrill template is the HTML", at: node)
                }
            }
            return
        }
        var missing: [String] = []
        if !options.contains("subject") { missing.append("'subject'") }
        if !["html", "html_file", "text", "text_file"].contains(where: options.contains) {
            missing.append("'html' or 'text'")
        }
        if !options.contains("from") && settings.from == nil { missing.append("'from' (here or on the action)") }
        if !missing.isEmpty {
            step.diagnostics.error(
                "\(step.what) needs \(missing.joined(separator: " and ")), or a Mandrill 'template'", at: step.node)
        }
    }

    /// `template: welcome` or `template: ["welcome-{{event.locale | language}}", welcome]`: the
    /// names to try in order (Mandrill's `Unknown_Template` moves on to the next).
    private static func compileTemplateNames(_ node: ConfigNode, step: StepDefinition) -> [Template]? {
        guard let items = node.sequence else {
            return step.templates.compile(node, key: "template", sink: .header).map { [$0] }
        }
        guard !items.isEmpty, items.count <= maxTemplates else {
            step.diagnostics.error(
                "'template' must name 1 to \(maxTemplates) templates, tried in order; found \(items.count)", at: node)
            return nil
        }
        let compiled = items.compactMap { step.templates.compile($0, key: "template", sink: .header) }
        guard compiled.count == items.count else { return nil }
        return compiled
    }

    /// `[{name: main, content: "<p>…</p>"}, …]`, the `mc:edit` regions of a template.
    private static func compileTemplateContent(_ node: ConfigNode, step: StepDefinition) -> [(
        name: String, content: Template
    )]? {
        guard let items = node.sequence else {
            step.diagnostics.error(
                "'template_content' must be a list of {name, content}, found \(node.kindDescription)", at: node)
            return nil
        }
        var regions: [(name: String, content: Template)] = []
        for item in items {
            guard
                let map = ConfigMap(
                    item, keys: ["name", "content"], what: "an item of 'template_content'",
                    diagnostics: step.diagnostics),
                let name = map.string("name", required: true, acceptingScalars: true),
                let contentNode = map.node("content", required: true),
                let content = step.templates.compile(contentNode, key: "content", sink: .html)
            else { continue }
            if name.isEmpty, let nameNode = map.node("name") {
                step.diagnostics.error("a template region name must not be empty", at: nameNode)
            }
            regions.append((name, content))
        }
        return regions
    }

    /// A map of text keys to templates; each key is checked by `nameProblem` at its position.
    /// With `ignoringCase`, keys that differ only in case are reported (Mandrill's merge variables).
    private static func compileMap(
        _ node: ConfigNode, key: String, sink: TemplateSink, step: StepDefinition, ignoringCase: Bool = false,
        nameProblem: (String) -> String?
    ) -> [(name: String, value: Template)]? {
        guard let mapping = node.mapping else {
            step.diagnostics.error(
                "'\(key)' must be a map of names to templates, found \(node.kindDescription)", at: node)
            return nil
        }
        var pairs: [(name: String, value: Template)] = []
        var seen: [String: String] = [:]
        for pair in mapping {
            guard let name = ConfigMap.string(pair.key, key: key, acceptingScalars: true, diagnostics: step.diagnostics)
            else { continue }
            if let problem = nameProblem(name) {
                step.diagnostics.error(problem, at: pair.key)
            } else if ignoringCase, let first = seen[name.lowercased()] {
                step.diagnostics.error(
                    "'\(name)' repeats '\(first)': Mandrill ignores case in these names", at: pair.key)
            }
            seen[name.lowercased()] = seen[name.lowercased()] ?? name
            guard let value = step.templates.compile(pair.value, key: name, sink: sink) else { continue }
            pairs.append((name, value))
        }
        return pairs
    }
}
