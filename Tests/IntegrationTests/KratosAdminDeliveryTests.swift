import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The real binary patches identities through a Kratos admin API server that applies JSON Patch
/// as Kratos does and checks bodies against Kratos' OpenAPI description.
@Suite struct KratosAdminDeliveryTests {
    static let token = "ory_pat_integration0123456789"
    /// `identity.id` of etc/examples/registration-after.json.
    static let id = "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20"

    private func start(_ server: KratosAdminTestServer) async throws -> (HeraldProcess, String) {
        try server.start()
        let adminURL = try #require(server.baseURL)
        return try await Integration.serve(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            log: { level: debug }
            delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h }, timeout: 5s }
            actions:
              kratos:
                plugin: kratos
                admin_url: "\(adminURL)"
                token: "${env:KRATOS_TOKEN}"
            routes:
              - name: mark-identity
                events: [registration.after]
                do:
                  - action: kratos
                    identity: "{{identity.id}}"
                    patch:
                      - {op: add, path: /metadata_admin/email_undeliverable, value: true}
                      - {op: add, path: /metadata_admin/undeliverable_address, value: "{{identity.traits.email}}"}
            """, environment: ["KRATOS_TOKEN": Self.token])
    }

    private static func server() throws -> KratosAdminTestServer {
        try KratosAdminTestServer(
            identities: [KratosAdminAPISimulator.identity(id: id, traits: ["email": "jane.doe@example.com"])],
            token: token)
    }

    private func post(to address: String) throws {
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
    }

    @Test func theEventPatchesTheIdentityMetadata() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let (herald, address) = try await start(server)
        try post(to: address)
        try await herald.waitForLog("msg=\"job delivered\"")
        let metadata = server.identity(Self.id)?["metadata_admin"]
        #expect(metadata == ["email_undeliverable": true, "undeliverable_address": "jane.doe@example.com"])
        #expect(server.requests.count == 1)
        #expect(server.requests.first?.header("Authorization") == "Bearer \(Self.token)")
        #expect(!herald.output.contains(Self.token))
        #expect(!herald.output.contains(Self.id), "\(herald.output)")
        try await herald.stop()
    }

    @Test func aDeletedIdentityIsADeadLetterWithoutRetry() async throws {
        let server = try Self.server()
        defer { server.stop() }
        server.configure { $0.identities = [:] }
        let (herald, address) = try await start(server)
        try post(to: address)
        let line = try await herald.waitForLog("moved to dead letters")
        #expect(line.contains("not found (deleted?)"), "\(line)")
        // The identity id is personal data: no log line names it (the debug line masks it).
        #expect(!herald.output.contains(Self.id), "\(herald.output)")
        #expect(server.requests.count == 1)
        let cli = QueueCLI(store: .local, directory: herald.directory)
        let letters = try cli.list("dead")
        #expect(letters.count == 1 && letters.first?["attempts"]?.int == 1, "\(letters)")
        #expect(letters.first?["reason"]?.string?.contains("Unable to locate the resource") == true)
        try await herald.stop()
    }

    @Test func anUnavailableKratosIsRetriedUntilDelivered() async throws {
        let server = try Self.server()
        defer { server.stop() }
        server.inject(.respond(KratosFault.serviceUnavailable))
        let (herald, address) = try await start(server)
        try post(to: address)
        try await herald.waitForLog("msg=\"job delivered\"")
        #expect(server.requests.count == 2)
        #expect(herald.output.contains("outcome=retry "))
        #expect(server.identity(Self.id)?["metadata_admin"]?["email_undeliverable"] == true)
        try await herald.stop()
    }

    @Test func explainShowsTheRenderedPatchAndCheckNeverPrintsTheToken() async throws {
        let server = try Self.server()
        defer { server.stop() }
        try server.start()
        let directory = try makeTemporaryDirectory()
        let config = """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            actions:
              kratos:
                plugin: kratos
                admin_url: "\(try #require(server.baseURL))"
                token: "${env:KRATOS_TOKEN}"
            routes:
              - name: mark-identity
                events: [registration.after]
                do:
                  - action: kratos
                    identity: "{{identity.id}}"
                    patch: [{op: remove, path: /metadata_public/newsletter}]
            """
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let payload = Integration.examples.appendingPathComponent("registration-after.json").path
        let environment = ["KRATOS_TOKEN": Self.token]
        let check = try HeraldProcess.run(
            ["check", "--config", "herald.yaml"], in: directory, environment: environment)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("kratos: kratos — kratos → \(try #require(server.baseURL))"), "\(check.stdout)")
        let explain = try HeraldProcess.run(
            ["explain", "--config", "herald.yaml", "--event", "registration.after", payload], in: directory,
            environment: environment)
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("\"identity\": \"\(Self.id)\""), "\(explain.stdout)")
        #expect(explain.stdout.contains("\"path\": \"/metadata_public/newsletter\""))
        for output in [check.stdout, check.stderr, explain.stdout, explain.stderr] {
            #expect(!output.contains(Self.token))
        }
        #expect(server.requests.isEmpty)
    }
}
