import HeraldCore
import HeraldTestSupport
import Testing

/// The Mandrill-compatible test server answers like the real API, and its answers match the spec.
@Suite struct MandrillAPISimulatorTests {
    static let body: JSON = [
        "key": "k-1", "template_name": "welcome", "template_content": [],
        "message": [
            "to": [
                ["email": "a@example.com", "type": "to"], ["email": "bounce@example.com", "type": "cc"],
                ["email": "not-an-address", "type": "bcc"],
            ]
        ],
    ]

    func simulator(_ errorStatuses: MandrillAPISimulator.ErrorStatuses = .current) throws -> MandrillAPISimulator {
        try MandrillAPISimulator(
            keys: ["k-1"], templates: ["welcome"], subaccounts: ["sub"],
            rejected: ["Bounce@example.com": "hard-bounce"],
            errorStatuses: errorStatuses)
    }

    func post(
        _ body: JSON, path: String = "/api/1.0/messages/send-template.json",
        contentType: String = "application/json; charset=utf-8",
        errorStatuses: MandrillAPISimulator.ErrorStatuses = .current
    )
        throws -> MandrillTestResponse
    {
        try simulator(errorStatuses).respond(
            to: MandrillTestRequest(
                method: "POST", path: path, headers: [("Content-Type", contentType)], body: body.serialized()))
    }

    @Test func oneResultPerRecipient() throws {
        let response = try post(Self.body)
        #expect(response.status == 200)
        let results = try #require(response.json?.array)
        #expect(results.map { $0["status"] } == ["sent", "rejected", "invalid"])
        #expect(results[1]["reject_reason"] == "hard-bounce")
        #expect(results.allSatisfy { $0["_id"]?.string?.count == 32 })
        let api = try MandrillOpenAPI.shared()
        let schema = try #require(api.responseSchema(operation: "/messages/send-template", status: 200))
        #expect(api.validator.validate(try #require(response.json), against: schema) == [])
    }

    @Test func scheduledAndQueued() throws {
        var body = Self.body.object ?? [:]
        body["send_at"] = "2030-01-01 00:00:00"
        body["message"] = ["to": [["email": "a@example.com"]]]
        #expect(try post(.object(body)).json?[0]?["status"] == "scheduled")
        body["send_at"] = nil
        body["message"] = ["to": .array((0..<11).map { ["email": .string("u\($0)@example.com")] })]
        #expect(try post(.object(body)).json?[0]?["queued_reason"] == "multiple-recipients")
    }

    @Test func errorsLookLikeMandrills() throws {
        var body = Self.body.object ?? [:]
        body["key"] = "nope"
        let invalidKey = try post(.object(body))
        #expect(invalidKey.status == 401)
        #expect(
            invalidKey.json == ["status": "error", "code": -1, "name": "Invalid_Key", "message": "Invalid API key"])
        let api = try MandrillOpenAPI.shared()
        // Real answers carry code -1 (reference/mandrill-api.md §A.4) where the spec's
        // InvalidKeyError says 401, so the body is checked against the generic Error schema.
        #expect(api.validator.validate(try #require(invalidKey.json), schemaAt: "#/components/schemas/Error") == [])

        body["key"] = "k-1"
        body["template_content"] = nil
        let missing = try post(.object(body))
        #expect(missing.status == 400)
        #expect(missing.json?["name"] == "ValidationError")
        #expect(missing.json?["message"] == "Validation error: missing required property 'template_content'")
        #expect(try post(.object(body), errorStatuses: .legacy).status == 500)

        body["template_content"] = []
        body["template_name"] = "goodbye"
        let unknown = try post(.object(body))
        #expect(unknown.status == 404)
        #expect(unknown.json?["name"] == "Unknown_Template")

        body["template_name"] = "welcome"
        body["message"] = ["to": [["email": "a@example.com"]], "subaccount": "other"]
        #expect(try post(.object(body)).json?["name"] == "Unknown_Subaccount")
        body["message"] = ["to": [["email": "a@example.com", "type": "reply-to"]]]
        #expect(try post(.object(body)).json?["message"]?.string?.contains("message.to[0].type") == true)
    }

    @Test func transportRules() throws {
        #expect(try post(Self.body, contentType: "text/plain").json?["name"] == "ValidationError")
        #expect(try post(Self.body, path: "/api/1.0/messages/send-template").status == 200)
        #expect(try post(["key": "k-1"], path: "/api/1.0/users/ping2.json").json == ["PING": "PONG!"])
        #expect(try post(Self.body, path: "/api/1.0/messages/sned.json").status == 404)
        let get = try simulator().respond(
            to: MandrillTestRequest(method: "GET", path: "/messages/send.json", headers: [], body: []))
        #expect(get.status == 405)
        let garbage = try simulator().respond(
            to: MandrillTestRequest(
                method: "POST", path: "/messages/send.json", headers: [("content-type", "application/json")],
                body: Array("{".utf8)))
        #expect(garbage.status == 400)
    }

    @Test func faultsAreScriptedInOrderAndRequestsRecorded() throws {
        let server = MandrillTestServer(simulator: try simulator())
        server.inject(.respond(MandrillFault.generalError), count: 2)
        server.inject(.closeConnection)
        let request = MandrillTestRequest(
            method: "POST", path: "/messages/send-template.json", headers: [("Content-Type", "application/json")],
            body: Self.body.serialized())
        #expect(server.handle(request) == .respond(MandrillFault.generalError, delay: nil))
        #expect(server.handle(request) == .respond(MandrillFault.generalError, delay: nil))
        #expect(server.handle(request) == .close)
        guard case .respond(let normal, nil) = server.handle(request) else {
            Issue.record("expected a normal answer")
            return
        }
        #expect(normal.status == 200)
        #expect(server.requests.count == 4)
        #expect(server.requests.first?.json?["key"] == "k-1")
    }
}
