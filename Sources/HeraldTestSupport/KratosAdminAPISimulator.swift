import Foundation
import HeraldCore

/// Answers Kratos admin API requests on `/admin/identities/{id}` the way Kratos v26.2.0 does
/// (`identity/handler.go`), keeping identities in memory.
///
/// `GET` answers the identity; `PATCH` checks, in Kratos' order: the Bearer token when one is
/// configured (as Ory Network does; self-hosted Kratos has no auth of its own), the identity (an
/// id that is not a UUID is read as the nil UUID: 404 `Unable to locate the resource`), the body
/// (JSON, then the `jsonPatchDocument` schema of Kratos' OpenAPI description), then applies the
/// patch as Kratos does (`KratosJSONPatch`) and validates the result: a changed `state` must be
/// `active` or `inactive`, `traits` must be an object and pass `traitsSchema` when one is set.
/// Every error is Kratos' `errorGeneric`. Other paths answer Go's `404 page not found`, other
/// methods 405 (`PUT` and `DELETE` exist in Kratos but are not simulated).
package struct KratosAdminAPISimulator: Sendable {
    /// Identity documents by lower-cased id, as Kratos serializes them with admin metadata.
    package var identities: [String: JSON]
    /// When set, requests need `Authorization: Bearer <token>`.
    package var token: String?
    /// The identity schema's `traits` part, checked after every patch (nil: any object).
    package var traitsSchema: JSON?
    package let api: KratosOpenAPI

    package init(
        identities: [JSON] = [], token: String? = nil, traitsSchema: JSON? = nil, api: KratosOpenAPI? = nil
    ) throws(ReferenceFileError) {
        self.identities = [:]
        for identity in identities {
            if let id = identity["id"]?.string { self.identities[id.lowercased()] = identity }
        }
        self.token = token
        self.traitsSchema = traitsSchema
        if let api {
            self.api = api
        } else {
            self.api = try KratosOpenAPI.shared()
        }
    }

    /// An identity as Kratos stores a new one: `metadata_admin` and `metadata_public` null unless given.
    package static func identity(
        id: String, traits: JSON, metadataPublic: JSON = .null, metadataAdmin: JSON = .null, state: String = "active"
    ) -> JSON {
        let now = timestamp()
        return [
            "id": .string(id), "schema_id": "default", "schema_url": "http://kratos:4433/schemas/ZGVmYXVsdA",
            "state": .string(state), "traits": traits, "metadata_public": metadataPublic,
            "metadata_admin": metadataAdmin, "created_at": .string(now), "updated_at": .string(now),
        ]
    }

    /// The members of an identity that survive a patch: Kratos decodes the patched document back
    /// into its `Identity` struct, which drops any other key.
    static let identityFields: Set<String> = [
        "id", "schema_id", "schema_url", "state", "state_changed_at", "traits", "verifiable_addresses",
        "recovery_addresses", "metadata_public", "metadata_admin", "credentials", "created_at", "updated_at",
        "organization_id", "external_id",
    ]

    /// The answer to `request`; a successful `PATCH` changes the stored identity.
    package mutating func respond(to request: MandrillTestRequest) -> MandrillTestResponse {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, parts[1] == "admin", parts[2] == "identities", !parts[3].isEmpty
        else {
            return MandrillTestResponse(
                status: 404, headers: ["Content-Type": "text/plain; charset=utf-8"],
                body: Array("404 page not found\n".utf8))
        }
        guard request.method == "GET" || request.method == "PATCH" else {
            return MandrillTestResponse(
                status: 405, headers: ["Allow": "GET, PATCH", "Content-Type": "text/plain; charset=utf-8"],
                body: Array("Method Not Allowed\n".utf8))
        }
        if let token, request.header("Authorization") != "Bearer \(token)" {
            return Self.error(401, message: "The request could not be authorized", reason: nil)
        }
        let id = String(parts[3]).lowercased()
        guard UUID(uuidString: id) != nil, let identity = identities[id] else {
            return Self.error(404, message: "Unable to locate the resource", reason: nil)
        }
        guard request.method == "PATCH" else { return .json(200, identity) }
        switch patched(identity, body: request.body) {
        case .success(let updated):
            identities[id] = updated
            return .json(200, updated)
        case .failure(let failure):
            return failure.response
        }
    }

    private struct Rejection: Error {
        let response: MandrillTestResponse
    }

    private func patched(_ identity: JSON, body: [UInt8]) -> Result<JSON, Rejection> {
        let patchReason = "An error occured when applying the JSON patch"  // sic, as Kratos v26.2.0 spells it
        func bad(_ message: String, reason: String? = patchReason) -> Result<JSON, Rejection> {
            .failure(Rejection(response: Self.error(400, message: message, reason: reason)))
        }
        guard !body.isEmpty else { return bad("unexpected end of JSON input") }
        guard let document = try? JSONDocument(parsing: body).root.json else {
            return bad("invalid character in JSON Patch document")
        }
        let violations = api.validatePatch(document)
        if !violations.isEmpty {
            return bad("invalid JSON Patch: " + violations.prefix(3).map(\.description).joined(separator: "; "))
        }
        var result: JSON
        do {
            result = try KratosJSONPatch.apply(document.array ?? [], to: identity)
        } catch {
            return bad(error.message)
        }
        guard var object = result.object else { return bad("invalid state detected") }
        for key in object.keys where !Self.identityFields.contains(key) { _ = object.removeValue(forKey: key) }
        let state = object["state"]?.string ?? ""
        if state != identity["state"]?.string {
            guard state == "active" || state == "inactive" else {
                return bad(
                    "identity state is not valid",
                    reason: "The supplied state ('\(state)') was not valid. Valid states are ('active', 'inactive').")
            }
            object["state_changed_at"] = .string(Self.timestamp())
        }
        guard let traits = object["traits"], traits.object != nil else {
            return bad(
                "The request was malformed or contained invalid parameters",
                reason:
                    "I[#/traits] S[#/properties/traits/type] expected object, but got \(Self.typeName(object["traits"]))"
            )
        }
        if let traitsSchema {
            let problems = JSONSchemaValidator(document: traitsSchema).validate(traits, against: traitsSchema)
            if let first = problems.first {
                return bad(
                    "The request was malformed or contained invalid parameters",
                    reason: "I[#/traits/\(first.path)] \(first.message)")
            }
        }
        object["updated_at"] = .string(Self.timestamp())
        return .success(.object(object))
    }

    /// Kratos' `errorGeneric` with the status text Go gives `status`.
    package static func error(_ status: Int, message: String, reason: String?) -> MandrillTestResponse {
        let texts = [
            400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
            429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
        ]
        var error: JSONObject = [
            "code": .int(Int64(status)), "status": .string(texts[status] ?? "Error"), "message": .string(message),
        ]
        if let reason { error["reason"] = .string(reason) }
        return .json(status, ["error": .object(error)])
    }

    static func typeName(_ value: JSON?) -> String {
        switch value {
        case nil, .null?: return "null"
        case .bool?: return "boolean"
        case .int?, .double?: return "number"
        case .string?: return "string"
        case .array?: return "array"
        case .object?: return "object"
        }
    }

    static func timestamp() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}
