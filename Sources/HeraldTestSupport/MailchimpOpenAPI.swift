import HeraldCore

/// The members subset of Mailchimp's Marketing API description (OAS 3.0.1, spec 3.0.76), loaded
/// at run time from `Tests/Fixtures/mailchimp`, with request bodies checked the way the API does.
///
/// Two deliberate readings, both applied to the whole document when it loads:
/// - **Unknown fields are refused**: every object schema that lists `properties` and says nothing
///   about others gets `additionalProperties: false`, so a field the API does not define (a typo,
///   `tags` on PUT, which only the 2026 spec has) is a 400 rather than silently dropped.
/// - **Merge field values** are a string, a number or an address object, as the 2026 Swift SDK
///   types them (reference §7); the 3.0.76 file says `object`, which no real value is.
///
/// ```swift
/// let api = try MailchimpOpenAPI.shared()
/// let problems = api.validateRequest(body, path: "/lists/{list_id}/members/{subscriber_hash}", method: "put")
/// ```
package struct MailchimpOpenAPI: Sendable {
    /// The description after the two readings above.
    package let document: JSON
    package let validator: JSONSchemaValidator

    /// Parses the description at `path`.
    ///
    /// - Throws: `ReferenceFileError` when the file is missing or not JSON.
    package init(path: String = ReferenceFiles.mailchimpOpenAPI) throws(ReferenceFileError) {
        let bytes = try ReferenceFiles.bytes(atPath: path)
        var root: JSON
        do {
            root = try JSONDocument(parsing: bytes).root.json
        } catch {
            throw ReferenceFileError(path: path, reason: "not JSON: \(error)")
        }
        guard var components = root["components"]?.object, let schemas = components["schemas"]?.object,
            var object = root.object
        else { throw ReferenceFileError(path: path, reason: "no components.schemas") }
        var closed = JSONObject()
        for (name, schema) in schemas { closed[name] = Self.closing(schema) }
        for name in ["Add_List_Members_1", "Add_List_Members_2", "Add_List_Members_3"] {
            guard var schema = closed[name]?.object, var properties = schema["properties"]?.object,
                var mergeFields = properties["merge_fields"]?.object
            else { continue }
            mergeFields["additionalProperties"] = ["type": ["string", "number", "object"]]
            properties["merge_fields"] = .object(mergeFields)
            schema["properties"] = .object(properties)
            closed[name] = .object(schema)
        }
        components["schemas"] = .object(closed)
        object["components"] = .object(components)
        root = .object(object)
        document = root
        validator = JSONSchemaValidator(document: root)
    }

    private static let loaded = Result { () throws(ReferenceFileError) in try MailchimpOpenAPI() }

    /// The description from the fixtures, parsed once per process.
    package static func shared() throws(ReferenceFileError) -> MailchimpOpenAPI {
        try loaded.get()
    }

    /// `schema` with `additionalProperties: false` added to every object schema with
    /// `properties` and no `additionalProperties`, at any depth.
    static func closing(_ schema: JSON) -> JSON {
        switch schema {
        case .object(let object):
            var result = JSONObject()
            for (key, value) in object {
                if key == "properties", let properties = value.object {
                    var children = JSONObject()
                    for (name, child) in properties { children[name] = closing(child) }
                    result[key] = .object(children)
                } else {
                    result[key] = closing(value)
                }
            }
            if result["properties"] != nil, result["additionalProperties"] == nil {
                result["additionalProperties"] = false
            }
            return .object(result)
        case .array(let items):
            return .array(items.map(closing))
        default:
            return schema
        }
    }

    /// The JSON request schema of `method` (lower case) on the spec path `path`.
    package func requestSchema(path: String, method: String) -> JSON? {
        document["paths"]?[path]?[method]?["requestBody"]?["content"]?["application/json"]?["schema"]
    }

    /// The JSON schema of the `status` answer (`default` for any other) to `method` on `path`.
    package func responseSchema(path: String, method: String, status: Int) -> JSON? {
        let responses = document["paths"]?[path]?[method]?["responses"]
        return (responses?[String(status)] ?? responses?["default"])?["content"]?["application/json"]?["schema"]
    }

    /// Validates a request body; an operation without a request schema is itself a violation.
    package func validateRequest(_ body: JSON, path: String, method: String) -> [SchemaViolation] {
        guard let schema = requestSchema(path: path, method: method) else {
            return [SchemaViolation(path: "", message: "no request schema for \(method) \(path)")]
        }
        return validator.validate(body, against: schema)
    }
}
