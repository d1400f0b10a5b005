import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The real binary posts events to a Standard Webhooks receiver that verifies every request,
/// and the official Python library verifies what it recorded.
@Suite struct WebhookDeliveryTests {
    static let secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let token = "tok_integration_webhook_0123456789"

    private func start(_ server: WebhookTestServer, timeout: String = "2s") async throws -> (HeraldProcess, String) {
        try server.start()
        return try await Integration.serve(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            log: { level: debug }
            delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h }, timeout: 10s }
            actions:
              hook:
                plugin: webhook
                url: "\(server.url())"
                timeout: \(timeout)
                secrets: ["${env:WEBHOOK_SECRET}"]
                headers: { Authorization: "Bearer ${env:HOOK_TOKEN}" }
            routes:
              - name: forward
                events: [registration.after]
                do:
                  - action: hook
            """, environment: ["WEBHOOK_SECRET": Self.secret, "HOOK_TOKEN": Self.token])
    }

    private func post(to address: String) throws {
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
    }

    private func deadLetter(_ herald: HeraldProcess) throws -> JSON? {
        try QueueCLI(store: .local, directory: herald.directory).list("dead").first
    }

    @Test func theEventArrivesSignedAndTheOfficialLibraryVerifiesIt() async throws {
        let server = try WebhookTestServer(secrets: [Self.secret])
        defer { server.stop() }
        let (herald, address) = try await start(server)
        try post(to: address)
        try await herald.waitForLog("msg=\"job delivered\"")
        let request = try #require(server.requests.first)
        #expect(server.verdicts == [.verified])
        #expect(request.header("Authorization") == "Bearer \(Self.token)")
        #expect(request.json?["identity"]?["id"]?.string == "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20")
        // The user's cookies (the session cookie among them) are neither sent nor stored.
        #expect(request.json?["request_cookies"] == nil && request.json?["request_headers"]?["User-Agent"] != nil)
        if StandardWebhooksPython.isAvailable {
            #expect(
                try StandardWebhooksPython.verify(secret: Self.secret, headers: request.headers, body: request.body)
                    == nil)
        } else {
            Issue.record(Comment(rawValue: StandardWebhooksPython.unavailableReason))
        }
        #expect(!herald.output.contains(Self.token) && !herald.output.contains(Self.secret))
        try await herald.stop()
    }

    @Test func goneIsADeadLetterAtOnce() async throws {
        let server = try WebhookTestServer(secrets: [Self.secret])
        defer { server.stop() }
        server.script(.status(410))
        let (herald, address) = try await start(server)
        try post(to: address)
        try await herald.waitForLog("moved to dead letters")
        let letter = try #require(try deadLetter(herald))
        #expect(letter["attempts"]?.int == 1)
        #expect(letter["reason"]?.string?.contains("HTTP 410 (Gone") == true, "\(letter)")
        #expect(server.requests.count == 1)
        try await herald.stop()
    }

    @Test func unavailableIsRetriedAfterRetryAfterThenDelivered() async throws {
        let server = try WebhookTestServer(secrets: [Self.secret])
        defer { server.stop() }
        server.script(.status(503, headers: ["Retry-After": "1"]))
        let (herald, address) = try await start(server)
        try post(to: address)
        try await herald.waitForLog("msg=\"job delivered\"")
        let requests = server.requests
        #expect(requests.count == 2)
        #expect(server.verdicts == [.verified, .verified])
        // The schedule says 200ms; the receiver asked for a second.
        #expect(requests[1].receivedAt - requests[0].receivedAt >= .milliseconds(900))
        #expect(requests[0].header("webhook-id") == requests[1].header("webhook-id"))
        #expect(herald.output.contains("outcome=retry "))
        try await herald.stop()
    }

    @Test func aRedirectIsNotFollowedAndIsADeadLetter() async throws {
        let server = try WebhookTestServer(secrets: [Self.secret])
        defer { server.stop() }
        server.script(.redirect(to: "/moved"))
        let (herald, address) = try await start(server)
        try post(to: address)
        try await herald.waitForLog("moved to dead letters")
        #expect(server.requests.map(\.path) == ["/hooks/herald"])
        let letter = try #require(try deadLetter(herald))
        #expect(
            letter["reason"]?.string?.contains("HTTP 302, a redirect to /moved; redirects are not followed") == true,
            "\(letter)")
        try await herald.stop()
    }

    @Test func aTimeoutIsRetried() async throws {
        let server = try WebhookTestServer(secrets: [Self.secret])
        defer { server.stop() }
        server.script(.delayed(.seconds(3), .status(200)))
        let (herald, address) = try await start(server, timeout: "500ms")
        try post(to: address)
        try await herald.waitForLog("msg=\"job delivered\"")
        #expect(server.requests.count == 2)
        #expect(herald.output.contains("outcome=retry_ambiguous"))
        #expect(herald.output.contains("timed out"))
        try await herald.stop()
    }

    @Test func checkAndExplainShowTheRequestWithoutSecrets() async throws {
        let directory = try makeTemporaryDirectory()
        try """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress: { insecure_no_auth: true }
        actions:
          hook:
            plugin: webhook
            url: https://crm.example.com/hooks/herald
            secrets: ["${env:WEBHOOK_SECRET}"]
            headers: { Authorization: "Bearer ${env:HOOK_TOKEN}" }
        routes:
          - name: forward
            events: [registration.after]
            do:
              - action: hook
                body: '{"user": {{identity.id | json}}}'
        """.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let environment = ["WEBHOOK_SECRET": Self.secret, "HOOK_TOKEN": Self.token]
        let check = try HeraldProcess.run(
            ["check", "--config", "herald.yaml"], in: directory, environment: environment)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(
            check.stdout.contains(
                "webhook → POST https://crm.example.com/hooks/herald (1 secret; headers: Authorization)"),
            "\(check.stdout)")
        let payload = Integration.examples.appendingPathComponent("registration-after.json").path
        let explain = try HeraldProcess.run(
            ["explain", "--config", "herald.yaml", "--event", "registration.after", payload], in: directory,
            environment: environment)
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(
            explain.stdout.contains(#""body": "{\"user\": \"7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20\"}""#),
            "\(explain.stdout)")
        for output in [check.stdout, check.stderr, explain.stdout, explain.stderr] {
            #expect(!output.contains(Self.token) && !output.contains(Self.secret))
        }
    }
}
