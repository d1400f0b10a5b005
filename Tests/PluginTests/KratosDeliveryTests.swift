import HeraldCore
import HeraldTestSupport
import Testing

/// Performing Kratos jobs against the Kratos admin test server, over HTTP.
@Suite(.serialized) struct KratosDeliveryTests {
    static let id = "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20"
    static let token = "ory_pat_delivery0123456789"

    static let step = """
                identity: "{{identity.id}}"
                patch:
                  - {op: add, path: /metadata_admin/email_undeliverable, value: true}
                  - {op: remove, path: /metadata_public/newsletter}
        """

    static func perform(
        _ server: KratosAdminTestServer, token: String? = token, timeout: String = "2s"
    ) async throws -> Outcome {
        let harness = PluginHarness(
            """
            actions:
              kratos:
                plugin: kratos
                admin_url: "\(server.baseURL ?? "http://127.0.0.1:1")"
                timeout: \(timeout)
            \(token == nil ? "" : "    token: \"${env:KRATOS_TOKEN}\"")
            routes:
              - name: r
                events: [registration.after]
                do:
                  - action: kratos
            \(step)
            """, env: ["KRATOS_TOKEN": token ?? ""])
        #expect(harness.messages == [])
        let action = try #require(harness.actions["kratos"])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job(event: event))
        return await action.perform(job, context: .testing(timeout: .seconds(10)))
    }

    static func server(token: String? = token) throws -> KratosAdminTestServer {
        let server = try KratosAdminTestServer(
            identities: [KratosAdminAPISimulator.identity(id: id, traits: ["email": "jane.doe@example.com"])],
            token: token)
        try server.start()
        return server
    }

    @Test func thePatchIsAppliedWithTheBearerToken() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let outcome = try await Self.perform(server)
        #expect(outcome == .delivered(detail: "identity patched"))
        let request = try #require(server.requests.first)
        #expect(request.method == "PATCH")
        #expect(request.path == "/admin/identities/\(Self.id)")
        #expect(request.header("Authorization") == "Bearer \(Self.token)")
        #expect(request.header("Content-Type") == "application/json")
        let identity = try #require(server.identity(Self.id))
        #expect(identity["metadata_admin"] == ["email_undeliverable": true])
        #expect(identity["metadata_public"] == [:])
    }

    @Test func aWrongTokenFailsWithoutQuotingIt() async throws {
        let server = try Self.server(token: "ory_pat_the_right_one")
        defer { server.stop() }
        let outcome = try await Self.perform(server)
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.contains("HTTP 401"))
        #expect(!reason.contains(Self.token))
    }

    @Test func aDeletedIdentityFails() async throws {
        let server = try Self.server()
        defer { server.stop() }
        server.configure { $0.identities = [:] }
        let outcome = try await Self.perform(server)
        #expect(outcome.label == "failed")
    }

    @Test func aTimeoutAfterSendingIsAnAmbiguousRetryAndTheRepeatIsHarmless() async throws {
        let server = try Self.server()
        defer { server.stop() }
        server.inject(.delay(.seconds(3)))
        let first = try await Self.perform(server, timeout: "500ms")
        #expect(first.label == "retry_ambiguous", "\(first)")
        let applied = server.identity(Self.id)
        let second = try await Self.perform(server)
        #expect(second.label == "delivered")
        #expect(server.identity(Self.id)?["metadata_admin"] == applied?["metadata_admin"])
        #expect(server.identity(Self.id)?["metadata_public"] == applied?["metadata_public"])
    }

    @Test func aClosedConnectionIsAnAmbiguousRetry() async throws {
        let server = try Self.server()
        defer { server.stop() }
        server.inject(.closeConnection)
        #expect(try await Self.perform(server).label == "retry_ambiguous")
    }
}
