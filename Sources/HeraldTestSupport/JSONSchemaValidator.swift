import HeraldCore

/// A small JSON Schema (2020-12, as OpenAPI 3.1 uses it) validator for the keywords that the
/// Mailchimp Transactional request schemas use, so that the test server checks requests the way
/// the published description does rather than the way Herald happens to build them.
///
/// Supported: `$ref` (local `#/…` pointers), `type` (a name or a list such as
/// `["string", "null"]`), `properties`, `required`, `additionalProperties` (`false` or a schema),
/// `items`, `enum`, `const`, `allOf`, `anyOf`, `oneOf`, `not`, `minLength`/`maxLength` (counted in
/// code points), `minItems`/`maxItems`. Annotations (`description`, `title`, `example(s)`,
/// `default`, `format`, `deprecated`, …) are ignored, as 2020-12 does by default for `format`.
///
/// One deliberate reading: `additionalProperties` inside an `allOf` branch counts the properties
/// declared by the sibling branches as known. The spec combines `ApiKey` (`key` only,
/// `additionalProperties: false`) with the rest of each request through `allOf`; read literally,
/// no request with a `message` could ever be valid. What the authors mean is what 2020-12 spells
/// `unevaluatedProperties: false`, and that is what this validator checks. Likewise an `enum`
/// beside a `type` list that includes `"null"` admits `null`: the spec writes nullable enums that
/// way (`reject_reason` is `["string", "null"]` with only string values, and null in real answers).
///
/// ```swift
/// let validator = JSONSchemaValidator(document: spec)
/// let problems = validator.validate(body, schemaAt: "#/components/schemas/MessagesSendRequest")
/// ```
package struct JSONSchemaValidator: Sendable {
    /// The document `$ref`s are resolved in.
    package let document: JSON

    /// Keywords this validator checks.
    package static let assertionKeywords: Set<String> = [
        "$ref", "type", "properties", "required", "additionalProperties", "items", "enum", "const", "allOf",
        "anyOf", "oneOf", "not", "minLength", "maxLength", "minItems", "maxItems",
    ]

    /// Keywords that only annotate and are deliberately not checked.
    package static let annotationKeywords: Set<String> = [
        "description", "title", "example", "examples", "default", "format", "deprecated", "readOnly", "writeOnly",
        "$comment",
    ]

    package init(document: JSON) {
        self.document = document
    }

    /// Validates `instance` against the schema at the local pointer `pointer` (`#/components/…`).
    package func validate(_ instance: JSON, schemaAt pointer: String) -> [SchemaViolation] {
        guard let schema = resolve(pointer) else {
            return [SchemaViolation(path: "", message: "schema \(pointer) does not exist")]
        }
        return validate(instance, against: schema)
    }

    /// Validates `instance` against `schema`; an empty result means valid.
    package func validate(_ instance: JSON, against schema: JSON) -> [SchemaViolation] {
        var violations: [SchemaViolation] = []
        check(instance, schema, path: "", siblingProperties: [], into: &violations)
        return violations
    }

    /// The value at a local JSON pointer such as `#/components/schemas/MergeVar`.
    package func resolve(_ pointer: String) -> JSON? {
        guard pointer.hasPrefix("#") else { return nil }
        var node = document
        for token in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let index = Int(key), let element = node[index] {
                node = element
            } else if let member = node[key] {
                node = member
            } else {
                return nil
            }
        }
        return node
    }

    /// Every keyword reachable from `schema` (through `$ref`s) that is neither checked nor a known
    /// annotation; a test asserts this is empty so that a new keyword in the spec cannot slip by.
    package func unsupportedKeywords(in schema: JSON) -> Set<String> {
        var seen = Set<String>()
        var unsupported = Set<String>()
        collectKeywords(schema, seen: &seen, into: &unsupported)
        return unsupported
    }

    private func collectKeywords(_ schema: JSON, seen: inout Set<String>, into unsupported: inout Set<String>) {
        guard let object = schema.object else { return }
        for (keyword, value) in object {
            switch keyword {
            case "$ref":
                if let pointer = value.string, seen.insert(pointer).inserted, let target = resolve(pointer) {
                    collectKeywords(target, seen: &seen, into: &unsupported)
                }
            case "properties":
                for (_, property) in value.object ?? [:] { collectKeywords(property, seen: &seen, into: &unsupported) }
            case "items", "additionalProperties", "not":
                collectKeywords(value, seen: &seen, into: &unsupported)
            case "allOf", "anyOf", "oneOf":
                for branch in value.array ?? [] { collectKeywords(branch, seen: &seen, into: &unsupported) }
            default:
                if !Self.assertionKeywords.contains(keyword) && !Self.annotationKeywords.contains(keyword) {
                    unsupported.insert(keyword)
                }
            }
        }
    }
}

/// One way an instance breaks a schema.
package struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// Where in the instance, as a dotted path with indexes: `message.to[0].type` (empty for the root).
    package var path: String
    package var message: String

    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `message.to[0].type: must be one of "to", "cc", "bcc"`
    package var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
