import Foundation
import HeraldTestSupport
import Testing

/// Synchronous decisions (design §6.4): deny routes answer before hooks and pre-persist hooks
/// with the body Kratos turns into form errors, never creating jobs.
@Suite struct DenyTests {
    private let config = Integration.outboxConfig(
        extra: """
              - name: no-example-domains
                events: [registration.after]
                when: { identity.traits.email: { suffix: "@example.com" } }
                do: [{ deny: { message: "Registrations from {{identity.traits.email | lower}} are not allowed.", field: "#/traits/email", id: 4000901 } }]
              - name: no-chrome-sign-ups
                events: [registration.before]
                when: { "request_headers.User-Agent[0]": { contains: Chrome } }
                do: [{ deny: { message: "Please use another browser.", status: 403 } }]
            """)

    private func json(_ response: RawHTTPClient.Response) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func prePersistHooksGetTheMessagesKratosShowsOnTheForm() async throws {
        let (herald, address) = try await Integration.serve(config)
        let denied = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after?mode=decide",
            body: try Integration.example("registration-after-prepersist.json"))
        #expect(denied.status == 400)
        let groups = try #require(try json(denied)["messages"] as? [[String: Any]])
        #expect(groups.count == 1)
        #expect(groups[0]["instance_ptr"] as? String == "#/traits/email")
        let message = try #require((groups[0]["messages"] as? [[String: Any]])?.first)
        #expect(message["id"] as? Int == 4_000_901)
        #expect(message["type"] as? String == "error")
        #expect(message["text"] as? String == "Registrations from jane.doe@example.com are not allowed.")
        // The post-persist hook of the same flow plans jobs and ignores deny routes.
        let after = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(after.status == 202)
        #expect(after.text.contains(#""jobs":1"#))
        try await herald.waitForLog("event denied")
        try await herald.stop()
    }

    @Test func anAllowedPrePersistHookGets204AndNoJobs() async throws {
        let (herald, address) = try await Integration.serve(config)
        let body = String(decoding: try Integration.example("registration-after-prepersist.json"), as: UTF8.self)
            .replacingOccurrences(of: "jane.doe@example.com", with: "jane@elsewhere.test")
        let allowed = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after?mode=decide", body: Array(body.utf8))
        #expect(allowed.status == 204)
        try await Task.sleep(for: .milliseconds(300))
        #expect(!FileManager.default.fileExists(atPath: herald.directory.appendingPathComponent("outbox").path))
        try await herald.stop()
    }

    /// Herald answers with the messages body; Kratos ends a before hook's flow on an error page
    /// (check warns), but the flow is stopped all the same.
    @Test func beforeHooksAreDeniedWithAFormLevelBody() async throws {
        let (herald, address) = try await Integration.serve(config)
        let denied = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/before", body: try Integration.example("registration-before.json"))
        #expect(denied.status == 403)
        let groups = try #require(try json(denied)["messages"] as? [[String: Any]])
        #expect(groups.first?["instance_ptr"] as? String == "#/")
        try await herald.stop()
    }

    @Test func denyOnlyWhereKratosCanStopTheFlow() throws {
        let directory = try makeTemporaryDirectory()
        let config = Integration.outboxConfig(
            extra: """
                  - name: too-late
                    events: [login.after]
                    do: [{ deny: { message: "no" } }]
                  - name: mixed
                    events: [registration.before]
                    do: [{ deny: { message: "no" } }, { action: box, to: "x@example.com", text: "y" }]
                  - name: retried
                    events: [settings.before]
                    do: [{ deny: { message: "no", status: 429, field: "traits.email" } }]
                """)
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let result = try HeraldProcess.run(["check", "--config", "herald.yaml"], in: directory)
        #expect(result.status == 78)
        #expect(result.stderr.contains("herald.yaml:28:13: deny cannot answer login.after"))
        #expect(result.stderr.contains("herald.yaml:32:9: a route that denies does only that"))
        #expect(result.stderr.contains("herald.yaml:35:55: 'field' is a JSON pointer"))
        #expect(result.stderr.contains("herald.yaml:35:43: Kratos retries 429"))
        // Issue 8 point 3: settings.before runs again after every successful submit.
        #expect(
            result.stderr.contains(
                "herald.yaml:34:13: deny on settings.before is refused: Kratos runs settings.before again"))
    }

    /// Issue 8 point 3: check says where Kratos shows each denial: on the form (pre-persist hooks)
    /// or as an error page (before hooks, whose flow is not stored yet), with positions.
    @Test func checkSaysWhereKratosShowsEachDenial() throws {
        let directory = try makeTemporaryDirectory()
        let config = Integration.outboxConfig(
            extra: """
                  - name: no-example
                    events: [registration.after, settings.after]
                    do: [{ deny: { message: "no", field: "#/traits/email" } }]
                  - name: no-sign-in
                    events: [login.before]
                    do: [{ deny: { message: "no" } }]
                """)
        try config.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let result = try HeraldProcess.run(["check", "--config", "herald.yaml"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "Kratos shows it on the form (registration.after, settings.after) — herald.yaml:27:5"))
        #expect(result.stdout.contains("as an error page, message not shown (login.before) — herald.yaml:30:5"))
        #expect(result.stderr.contains("herald.yaml:31:13: warning: Kratos cannot show a login.before denial"))
    }

    @Test func explainShowsTheDenialAndNoJobsForADeniedBeforeHook() throws {
        let directory = try makeTemporaryDirectory()
        let withJob =
            config + """

                  - name: audit-sign-up-attempts
                    events: [registration.before]
                    do: [{ action: box, to: "audit@example.com", text: "attempt" }]
                """
        try withJob.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let payload = Integration.examples.appendingPathComponent("registration-before.json").path
        let result = try HeraldProcess.run(
            ["explain", "--event", "registration.before", "--config", "herald.yaml", payload], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("DENY with 403"))
        #expect(result.stdout.contains("Kratos would be answered 403"))
        #expect(result.stdout.hasSuffix("0 job(s) planned; nothing was sent.\n"), "\(result.stdout)")
    }
}
