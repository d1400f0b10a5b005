import HeraldCore
import HeraldTestSupport
import Testing

/// The Kratos admin test server's behaviour, checked against what Kratos v26.2.0 does with a
/// patch (oryx/jsonx/patch.go over evanphx/json-patch v5.9.11, identity/handler.go).
@Suite struct KratosAdminAPISimulatorTests {
    static let id = "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20"

    static func simulator(
        metadataAdmin: JSON = .null, token: String? = nil, traitsSchema: JSON? = nil
    ) throws -> KratosAdminAPISimulator {
        try KratosAdminAPISimulator(
            identities: [
                KratosAdminAPISimulator.identity(
                    id: id, traits: ["email": "jane.doe@example.com"], metadataAdmin: metadataAdmin)
            ], token: token, traitsSchema: traitsSchema)
    }

    static func patch(_ body: JSON, id: String = id, headers: [(name: String, value: String)] = [])
        -> MandrillTestRequest
    {
        MandrillTestRequest(
            method: "PATCH", path: "/admin/identities/\(id)",
            headers: [(name: "Content-Type", value: "application/json")] + headers, body: body.serialized())
    }

    @Test func addingUnderANullParentCreatesIt() throws {
        var simulator = try Self.simulator()
        let response = simulator.respond(
            to: Self.patch([["op": "add", "path": "/metadata_admin/email_undeliverable", "value": true]]))
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(simulator.identities[Self.id]?["metadata_admin"] == ["email_undeliverable": true])
        // The answer is an identity as Kratos' description has it.
        #expect(try KratosOpenAPI.shared().validatePatchResponse(try #require(response.json), status: 200) == [])
    }

    @Test func addingKeepsTheSiblingsAndRepeatingChangesNothing() throws {
        var simulator = try Self.simulator(metadataAdmin: ["crm": "42"])
        let request = Self.patch([["op": "replace", "path": "/metadata_admin/email_undeliverable", "value": true]])
        #expect(simulator.respond(to: request).status == 200)
        let once = simulator.identities[Self.id]?["metadata_admin"]
        #expect(simulator.respond(to: request).status == 200)
        #expect(simulator.identities[Self.id]?["metadata_admin"] == once)
        #expect(once == ["crm": "42", "email_undeliverable": true])
    }

    @Test func addingUnderAScalarParentFails() throws {
        var simulator = try Self.simulator(metadataAdmin: "legacy")
        let response = simulator.respond(to: Self.patch([["op": "add", "path": "/metadata_admin/x", "value": 1]]))
        #expect(response.status == 400)
        #expect(response.json?["error"]?["message"] == "invalid state detected")
        #expect(response.json?["error"]?["reason"] == "An error occured when applying the JSON patch")
        #expect(try KratosOpenAPI.shared().validatePatchResponse(try #require(response.json), status: 400) == [])
    }

    @Test func anAllDigitKeyBuildsAnArray() throws {
        var simulator = try Self.simulator()
        let response = simulator.respond(
            to: Self.patch([["op": "add", "path": "/metadata_admin/years/0", "value": 1]]))
        #expect(response.status == 200)
        #expect(simulator.identities[Self.id]?["metadata_admin"] == ["years": [1]])
    }

    @Test(arguments: ["test", "move", "copy"])
    func onlyAddRemoveAndReplaceAreApplied(op: String) throws {
        var simulator = try Self.simulator()
        let response = simulator.respond(
            to: Self.patch([["op": .string(op), "path": "/metadata_admin", "value": nil, "from": "/traits"]]))
        #expect(response.status == 400)
        #expect(response.json?["error"]?["message"] == .string("unsupported operation: \(op)"))
    }

    @Test(arguments: ["/id", "/credentials", "/credentials/oidc/config", "/stateChangedAt", "/ID"])
    func deniedPathsAreRefused(path: String) throws {
        var simulator = try Self.simulator()
        let response = simulator.respond(to: Self.patch([["op": "add", "path": .string(path), "value": 1]]))
        #expect(response.status == 400)
        #expect(response.json?["error"]?["message"] == .string("patch includes denied path: \(path)"))
    }

    @Test func removingAMissingKeyFailsButAddNullThenRemoveDoesNot() throws {
        var simulator = try Self.simulator(metadataAdmin: ["crm": "42"])
        let plain = simulator.respond(to: Self.patch([["op": "remove", "path": "/metadata_admin/newsletter"]]))
        #expect(plain.status == 400)
        #expect(plain.json?["error"]?["message"]?.string?.contains("unable to remove nonexistent key") == true)
        let safe: JSON = [
            ["op": "add", "path": "/metadata_admin/newsletter", "value": nil],
            ["op": "remove", "path": "/metadata_admin/newsletter"],
        ]
        #expect(simulator.respond(to: Self.patch(safe)).status == 200)
        #expect(simulator.respond(to: Self.patch(safe)).status == 200)
        #expect(simulator.identities[Self.id]?["metadata_admin"] == ["crm": "42"])
    }

    @Test func bodiesOutsideTheSchemaAreRefused() throws {
        var simulator = try Self.simulator()
        for body: JSON in [["op": "add"], [["op": "add", "value": 1]], [["op": 1, "path": "/traits/a"]]] {
            let response = simulator.respond(to: Self.patch(body))
            #expect(response.status == 400, "\(body)")
            #expect(response.json?["error"]?["message"]?.string?.hasPrefix("invalid JSON Patch: ") == true)
        }
        let empty = simulator.respond(
            to: MandrillTestRequest(method: "PATCH", path: "/admin/identities/\(Self.id)", headers: [], body: []))
        #expect(empty.json?["error"]?["message"] == "unexpected end of JSON input")
    }

    @Test func statesAndTraitsAreValidatedAfterThePatch() throws {
        let schema: JSON = [
            "type": "object", "properties": ["email": ["type": "string"]], "required": ["email"],
        ]
        var simulator = try Self.simulator(traitsSchema: schema)
        let state = simulator.respond(to: Self.patch([["op": "replace", "path": "/state", "value": "deleted"]]))
        #expect(state.status == 400)
        #expect(
            state.json?["error"]?["reason"]
                == "The supplied state ('deleted') was not valid. Valid states are ('active', 'inactive').")
        let traits = simulator.respond(to: Self.patch([["op": "remove", "path": "/traits/email"]]))
        #expect(traits.status == 400)
        let inactive = simulator.respond(to: Self.patch([["op": "replace", "path": "/state", "value": "inactive"]]))
        #expect(inactive.status == 200)
        #expect(simulator.identities[Self.id]?["state_changed_at"]?.string != nil)
    }

    @Test func unknownIdentitiesAndNonUUIDsAreNotFound() throws {
        var simulator = try Self.simulator()
        for id in ["0b5c1a3e-9a47-4a1e-9b7a-2b8d7d0f6c11", "jane"] {
            let response = simulator.respond(to: Self.patch([["op": "add", "path": "/traits/a", "value": 1]], id: id))
            #expect(response.status == 404)
            #expect(response.json?["error"]?["message"] == "Unable to locate the resource")
        }
        let other = simulator.respond(
            to: MandrillTestRequest(method: "PATCH", path: "/admin/admin/identities/\(Self.id)", headers: [], body: []))
        #expect(other.status == 404 && other.bodyText == "404 page not found\n")
    }

    @Test func aConfiguredTokenIsRequiredAsBearer() throws {
        var simulator = try Self.simulator(token: "ory_pat_right")
        let body: JSON = [["op": "add", "path": "/metadata_admin/a", "value": 1]]
        #expect(simulator.respond(to: Self.patch(body)).status == 401)
        #expect(
            simulator.respond(to: Self.patch(body, headers: [(name: "Authorization", value: "Bearer ory_pat_wrong")]))
                .status == 401)
        #expect(
            simulator.respond(to: Self.patch(body, headers: [(name: "Authorization", value: "Bearer ory_pat_right")]))
                .status == 200)
    }
}
