import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The real binary keeps a Mailchimp audience in step: against a Marketing-compatible server that
/// checks every request the way the API does (credentials, the OpenAPI subset with unknown fields
/// refused, the subscriber hash, merge fields, compliance states).
@Suite struct MailchimpAudienceTests {
    static let key = "0123456789abcdef0123456789abcdef-us21"
    static let list = "a1b2c3d4e5"
    static let jane = "jane.doe@example.com"

    private func config(baseURL: String) -> String {
        """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress: { insecure_no_auth: true }
        log: { level: debug }
        delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h }, timeout: 5s }
        actions:
          audience:
            plugin: mailchimp
            api_key: "${env:MAILCHIMP_KEY}"
            list_id: \(Self.list)
            base_url: "\(baseURL)"
        routes:
          - name: newsletter-member
            events: [registration.after]
            when: { identity.traits.newsletter: true }
            do:
              - action: audience
                email: "{{identity.traits.email}}"
                status_if_new: subscribed
                status: subscribed
                merge_fields: { FNAME: "{{identity.traits.name.first}}", LNAME: "{{identity.traits.name.last}}" }
                language: "{{event.locale | language}}"
                tags: [kratos, "source-{{flow.transient_payload.signup_source}}"]
        """
    }

    private func start(_ server: MailchimpTestServer, store: StoreKind = .local) async throws -> (HeraldProcess, String)
    {
        try server.start()
        let baseURL = try #require(server.baseURL)
        return try await Integration.serve(
            try store.prepare(config(baseURL: baseURL)), environment: ["MAILCHIMP_KEY": Self.key])
    }

    private func register(at address: String) throws {
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        #expect(response.text.contains(#""routes":["newsletter-member"]"#), "\(response.text)")
    }

    @Test func aRegistrationWithNewsletterOptInAddsTheMemberWithItsTags() async throws {
        let server = try MailchimpTestServer(apiKey: Self.key, audiences: [Self.list: MailchimpAudience()])
        defer { server.stop() }
        let (herald, address) = try await start(server)
        try register(at: address)
        let line = try await herald.waitForLog("msg=\"job delivered\"")
        #expect(line.contains("j***@example.com subscribed, tags +2 -0"), "\(line)")
        let requests = server.requests
        #expect(requests.map(\.method) == ["PUT", "POST"])
        let put = try #require(requests.first)
        #expect(put.path == "/3.0/lists/\(Self.list)/members/\(MD5.hexDigest(Array(Self.jane.utf8)))")
        #expect(
            put.json
                == [
                    "email_address": .string(Self.jane), "status_if_new": "subscribed", "status": "subscribed",
                    "merge_fields": ["FNAME": "Jane", "LNAME": "Doe"], "language": "en",
                ])
        let member = try #require(server.member(Self.jane, in: Self.list))
        #expect(member.status == "subscribed")
        #expect(member.tags == ["kratos", "source-landing-page-b"])
        #expect(herald.output.contains("msg=\"mailchimp call\""))
        #expect(!herald.output.contains(Self.key))
        #expect(!herald.output.contains(Self.jane))
        try await herald.stop()
    }

    @Test(arguments: StoreKind.available)
    func aMemberInAComplianceStateGoesToTheDeadLettersWithMailchimpsTitle(store: StoreKind) async throws {
        let server = try MailchimpTestServer(
            apiKey: Self.key,
            audiences: [Self.list: MailchimpAudience(members: [.init(email: Self.jane, status: "unsubscribed")])])
        defer { server.stop() }
        let (herald, address) = try await start(server, store: store)
        try register(at: address)
        let line = try await herald.waitForLog("moved to dead letters")
        #expect(line.contains("Member In Compliance State"), "\(line)")
        #expect(server.requests.count == 1)
        let letters = try QueueCLI(store: store, directory: herald.directory).list("dead")
        #expect(letters.count == 1 && letters.first?["route"]?.string == "newsletter-member")
        let reason = letters.first?["reason"]?.string ?? ""
        #expect(
            reason.contains("HTTP 400 to PUT member Member In Compliance State: j***@example.com is in a compliance"))
        #expect(!reason.contains(Self.jane))
        #expect(server.member(Self.jane, in: Self.list)?.status == "unsubscribed")
        try await herald.stop()
    }

    @Test func tooManyRequestsAndAnOutageAreRetriedUntilTheMemberIsAdded() async throws {
        let server = try MailchimpTestServer(apiKey: Self.key, audiences: [Self.list: MailchimpAudience()])
        defer { server.stop() }
        server.inject(.respond(MailchimpFault.tooManyRequests))
        server.inject(.respond(MailchimpFault.serviceUnavailable(retryAfter: "1")))
        server.inject(.applyThenRespond(MailchimpFault.internalError))
        let (herald, address) = try await start(server)
        try register(at: address)
        try await herald.waitForLog("msg=\"job delivered\"")
        // 429, 503, 500 after applying, then the PUT and the tags.
        #expect(server.requests.map(\.method) == ["PUT", "PUT", "PUT", "PUT", "POST"])
        let output = herald.output
        #expect(output.contains("Too Many Requests"))
        #expect(output.contains("outcome=retry_ambiguous"))
        // The 503's Retry-After of one second was honoured, over the 200ms schedule.
        let times = server.requests.map(\.receivedAt)
        #expect(times[2] - times[1] >= .milliseconds(900))
        #expect(server.member(Self.jane, in: Self.list)?.tags == ["kratos", "source-landing-page-b"])
        try await herald.stop()
    }

    /// `herald explain` shows the calls the job will make, without the key.
    @Test func explainShowsTheRenderedCallsWithoutTheKey() throws {
        let directory = try makeTemporaryDirectory()
        try config(baseURL: "https://us21.api.mailchimp.com/3.0").write(
            to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let explain = try HeraldProcess.run(
            [
                "explain", "--config", directory.appendingPathComponent("herald.yaml").path, "--event",
                "registration.after", Integration.examples.appendingPathComponent("registration-after.json").path,
            ], environment: ["MAILCHIMP_KEY": Self.key])
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.contains("/lists/\(Self.list)/members/\(MD5.hexDigest(Array(Self.jane.utf8)))"))
        #expect(explain.stdout.contains("source-landing-page-b"))
        #expect(!explain.stdout.contains(Self.key) && !explain.stderr.contains(Self.key))
        let check = try HeraldProcess.run(
            ["check", "--config", directory.appendingPathComponent("herald.yaml").path],
            environment: ["MAILCHIMP_KEY": Self.key])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("audience: mailchimp — mailchimp → https://us21.api.mailchimp.com/3.0"))
        #expect(!check.stdout.contains(Self.key))
    }
}
