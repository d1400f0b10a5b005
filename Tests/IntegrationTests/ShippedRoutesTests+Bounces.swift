import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

extension ShippedRoutesTests {
    static let kratosToken = "ory_pat_shipped0123456789"
    static let webhookKey = "whk-shipped-0123456789"

    /// Uncomments `mandrill_webhooks`, the `kratos` action and routes.d/60-mandrill-bounces.yaml,
    /// as their comments tell an operator to, pointing them at the test servers.
    static func enableBounces(_ config: inout String, in copy: URL, kratos: KratosAdminTestServer) throws {
        let webhooks = """
              # mandrill_webhooks:
              #   url: https://herald.example.com/v1/mandrill/events
              #   keys: ["${credential:mandrill-webhook-key}"]
            """
        let action = """
              # kratos:
              #   plugin: kratos
              #   admin_url: http://127.0.0.1:4434
              #   token: "${credential:kratos-admin-token}"
            """
        for block in [webhooks, action] {
            #expect(config.contains(block), "etc/herald/herald.yaml no longer has \(block)")
            config = config.replacingOccurrences(of: block, with: block.replacingOccurrences(of: "  # ", with: "  "))
        }
        config = config.replacingOccurrences(
            of: "admin_url: http://127.0.0.1:4434", with: "admin_url: \"\(try #require(kratos.baseURL))\"")
        let routes = copy.appendingPathComponent("routes.d/60-mandrill-bounces.yaml")
        let lines = try String(contentsOf: routes, encoding: .utf8).components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "# routes:"))
        let enabled = lines[..<start] + lines[start...].map { $0 == "#" ? "" : String($0.dropFirst(2)) }
        try enabled.joined(separator: "\n").write(to: routes, atomically: true, encoding: .utf8)
        let credentials = copy.deletingLastPathComponent().appendingPathComponent("credentials")
        try kratosToken.write(
            to: credentials.appendingPathComponent("kratos-admin-token"), atomically: true, encoding: .utf8)
        try webhookKey.write(
            to: credentials.appendingPathComponent("mandrill-webhook-key"), atomically: true, encoding: .utf8)
    }

    /// The shipped bounce routes, uncommented: a hard bounce marks the identity and takes the
    /// address out of the audience; a spam complaint takes it out too.
    @Test func theShippedBounceRoutesMarkTheIdentityAndLeaveTheAudience() async throws {
        let mandrill = try MandrillTestServer(keys: [Self.mandrillKey], templates: ["welcome", "newsletter-confirm"])
        try mandrill.start()
        defer { mandrill.stop() }
        let list = "a1b2c3d4e5"
        let jane = "jane.doe@example.com"
        let mailchimp = try MailchimpTestServer(apiKey: Self.mailchimpKey, audiences: [list: MailchimpAudience()])
        try mailchimp.start()
        defer { mailchimp.stop() }
        let identity = "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20"
        let kratos = try KratosAdminTestServer(
            identities: [KratosAdminAPISimulator.identity(id: identity, traits: ["email": .string(jane)])],
            token: Self.kratosToken)
        try kratos.start()
        defer { kratos.stop() }
        let (herald, address) = try await Self.serve(mandrill) { config, copy in
            try Self.enableAudience(&config, in: copy, server: mailchimp)
            try Self.enableBounces(&config, in: copy, kratos: kratos)
        }
        _ = try Self.post(
            "/v1/events/registration/after", try ReferenceFiles.kratosPayload("registration-after"), to: address)
        #expect(try await Integration.eventually { mailchimp.member(jane, in: list) != nil })

        // A minute ago: events older than the dedupe window are refused as replays.
        let ts = Int(Date().timeIntervalSince1970) - 60
        let events = """
            [{"event":"hard_bounce","_id":"m1","ts":\(ts),"msg":{"_id":"m1","email":"\(jane)","state":"bounced",
              "bounce_description":"bad_mailbox","metadata":{"herald_identity":"\(identity)"}}},
             {"event":"spam","_id":"m2","ts":\(ts + 1),"msg":{"_id":"m2","email":"\(jane)","metadata":{}}}]
            """
        let posted = try MandrillWebhookPoster(
            url: "https://herald.example.com/v1/mandrill/events", key: Self.webhookKey
        )
        .post(events, to: address)
        #expect(posted.status == 200, "\(posted.text)")
        #expect(posted.text.contains(#""jobs":3"#), "\(posted.text)")
        #expect(
            try await Integration.eventually {
                kratos.identity(identity)?["metadata_admin"]
                    == ["email_undeliverable": true, "undeliverable_reason": "bad_mailbox"]
            })
        #expect(try await Integration.eventually { mailchimp.member(jane, in: list)?.status == "unsubscribed" })
        #expect(
            try await Integration.eventually {
                mailchimp.member(jane, in: list)?.tags.contains("spam-complaint") == true
            })
        try await herald.stop()
    }
}
