import HeraldCore

/// The part of Kratos' OpenAPI description for `/admin/identities/{id}` (Tests/Fixtures/kratos-api),
/// with the schemas the Kratos admin test server checks requests and answers against.
package struct KratosOpenAPI: Sendable {
    package let document: JSON
    package let validator: JSONSchemaValidator

    /// Parses the description at `path`.
    ///
    /// - Throws: `ReferenceFileError` when the file is missing or not JSON.
    package init(path: String = ReferenceFiles.kratosAdminOpenAPI) throws(ReferenceFileError) {
        let bytes = try ReferenceFiles.bytes(atPath: path)
        do {
            document = try JSONDocument(parsing: bytes).root.json
        } catch {
            throw ReferenceFileError(path: path, reason: "not JSON: \(error)")
        }
        validator = JSONSchemaValidator(document: document)
    }

    private static let loaded = Result { () throws(ReferenceFileError) in try KratosOpenAPI() }

    /// The description from the fixtures, parsed once per process.
    package static func shared() throws(ReferenceFileError) -> KratosOpenAPI {
        try loaded.get()
    }

    /// The request schema of `PATCH /admin/identities/{id}` (a `$ref` to `jsonPatchDocument`).
    package var patchRequestSchema: JSON? {
        document["paths"]?["/admin/identities/{id}"]?["patch"]?["requestBody"]?["content"]?["application/json"]?[
            "schema"]
    }

    /// Validates a JSON Patch body; a missing schema is itself a violation.
    package func validatePatch(_ body: JSON) -> [SchemaViolation] {
        guard let schema = patchRequestSchema else {
            return [SchemaViolation(path: "", message: "no request schema for PATCH /admin/identities/{id}")]
        }
        return validator.validate(body, against: schema)
    }

    /// Validates an answer of `PATCH /admin/identities/{id}` with `status` against its schema
    /// (`identity` for 200, `errorGeneric` otherwise).
    package func validatePatchResponse(_ body: JSON, status: Int) -> [SchemaViolation] {
        let responses = document["paths"]?["/admin/identities/{id}"]?["patch"]?["responses"]
        guard
            let schema = (responses?[String(status)] ?? responses?["default"])?["content"]?["application/json"]?[
                "schema"]
        else { return [SchemaViolation(path: "", message: "no response schema for \(status)")] }
        return validator.validate(body, against: schema)
    }
}
