import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The real binary never follows a redirect: a peer answering 307 to another "host" (another
/// port) gets a dead letter naming the Location with the secret masked, and the other host gets
/// nothing, neither the credential nor the body. (URLSession followed the 307 with the
/// credential and an empty body, and the job was logged delivered.)
@Suite struct RedirectTests {
    static let mandrillKey = "md-redirect-key-0123456789"
    static let kratosToken = "ory_pat_redirect0123456789"
    static let mailchimpKey = "0123456789abcdef0123456789abcdef-us21"

    /// The configured origin, which answers every request with a 307 to `/steal?key=SECRET` on
    /// `elsewhere`, which answers what the plugin takes for success.
    struct Peers {
        let origin: FaultyHTTPPeer
        let elsewhere: FaultyHTTPPeer

        init(secret: String, successBody: String) throws {
            elsewhere = try FaultyHTTPPeer(
                fallback: .answer(
                    status: 200, headers: [("Content-Type", "application/json")], body: Array(successBody.utf8)))
            origin = try FaultyHTTPPeer(fallback: .redirect(status: 307, to: elsewhere.url("/steal?key=\(secret)")))
        }

        /// The Location as the reason shows it.
        var maskedLocation: String { elsewhere.url("/steal?key=<redacted>") }

        func stop() {
            origin.stop()
            elsewhere.stop()
        }
    }

    /// Runs `action` (the `target` action's YAML) with `step` for a registration and returns the
    /// dead letter's reason once the job failed.
    private func deadLetterReason(
        action: String, step: String, peers: Peers, secret: String, environment: [String: String]
    ) async throws -> String {
        let (herald, address) = try await Integration.serve(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h }, timeout: 5s }
            actions:
              target:
            \(action)
            routes:
              - name: on-registration
                events: [registration.after]
                do:
                  - action: target
            \(step)
            """, environment: environment)
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        // Either end shows: URLSession followed the redirect and the job was "delivered".
        let ended = try await Integration.eventually(timeout: .seconds(20)) {
            herald.output.contains("job delivered") || herald.output.contains("moved to dead letters")
        }
        try await herald.stop()
        #expect(ended, "\(herald.output)")
        let stolen = peers.elsewhere.requests.map { request in
            "\(request.method) \(request.target) Authorization: \(request.header("Authorization") ?? "-"), "
                + "\(request.body.count) body bytes"
        }
        #expect(peers.elsewhere.connections == 0, "the other host got \(stolen)")
        #expect(peers.origin.requests.count == 1)
        #expect(!herald.output.contains("job delivered"))
        #expect(!herald.output.contains(secret))
        let letter = try #require(try QueueCLI(store: .local, directory: herald.directory).list("dead").first)
        #expect(letter["attempts"]?.int == 1)
        return letter["reason"]?.string ?? ""
    }

    @Test func mandrillsKeyAndMessageStayAtTheConfiguredOrigin() async throws {
        let peers = try Peers(
            secret: Self.mandrillKey,
            successBody: #"[{"email":"jane.doe@example.com","status":"sent","_id":"stolen"}]"#)
        defer { peers.stop() }
        let reason = try await deadLetterReason(
            action: """
                    plugin: mandrill
                    api_key: "${env:MANDRILL_KEY}"
                    base_url: "\(peers.origin.url("/api/1.0"))"
                    from: { email: hello@example.com }
                """,
            step: """
                        template: welcome
                        to: "{{recipient}}"
                """, peers: peers, secret: Self.mandrillKey, environment: ["MANDRILL_KEY": Self.mandrillKey])
        #expect(
            reason
                == "Mandrill answered HTTP 307, a redirect to \(peers.maskedLocation); redirects are not followed, "
                + "check base_url")
    }

    @Test func kratosTokenStaysAtTheConfiguredOrigin() async throws {
        let peers = try Peers(
            secret: Self.kratosToken, successBody: #"{"id":"7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20"}"#)
        defer { peers.stop() }
        let reason = try await deadLetterReason(
            action: """
                    plugin: kratos
                    admin_url: "\(peers.origin.url())"
                    token: "${env:KRATOS_TOKEN}"
                """,
            step: """
                        identity: "{{identity.id}}"
                        patch: [{op: add, path: /metadata_admin/welcomed, value: true}]
                """, peers: peers, secret: Self.kratosToken, environment: ["KRATOS_TOKEN": Self.kratosToken])
        let request = try #require(peers.origin.requests.first)
        #expect(request.header("Authorization") == "Bearer \(Self.kratosToken)")
        #expect(reason.hasPrefix("Kratos answered HTTP 307, a redirect to \(peers.maskedLocation); "), "\(reason)")
        #expect(
            reason.hasSuffix(
                "redirects are not followed, Kratos' public port redirects /admin to the admin URL: point admin_url there"
            ))
    }

    @Test func mailchimpsKeyStaysAtTheConfiguredOrigin() async throws {
        let peers = try Peers(
            secret: Self.mailchimpKey,
            successBody: #"{"id":"x","email_address":"jane.doe@example.com","status":"subscribed"}"#)
        defer { peers.stop() }
        let reason = try await deadLetterReason(
            action: """
                    plugin: mailchimp
                    api_key: "${env:MAILCHIMP_KEY}"
                    list_id: a1b2c3d4e5
                    base_url: "\(peers.origin.url("/3.0"))"
                """,
            step: """
                        email: "{{identity.traits.email}}"
                        status_if_new: subscribed
                """, peers: peers, secret: Self.mailchimpKey, environment: ["MAILCHIMP_KEY": Self.mailchimpKey])
        #expect(reason.hasPrefix("Mailchimp answered HTTP 307, a redirect to \(peers.maskedLocation); "), "\(reason)")
    }
}
