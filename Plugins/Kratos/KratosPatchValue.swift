import HeraldCore

/// The `value:` of a patch operation: YAML turned into JSON, its text compiled as templates.
///
/// `true`, `42` and `null` written plainly stay JSON booleans, numbers and null; text (quoted or
/// not) is a template rendered to a JSON string when the job is planned; maps and lists keep
/// their shape. So `{bounced: true, at: "{{msg.ts}}"}` becomes `{"bounced": true, "at": "…"}`.
indirect enum KratosPatchValue: Sendable {
    case constant(JSON)
    case text(Template)
    case array([KratosPatchValue])
    case object([(key: String, value: KratosPatchValue)])

    /// Compiles `node`, reporting problems at their positions; nil when there was any.
    static func compile(_ node: ConfigNode, key: String, step: StepDefinition) -> KratosPatchValue? {
        switch node.content {
        case .sequence(let items):
            let values = items.compactMap { compile($0, key: key, step: step) }
            return values.count == items.count ? .array(values) : nil
        case .mapping(let pairs):
            var members: [(key: String, value: KratosPatchValue)] = []
            var valid = true
            for pair in pairs {
                guard
                    let name = ConfigMap.string(
                        pair.key, key: key, acceptingScalars: true, diagnostics: step.diagnostics)
                else {
                    valid = false
                    continue
                }
                if members.contains(where: { $0.key == name }) {
                    step.diagnostics.error("'\(name)' appears twice in this value", at: pair.key)
                    valid = false
                }
                guard let value = compile(pair.value, key: name, step: step) else {
                    valid = false
                    continue
                }
                members.append((name, value))
            }
            return valid ? .object(members) : nil
        case .scalar(let scalar):
            if scalar.isSecret {
                // Patch values are stored in the job and shown by `herald explain`.
                step.diagnostics.error(
                    "'\(key)' cannot come from a secret: patch values are stored with the job and printed", at: node)
                return nil
            }
            switch node.resolved {
            case .null?: return .constant(.null)
            case .bool(let flag)?: return .constant(.bool(flag))
            case .int(let number)?: return .constant(.int(Int64(number)))
            case .float(let number)?:
                guard number.isFinite else {
                    step.diagnostics.error(
                        "'\(key)' must be a finite number for JSON, found \(node.displayValue)", at: node)
                    return nil
                }
                return .constant(.double(number))
            case .string?, nil:
                return step.templates.compile(node, key: key, sink: .text).map { .text($0) }
            }
        }
    }

    /// The JSON value for `event`.
    func render(_ event: Event, report: inout RenderReport) -> JSON {
        switch self {
        case .constant(let value): return value
        case .text(let template): return .string(template.render(event, report: &report))
        case .array(let items): return .array(items.map { $0.render(event, report: &report) })
        case .object(let members):
            var object = JSONObject()
            for member in members { object[member.key] = member.value.render(event, report: &report) }
            return .object(object)
        }
    }

    /// The constant text, when the value is text without tags (for checks at load time).
    var constantText: String? {
        if case .text(let template) = self, template.isConstant { return template.source }
        if case .constant(.string(let text)) = self { return text }
        return nil
    }
}
