import HeraldCore
import HeraldTestSupport
import Testing

/// Performing webhook jobs against a Standard Webhooks receiver over HTTP: what it gets, and
/// what each of its answers makes of the job.
@Suite(.serialized) struct WebhookDeliveryTests {
    static let secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let oldSecret = "whsec_ERERERERERERERERERERERERERERERERERERERERERE="
    static let token = "tok_header_secret_0123456789"

    static func server(secrets: [String] = [secret]) throws -> WebhookTestServer {
        let server = try WebhookTestServer(secrets: secrets)
        try server.start()
        return server
    }

    static func perform(
        _ server: WebhookTestServer, secrets: [String] = [secret], timeout: String = "2s", extra: String = "",
        attempt: Int = 1
    ) async throws -> (Outcome, Job) {
        let harness = PluginHarness(
            """
            actions:
              hook:
                plugin: webhook
                url: "\(server.url())"
                timeout: \(timeout)
                secrets: [\(secrets.map { "\"\($0)\"" }.joined(separator: ", "))]
                headers: { Authorization: "${env:TOKEN}" }
            \(extra)
            routes:
              - name: r
                events: [registration.after]
                do:
                  - action: hook
            """, env: ["TOKEN": token])
        #expect(harness.messages == [])
        let action = try #require(harness.actions["hook"])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job(event: event))
        return (await action.perform(job, context: .testing(timeout: .seconds(10), attempt: attempt)), job)
    }

    @Test func theReceiverGetsTheSignedPayload() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let (outcome, job) = try await Self.perform(server)
        #expect(outcome == .delivered(detail: "HTTP 204"))
        let request = try #require(server.requests.first)
        #expect(server.verdicts == [.verified])
        #expect(request.method == "POST")
        #expect(request.path == "/hooks/herald")
        #expect(request.header("webhook-id") == job.id.description)
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("Authorization") == Self.token)
        #expect(request.header("herald-event") == "registration.after")
        #expect(request.bodyText == job.payload["body"]?.string)
        #expect(request.json?["identity"]?["id"] != nil)
        if StandardWebhooksPython.isAvailable {
            #expect(
                try StandardWebhooksPython.verify(secret: Self.secret, headers: request.headers, body: request.body)
                    == nil)
        }
    }

    @Test func rotationSignsWithBothSecrets() async throws {
        let oldOnly = try Self.server(secrets: [Self.oldSecret])
        defer { oldOnly.stop() }
        let (outcome, _) = try await Self.perform(oldOnly, secrets: [Self.oldSecret, Self.secret])
        #expect(outcome == .delivered(detail: "HTTP 204"))
        let signature = try #require(oldOnly.requests.first?.header("webhook-signature"))
        #expect(signature.split(separator: " ").count == 2)
        #expect(signature.split(separator: " ").allSatisfy { $0.hasPrefix("v1,") })
    }

    @Test func aWrongSecretIsRefusedByTheReceiverAndFails() async throws {
        let server = try Self.server(secrets: [Self.oldSecret])
        defer { server.stop() }
        let (outcome, _) = try await Self.perform(server)
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.contains("HTTP 401"), "\(reason)")
        #expect(server.verdicts == [.noMatchingSignature])
    }

    @Test func goneFailsForGood() async throws {
        let server = try Self.server()
        defer { server.stop() }
        server.script(.status(410))
        let (outcome, _) = try await Self.perform(server)
        #expect(
            outcome
                == .failed(
                    reason: "the endpoint answered HTTP 410 (Gone: the receiver wants no more webhooks at this URL)"))
    }

    @Test func unavailableIsRetriedAfterRetryAfter() async throws {
        let server = try Self.server()
        defer { server.stop() }
        server.script(.status(503, headers: ["Retry-After": "7"]))
        let (outcome, _) = try await Self.perform(server)
        #expect(outcome == .retry(after: .seconds(7), reason: "the endpoint answered HTTP 503", ambiguous: false))
    }

    @Test func aRedirectIsNotFollowed() async throws {
        let server = try Self.server()
        defer { server.stop() }
        server.script(.redirect(to: server.url("/elsewhere?token=\(Self.token)")))
        let (outcome, _) = try await Self.perform(server)
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason.contains("HTTP 302, a redirect to \(server.url("/elsewhere?token=<redacted>"))"), "\(reason)")
        #expect(!reason.contains(Self.token))
        #expect(server.requests.count == 1)
    }

    @Test func aSlowReceiverIsAnAmbiguousRetry() async throws {
        let server = try Self.server()
        defer { server.stop() }
        server.script(.delayed(.seconds(3), .status(200)))
        let (outcome, _) = try await Self.perform(server, timeout: "500ms")
        #expect(
            outcome
                == .retry(
                    after: nil, reason: "no answer from the endpoint (timed out); may have been processed",
                    ambiguous: true))
    }

    @Test func aServerErrorIsAnAmbiguousRetryQuotingTheBodyRedacted() async throws {
        let server = try Self.server()
        defer { server.stop() }
        server.script(.status(500, body: Array("boom: header was \(Self.token)".utf8)))
        let (outcome, _) = try await Self.perform(server)
        #expect(
            outcome
                == .retry(
                    after: nil,
                    reason: "the endpoint answered HTTP 500: boom: header was <redacted> (may have been processed)",
                    ambiguous: true))
    }

    @Test func theSameJobKeepsItsIdAndSignsEachAttemptAnew() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let (_, first) = try await Self.perform(server, attempt: 1)
        let (_, second) = try await Self.perform(server, attempt: 2)
        #expect(first.id == second.id)
        let ids = server.requests.compactMap { $0.header("webhook-id") }
        #expect(ids == [first.id.description, first.id.description])
        #expect(server.verdicts == [.verified, .verified])
    }

    @Test func nothingListeningIsAPlainRetry() async throws {
        let server = try Self.server()
        server.stop()
        let (outcome, _) = try await Self.perform(server)
        #expect(
            outcome
                == .retry(
                    after: nil, reason: "cannot reach the endpoint (connection refused); not sent", ambiguous: false))
    }
}
