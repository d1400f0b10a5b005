import HeraldCore

extension JSONSchemaValidator {
    /// Checks one schema against one instance, appending what fails.
    ///
    /// - Parameter siblingProperties: properties declared by `allOf` siblings of this schema for
    ///   the same instance, which `additionalProperties` treats as known (see the type's notes).
    func check(
        _ instance: JSON, _ schema: JSON, path: String, siblingProperties: Set<String>,
        into violations: inout [SchemaViolation]
    ) {
        if case .bool(let accepts) = schema {
            if !accepts { violations.append(SchemaViolation(path: path, message: "no value is allowed here")) }
            return
        }
        guard let object = schema.object else { return }
        let known = siblingProperties.union(declaredProperties(schema, depth: 0))

        if let pointer = object["$ref"]?.string {
            if let target = resolve(pointer) {
                check(instance, target, path: path, siblingProperties: known, into: &violations)
            } else {
                violations.append(SchemaViolation(path: path, message: "unresolvable $ref \(pointer)"))
            }
        }
        if let type = object["type"], !matches(instance, type: type) {
            let names = type.array?.compactMap(\.string) ?? [type.string ?? "?"]
            violations.append(
                SchemaViolation(
                    path: path,
                    message: "must be of type \(names.joined(separator: " or ")), found \(Self.typeName(instance))"))
            return
        }
        // A nullable enum is written `type: [T, "null"]` with only the non-null values listed
        // (`reject_reason` is null in every real answer), so null passes such an enum.
        let nullAllowed = instance == .null && (object["type"]?.array?.contains("null") ?? false)
        if let allowed = object["enum"]?.array, !allowed.contains(instance), !nullAllowed {
            let list = allowed.map(\.serializedString).joined(separator: ", ")
            violations.append(
                SchemaViolation(path: path, message: "must be one of \(list), found \(instance.serializedString)"))
        }
        if let constant = object["const"], constant != instance {
            violations.append(SchemaViolation(path: path, message: "must be \(constant.serializedString)"))
        }
        checkString(instance, object, path: path, into: &violations)
        checkObject(instance, object, path: path, known: known, into: &violations)
        checkArray(instance, object, path: path, into: &violations)
        checkCombinators(instance, object, path: path, known: known, into: &violations)
    }

    private func checkString(
        _ instance: JSON, _ schema: JSONObject, path: String, into violations: inout [SchemaViolation]
    ) {
        guard let text = instance.string else { return }
        let length = text.unicodeScalars.count
        if let maximum = schema["maxLength"]?.int, length > maximum {
            violations.append(SchemaViolation(path: path, message: "is longer than \(maximum) characters (\(length))"))
        }
        if let minimum = schema["minLength"]?.int, length < minimum {
            violations.append(SchemaViolation(path: path, message: "is shorter than \(minimum) characters (\(length))"))
        }
    }

    private func checkObject(
        _ instance: JSON, _ schema: JSONObject, path: String, known: Set<String>,
        into violations: inout [SchemaViolation]
    ) {
        guard let members = instance.object else { return }
        for name in schema["required"]?.array?.compactMap(\.string) ?? [] where members[name] == nil {
            violations.append(SchemaViolation(path: path, message: "missing required property '\(name)'"))
        }
        let properties = schema["properties"]?.object ?? [:]
        for (name, value) in members {
            let childPath = path.isEmpty ? name : "\(path).\(name)"
            if let propertySchema = properties[name] {
                check(value, propertySchema, path: childPath, siblingProperties: [], into: &violations)
                continue
            }
            guard let additional = schema["additionalProperties"], !known.contains(name) else { continue }
            if additional == .bool(false) {
                violations.append(SchemaViolation(path: childPath, message: "is not an allowed property"))
            } else {
                check(value, additional, path: childPath, siblingProperties: [], into: &violations)
            }
        }
    }

    private func checkArray(
        _ instance: JSON, _ schema: JSONObject, path: String, into violations: inout [SchemaViolation]
    ) {
        guard let elements = instance.array else { return }
        if let maximum = schema["maxItems"]?.int, elements.count > maximum {
            violations.append(SchemaViolation(path: path, message: "has more than \(maximum) items"))
        }
        if let minimum = schema["minItems"]?.int, elements.count < minimum {
            violations.append(SchemaViolation(path: path, message: "has fewer than \(minimum) items"))
        }
        guard let items = schema["items"] else { return }
        for (index, element) in elements.enumerated() {
            check(element, items, path: "\(path)[\(index)]", siblingProperties: [], into: &violations)
        }
    }

    private func checkCombinators(
        _ instance: JSON, _ schema: JSONObject, path: String, known: Set<String>,
        into violations: inout [SchemaViolation]
    ) {
        for branch in schema["allOf"]?.array ?? [] {
            check(instance, branch, path: path, siblingProperties: known, into: &violations)
        }
        if let branches = schema["anyOf"]?.array {
            let results = branches.map { branchViolations(instance, $0, path: path, known: known) }
            if !results.contains(where: \.isEmpty) {
                violations.append(
                    SchemaViolation(path: path, message: "matches none of the anyOf schemas: \(summary(results))"))
            }
        }
        if let branches = schema["oneOf"]?.array {
            let results = branches.map { branchViolations(instance, $0, path: path, known: known) }
            let matched = results.filter(\.isEmpty).count
            if matched != 1 {
                let detail = matched == 0 ? ": \(summary(results))" : ""
                violations.append(
                    SchemaViolation(
                        path: path, message: "must match exactly one of the oneOf schemas, matched \(matched)\(detail)")
                )
            }
        }
        if let negated = schema["not"], branchViolations(instance, negated, path: path, known: known).isEmpty {
            violations.append(SchemaViolation(path: path, message: "must not match the 'not' schema"))
        }
    }

    private func branchViolations(_ instance: JSON, _ schema: JSON, path: String, known: Set<String>)
        -> [SchemaViolation]
    {
        var found: [SchemaViolation] = []
        check(instance, schema, path: path, siblingProperties: known, into: &found)
        return found
    }

    private func summary(_ results: [[SchemaViolation]]) -> String {
        results.compactMap { $0.first?.message }.joined(separator: "; ")
    }

    /// The properties `schema` declares for its instance, including through `allOf` and `$ref`.
    private func declaredProperties(_ schema: JSON, depth: Int) -> Set<String> {
        guard depth < 32, let object = schema.object else { return [] }
        var names = Set(object["properties"]?.object?.keys ?? [])
        if let pointer = object["$ref"]?.string, let target = resolve(pointer) {
            names.formUnion(declaredProperties(target, depth: depth + 1))
        }
        for branch in object["allOf"]?.array ?? [] {
            names.formUnion(declaredProperties(branch, depth: depth + 1))
        }
        return names
    }

    private func matches(_ instance: JSON, type: JSON) -> Bool {
        if let names = type.array {
            return names.contains { $0.string.map { matches(instance, typeName: $0) } ?? false }
        }
        return type.string.map { matches(instance, typeName: $0) } ?? true
    }

    private func matches(_ instance: JSON, typeName: String) -> Bool {
        switch (typeName, instance) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
            ("number", .int), ("number", .double), ("integer", .int):
            return true
        case ("integer", .double(let value)):
            return value.rounded() == value && value.isFinite
        default:
            return false
        }
    }

    static func typeName(_ instance: JSON) -> String {
        switch instance {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
