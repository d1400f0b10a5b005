import HeraldCore
import HeraldTestSupport
import Testing

/// A Mailchimp test server on port 0 with one audience, and an action pointed at it, for tests
/// that perform jobs.
final class MailchimpFixture: Sendable {
    static let key = "0123456789abcdef0123456789abcdef-us21"
    static let list = "a1b2c3d4e5"
    let server: MailchimpTestServer
    let logs = RecordingLogHandler()

    init(audience: MailchimpAudience = MailchimpAudience(), connectionLimit: Int = 10) throws {
        server = try MailchimpTestServer(
            apiKey: Self.key, audiences: [Self.list: audience], connectionLimit: connectionLimit)
        try server.start()
    }

    deinit {
        server.stop()
    }

    var baseURL: String { server.baseURL ?? "http://127.0.0.1:1/3.0" }

    /// A config with one `audience` action at the server and one route `r` made of `step` (YAML
    /// lines of the step's map, indented by 8).
    func harness(step: String, events: String = "registration.after", key: String = key) -> PluginHarness {
        PluginHarness(
            """
            actions:
              audience:
                plugin: mailchimp
                api_key: "${env:MAILCHIMP_API_KEY}"
                list_id: \(Self.list)
                base_url: "\(baseURL)"
                timeout: 2s
            routes:
              - name: r
                events: [\(events)]
                do:
                  - action: audience
            \(step)
            """, env: ["MAILCHIMP_API_KEY": key])
    }

    static let optIn = """
                email: "{{identity.traits.email}}"
                status_if_new: pending
                merge_fields: {FNAME: "{{identity.traits.name.first}}", LNAME: "{{identity.traits.name.last}}"}
                language: "{{event.locale | language}}"
                tags: [newsletter, "signup-{{flow.transient_payload.signup_source}}"]
        """

    /// Plans the route's step for the registration payload and performs it (`attempt` 1 unless
    /// told otherwise).
    func perform(step: String = optIn, key: String = key, attempt: Int = 1) async throws -> Outcome {
        let harness = harness(step: step, key: key)
        #expect(harness.messages == [])
        let action = try #require(harness.actions["audience"])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job(event: event))
        let logger = Logger(handler: logs, level: .debug)
        // A generous deadline: the whole test process may stall on a loaded machine, and the deadline
        // is not what these tests are about.
        return await action.perform(job, context: .testing(timeout: .seconds(60), attempt: attempt, logger: logger))
    }
}
