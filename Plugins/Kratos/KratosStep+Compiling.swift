import HeraldCore

extension KratosStep {
    static let keys = ["identity", "patch"]

    /// Compiles a step, reporting every problem at its position; nil when there was any.
    static func compile(_ step: StepDefinition, action: String) -> KratosStep? {
        let diagnostics = step.diagnostics
        let before = diagnostics.items.count
        guard let options = step.options(keys: keys) else { return nil }
        let identity = options.node("identity", required: true).flatMap {
            step.templates.compile($0, key: "identity", sink: .header)
        }
        var operations: [KratosPatchOperation] = []
        if let node = options.node("patch", required: true) {
            if let items = node.sequence, !items.isEmpty, items.count <= maxOperations {
                operations = items.compactMap { compileOperation($0, step: step) }
                checkRepeats(operations, items: items, diagnostics: diagnostics)
            } else {
                diagnostics.error(
                    "'patch' must be a list of 1 to \(maxOperations) operations {op, path, value}, found "
                        + (node.sequence.map { "\($0.count) items" } ?? node.kindDescription), at: node)
            }
        }
        guard diagnostics.items.count == before, let identity else { return nil }
        return KratosStep(action: action, identity: identity, operations: operations)
    }

    /// `{op: add, path: /metadata_admin/email_undeliverable, value: true}`.
    private static func compileOperation(_ node: ConfigNode, step: StepDefinition) -> KratosPatchOperation? {
        let diagnostics = step.diagnostics
        guard
            let map = ConfigMap(
                node, keys: ["op", "path", "value"], what: "an operation of 'patch'", diagnostics: diagnostics),
            let opText = map.string("op", required: true), let opNode = map.node("op"),
            let pathText = map.string("path", required: true), let pathNode = map.node("path")
        else { return nil }
        guard let kind = KratosPatchOperation.Kind(rawValue: opText) else {
            let refused = ["move", "copy", "test"].contains(opText) ? " (Kratos refuses '\(opText)')" : ""
            diagnostics.error("'op' must be add, replace or remove\(refused); found \(opNode.displayValue)", at: opNode)
            return nil
        }
        let path: KratosPatchPath
        switch KratosPatchPath.parse(pathText) {
        case .success(let parsed): path = parsed
        case .failure(let problem):
            diagnostics.error("'path' must be \(problem.text); found \(pathNode.displayValue)", at: pathNode)
            return nil
        }
        if kind == .remove {
            if let valueKey = map.keyNode("value") {
                diagnostics.error("'remove' takes no 'value'", at: valueKey)
                return nil
            }
            if path.segments.count == 1, path.root == "state" || path.root == "traits" {
                diagnostics.error("\(path) cannot be removed: every identity has one", at: pathNode)
                return nil
            }
            return KratosPatchOperation(kind: kind, path: path, value: nil)
        }
        guard let valueNode = map.node("value", required: true),
            let value = KratosPatchValue.compile(valueNode, key: "value", step: step)
        else { return nil }
        if path.root == "state", !isState(value) {
            diagnostics.error(
                "the state must be 'active' or 'inactive' (or a template), found \(valueNode.displayValue)",
                at: valueNode)
            return nil
        }
        if path.segments.count == 1, path.root == "traits", !isObject(value) {
            diagnostics.error("/traits must be replaced by a map, found \(valueNode.kindDescription)", at: valueNode)
            return nil
        }
        return KratosPatchOperation(kind: kind, path: path, value: value)
    }

    /// Kratos accepts `active` and `inactive`; a template is checked by Kratos when it renders.
    private static func isState(_ value: KratosPatchValue) -> Bool {
        if let text = value.constantText { return text == "active" || text == "inactive" }
        if case .text = value { return true }
        return false
    }

    private static func isObject(_ value: KratosPatchValue) -> Bool {
        if case .object = value { return true }
        return false
    }

    /// Two operations on one path, or on a path and one inside it, make the result depend on their
    /// order in a way nobody means (the later one wins, or fails on the earlier one's value).
    private static func checkRepeats(
        _ operations: [KratosPatchOperation], items: [ConfigNode], diagnostics: ConfigDiagnostics
    ) {
        guard operations.count == items.count else { return }
        for (index, operation) in operations.enumerated() {
            for earlier in operations[..<index] {
                let (a, b) = (earlier.path.segments, operation.path.segments)
                if a.starts(with: b) || b.starts(with: a) {
                    diagnostics.error(
                        "\(operation.path) overlaps \(earlier.path), changed by an earlier operation of this patch",
                        at: items[index])
                    break
                }
            }
        }
    }
}
