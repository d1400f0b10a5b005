import HeraldCore

/// `routes:` — compiles each route from its keys (`routeKeys`); a `deny:` in its `do:` is read in
/// ConfigurationBuilder+Denial.swift.
extension ConfigurationBuilder {
    static let routeKeys = ["name", "events", "when", "do", "stop", "dedupe", "delay", "methods", "ordered"]

    func buildRoutes(actions: [String: any Action]) -> [Route] {
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
