import HeraldCore

/// `actions:` — compiles each action through its plugin, with its `concurrency`.
extension ConfigurationBuilder {
    func buildActions(secrets: [String]) -> ([String: any Action], [String: Int]) {
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
}
