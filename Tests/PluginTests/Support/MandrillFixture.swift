import HeraldCore
import HeraldTestSupport
import Testing

/// A Mandrill test server on port 0 and an action pointed at it, for tests that perform jobs.
final class MandrillFixture: Sendable {
    static let key = "md-test-key-0123456789"
    let server: MandrillTestServer
    let logs = RecordingLogHandler()

    init(errorStatuses: MandrillAPISimulator.ErrorStatuses = .current) throws {
        server = try MandrillTestServer(
            keys: [Self.key], templates: ["welcome-en-US"], subaccounts: ["tenant-1"],
            rejected: ["bounced@example.com": "hard-bounce"], errorStatuses: errorStatuses)
        try server.start()
    }

    deinit {
        server.stop()
    }

    var baseURL: String { server.baseURL ?? "http://127.0.0.1:1/api/1.0" }

    /// A config with one `mail` action at `baseURL` and one route `r` made of `step` (YAML lines
    /// of the step's map, indented by 8).
    func harness(
        step: String, events: String = "registration.after", action: String = "", key: String = key,
        baseURL: String? = nil, timeout: String = "2s"
    ) -> PluginHarness {
        PluginHarness(
            """
            actions:
              mail:
                plugin: mandrill
                api_key: "${env:MANDRILL_API_KEY}"
                base_url: "\(baseURL ?? self.baseURL)"
                from: {email: hello@example.com, name: Example}
                timeout: \(timeout)
            \(action)
            routes:
              - name: r
                events: [\(events)]
                do:
                  - action: mail
            \(step)
            """, env: ["MANDRILL_API_KEY": key])
    }

    static let welcome = """
                template: "welcome-{{event.locale}}"
                to: "{{recipient}}"
                vars: {FNAME: "{{identity.traits.name.first}}"}
        """

    /// Plans the route's step for the registration payload and performs it.
    func perform(
        step: String = welcome, action: String = "", key: String = key, baseURL: String? = nil,
        timeout: String = "2s", context: DeliveryContext? = nil
    ) async throws -> Outcome {
        let harness = harness(step: step, action: action, key: key, baseURL: baseURL, timeout: timeout)
        #expect(harness.messages == [])
        let mail = try #require(harness.actions["mail"])
        let event = try ReferenceFiles.kratosEvent("registration-after", name: "registration.after")
        let job = try #require(harness.job(event: event))
        let logger = Logger(handler: logs, level: .debug)
        return await mail.perform(job, context: context ?? .testing(timeout: .seconds(10), logger: logger))
    }
}
