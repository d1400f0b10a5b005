import HeraldCore

extension ConfigurationBuilder {
    static let routeKeys = ["name", "events", "when", "do", "stop", "dedupe", "delay", "methods", "ordered"]

    /// Compiles actions and routes and checks what spans sections (auth against listeners).
    func build(source: String, secrets: [String]) -> HeraldConfiguration {
        checkAuthentication()
        checkConsoleListener()
        checkPrivacyCredentials()
        let (actions, concurrency) = buildActions(secrets: secrets)
        let routes = buildRoutes(actions: actions)
        warnAboutWhatDoesNothing(actions: actions, routes: routes)
        var configuration = HeraldConfiguration(
            source: source, listeners: listeners, stateDirectory: stateDirectory, store: store, ingress: ingress,
            delivery: delivery, log: log, actions: actions, actionConcurrency: concurrency,
            rules: RuleSet(routes: routes), secrets: secrets, tracing: tracing,
            retention: retention, privacyAPI: privacyAPI)
        configuration.console = console
        return configuration
    }

    /// A configuration that loads but cannot do anything: no route at all, or an action no route
    /// uses (a typo in a route's `action:` is an error already; this catches the other end).
    private func warnAboutWhatDoesNothing(actions: [String: any Action], routes: [Route]) {
        guard diagnostics.isEmpty, let root = rootNode else { return }
        if routes.isEmpty {
            diagnostics.warning(
                "no routes: every event is accepted and nothing is done with it (add routes:, or check that include: names your drop-ins)",
                at: root)
        }
        let used = Set(routes.flatMap { $0.steps.map(\.action) })
        for entry in actionNodes where actions[entry.name] != nil && !used.contains(entry.name) {
            diagnostics.warning("action '\(entry.name)' is used by no route", at: entry.key)
        }
    }

    /// No credentials → only allowed with `insecure_no_auth: true` and local listeners (design §3).
    private func checkAuthentication() {
        let exposed = listeners.filter { !$0.isLocalOnly }
        let at = insecureNode ?? listenNode ?? rootNode
        if ingress.insecureNoAuth {
            if !exposed.isEmpty, let at {
                diagnostics.error(
                    "insecure_no_auth is only allowed when every listener is loopback or a unix socket; \(exposed.map(\.description).joined(separator: ", ")) is reachable from other machines",
                    at: at)
            }
        } else if ingress.credentials.isEmpty, authNode.map({ $0.sequence?.isEmpty ?? true }) ?? true, let at {
            diagnostics.error(
                "no ingress credentials: add ingress.auth (api_key or basic_auth), or set ingress.insecure_no_auth: true with loopback-only listeners",
                at: at)
        }
    }

    private func buildActions(secrets: [String]) -> ([String: any Action], [String: Int]) {
        var actions: [String: any Action] = [:]
        var concurrency: [String: Int] = [:]
        var seen: [String: SourceLocation] = [:]
        for entry in actionNodes {
            if let first = seen[entry.name] {
                diagnostics.error("action '\(entry.name)' is defined twice (first at \(first))", at: entry.key)
                continue
            }
            seen[entry.name] = entry.key.location
            guard let map = entry.value.mapping else {
                diagnostics.error(
                    "action '\(entry.name)' must be a map with a 'plugin' key, found \(entry.value.kindDescription)",
                    at: entry.value)
                continue
            }
            guard let pluginNode = map.first(where: { $0.key.scalar?.text == "plugin" })?.value else {
                diagnostics.error(
                    "action '\(entry.name)' needs 'plugin:' (one of: \(plugins.kinds.joined(separator: ", ")))",
                    at: entry.key)
                continue
            }
            guard let kind = ConfigMap.string(pluginNode, key: "plugin", diagnostics: diagnostics) else { continue }
            guard let plugin = plugins.plugin(kind: kind) else {
                var message = "unknown plugin '\(kind)'"
                if let close = closestMatch(to: kind, in: plugins.kinds) {
                    message += "; did you mean '\(close)'?"
                } else {
                    message += " (available: \(plugins.kinds.joined(separator: ", ")))"
                }
                diagnostics.error(message, at: pluginNode)
                continue
            }
            let definition = ActionDefinition(
                name: entry.name, node: entry.value, diagnostics: diagnostics, baseDirectory: entry.baseDirectory,
                stateDirectory: stateDirectory, secrets: secrets)
            if let action = plugin.makeAction(definition) {
                actions[entry.name] = action
                if let limit = action.defaultConcurrency { concurrency[entry.name] = limit }
            }
            if let limitNode = map.first(where: { $0.key.scalar?.text == "concurrency" })?.value {
                if case .int(let limit)? = limitNode.resolved, (1...1024).contains(limit) {
                    concurrency[entry.name] = limit
                } else {
                    diagnostics.error(
                        "'concurrency' must be an integer between 1 and 1024, found \(limitNode.displayValue)",
                        at: limitNode)
                }
            }
        }
        return (actions, concurrency)
    }

    private func buildRoutes(actions: [String: any Action]) -> [Route] {
        var routes: [Route] = []
        var names: [String: SourceLocation] = [:]
        for (index, entry) in routeNodes.enumerated() {
            let node = entry.node
            let fallbackName = "#\(index + 1)"
            // Messages about the route's own keys name it as the operator does, when it has a name.
            let written = node.mapping?.first { $0.key.scalar?.text == "name" }?.value.scalar?.text
            let what = written.map { "route '\($0)'" } ?? "route \(fallbackName)"
            guard let map = ConfigMap(node, keys: Self.routeKeys, what: what, diagnostics: diagnostics) else {
                continue
            }
            let name = map.string("name", required: true, acceptingScalars: true) ?? fallbackName
            if let first = names[name], let nameNode = map.node("name") {
                diagnostics.error("route name '\(name)' is used twice (first at \(first))", at: nameNode)
            }
            names[name] = map.node("name")?.location ?? node.location
            let patterns = readEventPatterns(map)
            let events = Array(Set(patterns.flatMap(\.knownMatches))).sorted()
            var condition = Condition.always
            if let when = map.node("when") {
                condition = Condition.compile(when, events: events, diagnostics: diagnostics) ?? .always
            }
            let denial = readDenial(map, route: name, events: events)
            let steps =
                denial == nil && !isDecision(map)
                ? readSteps(map, route: name, events: events, actions: actions, baseDirectory: entry.baseDirectory) : []
            let stop = map.bool("stop") ?? false
            let dedupe = map.node("dedupe").flatMap { readDedupe($0, events: events) }
            let delay = map.duration("delay")
            let methods = map.node("methods").flatMap { readMethods($0, events: events) }
            let ordered = map.bool("ordered") ?? true
            routes.append(
                Route(
                    name: name, events: patterns, condition: condition, steps: steps, stop: stop, dedupe: dedupe,
                    delay: delay, denial: denial, methods: methods, ordered: ordered, location: node.location))
        }
        return routes
    }

    /// True when the route's `do:` holds a `deny:` (then it must hold nothing else).
    private func isDecision(_ map: ConfigMap) -> Bool {
        (map.node("do")?.sequence ?? []).contains { item in
            item.mapping?.contains { $0.key.scalar?.text == "deny" } ?? false
        }
    }

    /// `do: [{deny: {message, field, id, status}}]` (design §6.4); nil for a route with actions.
    private func readDenial(_ map: ConfigMap, route: String, events: [EventName]) -> Denial? {
        guard isDecision(map), let items = map.node("do")?.sequence else { return nil }
        guard items.count == 1, let item = items.first, let pairs = item.mapping, pairs.count == 1,
            let node = pairs.first?.value
        else {
            diagnostics.error(
                "a route that denies does only that: 'do: [{deny: {...}}]'; put actions in another route",
                at: map.node("do") ?? map.node)
            return nil
        }
        if let name = events.first(where: { !Denial.canDeny($0) }) {
            diagnostics.error(
                "deny cannot answer \(name): Kratos only lets before hooks and the pre-persist hooks of registration.after and settings.after stop a flow",
                at: map.node("events") ?? map.node)
            return nil
        }
        for name in events {
            switch Denial.visibility(of: name) {
            case .form: break
            case .errorPage(let why): diagnostics.warning(why, at: map.node("events") ?? map.node)
            case .afterTheFact(let why):
                // Reported, and the deny itself still checked, so every problem shows at once.
                diagnostics.error("deny on \(name) is refused: \(why)", at: map.node("events") ?? map.node)
            }
        }
        guard let denial = ConfigMap(node, keys: Denial.keys, what: "'deny'", diagnostics: diagnostics),
            let messageNode = denial.node("message", required: true)
        else { return nil }
        let templates = TemplateCompiler(events: events, diagnostics: diagnostics)
        let message = templates.compile(messageNode, key: "message", sink: .header)
        let field = denial.string("field") ?? "#/"
        if !field.hasPrefix("#/") {
            diagnostics.error(
                "'field' is a JSON pointer into the form such as '#/traits/email', or '#/' for the whole form",
                at: denial.node("field") ?? node)
        }
        let id = denial.int("id", in: 1...99_999_999) ?? 4_000_000
        let status = denial.int("status", in: 400...499) ?? 400
        if status == 429 {
            diagnostics.error(
                "Kratos retries 429 and shows no message; use 400, 403, 409 or 422", at: denial.node("status") ?? node)
        }
        guard let message else { return nil }
        return Denial(message: message, field: field, id: id, status: status)
    }

    /// `methods: [profile]`: the per-method hook lists the route is for. Only routes of
    /// registration.after, login.after and settings.after have such lists.
    private func readMethods(_ node: ConfigNode, events: [EventName]) -> [String]? {
        guard let names = ConfigMap.stringList(node, key: "methods", diagnostics: diagnostics) else { return nil }
        let flows = Set(events.map { String($0.flow) })
        guard !events.isEmpty,
            events.allSatisfy({ $0.phase == "after" && KratosMethod.afterLists[String($0.flow)] != nil })
        else {
            diagnostics.error(
                "'methods' is only for routes of registration.after, login.after and settings.after, where Kratos has a hook list per method",
                at: node)
            return nil
        }
        let known = Set(flows.flatMap { KratosMethod.afterLists[$0] ?? [] })
        let items = node.sequence ?? [node]
        var valid = !names.isEmpty
        if names.isEmpty { diagnostics.error("'methods' needs at least one method", at: node) }
        for (name, item) in zip(names, items) where !known.contains(name) {
            var message =
                "unknown method '\(name)' for \(flows.sorted().joined(separator: ", ")); expected one of \(known.sorted().joined(separator: ", "))"
            if let close = closestMatch(to: name, in: Array(known)) {
                message = "unknown method '\(name)'; did you mean '\(close)'?"
            }
            diagnostics.error(message, at: item)
            valid = false
        }
        return valid ? names : nil
    }

    /// `dedupe: {key: "<template>", window: 1h}`
    private func readDedupe(_ node: ConfigNode, events: [EventName]) -> Route.Dedupe? {
        guard let map = ConfigMap(node, keys: ["key", "window"], what: "'dedupe'", diagnostics: diagnostics),
            let keyNode = map.node("key", required: true),
            let window = map.duration("window", required: true)
        else { return nil }
        let templates = TemplateCompiler(events: events, diagnostics: diagnostics)
        guard let key = templates.compile(keyNode, key: "key", sink: .text) else { return nil }
        if key.isConstant {
            diagnostics.error(
                "the dedupe key has no {{…}}: the route would fire once per window for everyone", at: keyNode)
            return nil
        }
        return Route.Dedupe(key: key, window: window)
    }

    private func readEventPatterns(_ map: ConfigMap) -> [EventPattern] {
        guard let node = map.node("events", required: true) else { return [] }
        guard node.scalar != nil || node.sequence != nil else {
            diagnostics.error("'events' must be a list of event names such as [registration.after]", at: node)
            return []
        }
        let items = node.sequence ?? [node]
        var patterns: [EventPattern] = []
        // A number or a boolean is read as its text, so that the message says what an event name
        // is rather than suggesting quotes around something that would still not be one.
        let texts = items.compactMap {
            ConfigMap.string($0, key: "events", acceptingScalars: true, diagnostics: diagnostics)
        }
        for (text, item) in zip(texts, items) {
            guard let pattern = EventPattern(text) else {
                diagnostics.error(
                    "'\(text)' is not an event name; use flow.phase such as registration.after, *.after or courier.*",
                    at: item)
                continue
            }
            if pattern.knownMatches.isEmpty {
                var message = "no event is called '\(text)'"
                if let close = closestMatch(to: text, in: EventName.known.map(\.rawValue)) {
                    message += "; did you mean '\(close)'?"
                } else {
                    message +=
                        " (flows: \(EventName.flows.joined(separator: ", ")); phases: before, after; or courier.<template_type>)"
                }
                diagnostics.error(message, at: item)
                continue
            }
            patterns.append(pattern)
        }
        if texts.isEmpty { diagnostics.error("'events' needs at least one event", at: node) }
        return patterns
    }

    private func readSteps(
        _ map: ConfigMap, route: String, events: [EventName], actions: [String: any Action], baseDirectory: String
    ) -> [any ActionStep] {
        guard let node = map.node("do", required: true) else { return [] }
        guard let items = node.sequence, !items.isEmpty else {
            diagnostics.error(
                "'do' must be a non-empty list of steps such as [{action: mail, template: welcome}]", at: node)
            return []
        }
        let templates = TemplateCompiler(events: events, diagnostics: diagnostics)
        var steps: [any ActionStep] = []
        for (index, item) in items.enumerated() {
            let what = "step \(index + 1) of route '\(route)'"
            guard let pairs = item.mapping else {
                diagnostics.error("\(what) must be a map with 'action:', found \(item.kindDescription)", at: item)
                continue
            }
            guard let actionNode = pairs.first(where: { $0.key.scalar?.text == "action" })?.value else {
                diagnostics.error("\(what) needs 'action:' naming one of the actions", at: item)
                continue
            }
            guard let actionName = ConfigMap.string(actionNode, key: "action", diagnostics: diagnostics) else {
                continue
            }
            guard let action = actions[actionName] else {
                // An action that failed to compile was already reported; only report unknown names.
                if !actionNodes.contains(where: { $0.name == actionName }) {
                    var message = "unknown action '\(actionName)'"
                    if let close = closestMatch(to: actionName, in: Array(actions.keys)) {
                        message += "; did you mean '\(close)'?"
                    } else {
                        message += " (defined: \(actions.keys.sorted().joined(separator: ", ")))"
                    }
                    diagnostics.error(message, at: actionNode)
                }
                continue
            }
            let definition = StepDefinition(
                route: route, index: index + 1, node: item, diagnostics: diagnostics, templates: templates,
                baseDirectory: baseDirectory)
            if let step = action.compileStep(definition) { steps.append(step) }
        }
        return steps
    }
}
