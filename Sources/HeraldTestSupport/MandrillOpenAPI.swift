import HeraldCore

/// The official Mailchimp Transactional OpenAPI 3.1 description, loaded at run time from the
/// shared reference folder, with lookups of an operation's request and response schemas.
///
/// ```swift
/// let api = try MandrillOpenAPI.shared()
/// let problems = api.validateRequest(body, operation: "/messages/send")
/// ```
package struct MandrillOpenAPI: Sendable {
    /// The whole description.
    package let document: JSON
    package let validator: JSONSchemaValidator

    /// Parses the description at `path`.
    ///
    /// - Throws: `ReferenceFileError` when the file is missing or not JSON.
    package init(path: String = ReferenceFiles.mandrillOpenAPI) throws(ReferenceFileError) {
        let bytes = try ReferenceFiles.bytes(atPath: path)
        do {
            document = try JSONDocument(parsing: bytes).root.json
        } catch {
            throw ReferenceFileError(path: path, reason: "not JSON: \(error)")
        }
        validator = JSONSchemaValidator(document: document)
    }

    private static let loaded = Result { () throws(ReferenceFileError) in try MandrillOpenAPI() }

    /// The description from the shared reference folder, parsed once per process.
    package static func shared() throws(ReferenceFileError) -> MandrillOpenAPI {
        try loaded.get()
    }

    /// The JSON request schema of `operation` (a spec path such as `/messages/send`), as written
    /// (usually a `$ref`).
    package func requestSchema(operation: String) -> JSON? {
        document["paths"]?[operation]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]
    }

    /// The JSON schema of the `status` response of `operation`, following a `$ref` to
    /// `#/components/responses/…`.
    package func responseSchema(operation: String, status: Int) -> JSON? {
        guard var response = document["paths"]?[operation]?["post"]?["responses"]?[String(status)] else { return nil }
        if let pointer = response["$ref"]?.string, let target = validator.resolve(pointer) {
            response = target
        }
        return response["content"]?["application/json"]?["schema"]
    }

    /// Validates a request body for `operation`; an unknown operation is itself a violation.
    package func validateRequest(_ body: JSON, operation: String) -> [SchemaViolation] {
        guard let schema = requestSchema(operation: operation) else {
            return [SchemaViolation(path: "", message: "no request schema for \(operation)")]
        }
        return validator.validate(body, against: schema)
    }
}
