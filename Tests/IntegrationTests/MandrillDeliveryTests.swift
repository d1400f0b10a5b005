import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The real binary sends through Mandrill: to a Mandrill-compatible server that checks every
/// request against the official OpenAPI description.
@Suite struct MandrillDeliveryTests {
    static let key = "md-test-key-0123456789"

    private func config(baseURL: String, extra: String = "", retry: String = "[200ms]") -> String {
        """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress: { insecure_no_auth: true }
        delivery: { retry: { schedule: \(retry), jitter: 0, max_age: 1h }, timeout: 5s }
        actions:
          mail:
            plugin: mandrill
            api_key: "${env:MANDRILL_KEY}"
            base_url: "\(baseURL)"
            from: { email: hello@example.com, name: Example }
        routes:
          - name: welcome
            events: [registration.after]
            do:
              - action: mail
                template: welcome
                to: "{{recipient}}"
                vars: { FNAME: "{{identity.traits.name.first | default: 'there'}}" }
                tags: [welcome]
          - name: new-sign-in
            events: [login.after]
            do:
              - action: mail
                to: "{{recipient}}"
                subject: "New sign-in"
                html: "<p>Hi {{identity.traits.name.first}}</p>"
        \(extra)
        """
    }

    private func start(
        _ server: MandrillTestServer, store: StoreKind = .local, retry: String = "[200ms]", key: String = key
    ) async throws -> (HeraldProcess, String) {
        try server.start()
        let baseURL = try #require(server.baseURL)
        return try await Integration.serve(
            try store.prepare(config(baseURL: baseURL, retry: retry)), environment: ["MANDRILL_KEY": key])
    }

    @Test func registrationSendsTheTemplateWithATraceableJobID() async throws {
        let server = try MandrillTestServer(keys: [Self.key], templates: ["welcome"])
        defer { server.stop() }
        let (herald, address) = try await start(server)
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        #expect(try await Integration.eventually { server.requests.count == 1 })
        let request = try #require(server.requests.first)
        #expect(request.path == "/api/1.0/messages/send-template.json")
        let body = try #require(request.json)
        #expect(body["key"]?.string == Self.key)
        #expect(body["template_name"]?.string == "welcome")
        #expect(body["template_content"] == .array([]))
        let message = try #require(body["message"])
        #expect(message["to"] == [["email": "jane.doe@example.com", "type": "to"]])
        #expect(message["global_merge_vars"] == [["name": "FNAME", "content": "Jane"]])
        #expect(message["from_email"]?.string == "hello@example.com")
        let jobID = try #require(message["metadata"]?["herald_job"]?.string)
        // Mandrill's later events about this message (a bounce) lead back to the identity.
        #expect(message["metadata"]?["herald_identity"]?.string == "7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20")
        let delivered = try await herald.waitForLog("msg=\"job delivered\"")
        #expect(delivered.contains("job=\(jobID)"))
        // Secrets stay out of the log.
        #expect(!herald.output.contains(Self.key))
        try await herald.stop()
    }

    @Test func inlineMessagesUseSend() async throws {
        let server = try MandrillTestServer(keys: [Self.key])
        defer { server.stop() }
        let (herald, address) = try await start(server)
        _ = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/login/after", body: try Integration.example("login-after.json"))
        #expect(try await Integration.eventually { server.requests.count == 1 })
        let message = try #require(server.requests.first?.json?["message"])
        #expect(server.requests.first?.path == "/api/1.0/messages/send.json")
        #expect(message["subject"]?.string == "New sign-in")
        #expect(message["html"]?.string == "<p>Hi Jane</p>")
        try await herald.stop()
    }

    @Test(arguments: StoreKind.available)
    func mandrillOutagesAreRetriedUntilDelivered(store: StoreKind) async throws {
        let server = try MandrillTestServer(keys: [Self.key], templates: ["welcome"])
        defer { server.stop() }
        // A 500 may have sent: the next attempt asks messages/search first, which is rate-limited
        // (so Herald cannot tell and sends); that send is rate-limited too and waits Retry-After.
        server.inject(.respond(MandrillFault.generalError))
        server.inject(.respond(MandrillFault.rateLimited(retryAfter: nil)))
        server.inject(.respond(MandrillFault.rateLimited(retryAfter: "1")))
        let (herald, address) = try await start(server, store: store)
        _ = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        try await herald.waitForLog("msg=\"job delivered\"")
        #expect(
            server.requests.map { $0.path.split(separator: "/").suffix(2).joined(separator: "/") } == [
                "messages/send-template.json", "messages/search.json", "messages/send-template.json",
                "messages/send-template.json",
            ])
        #expect(herald.output.contains("outcome=retry_ambiguous"))
        #expect(herald.output.contains("outcome=retry "))
        #expect(herald.output.contains("cannot tell whether an earlier attempt sent this job; sending"))
        // All three attempts carried the same job id, so a duplicate can be traced.
        let ids = Set(server.requests.compactMap { $0.json?["message"]?["metadata"]?["herald_job"]?.string })
        #expect(ids.count == 1)
        try await herald.stop()
    }

    /// Issue 11: an attempt that timed out after Mandrill had sent the mail is not repeated: the
    /// next attempt finds it with messages/search (the herald_job field indexed) and stops there.
    @Test(arguments: StoreKind.available)
    func aSendThatTimedOutIsFoundAndNotRepeated(store: StoreKind) async throws {
        let server = try MandrillTestServer(keys: [Self.key], templates: ["welcome"])
        defer { server.stop() }
        server.configure { $0.indexedMetadata = ["herald_job"] }
        server.inject(.delay(.seconds(2)))
        try server.start()
        let baseURL = try #require(server.baseURL)
        let config = config(baseURL: baseURL).replacingOccurrences(
            of: "    base_url:", with: "    timeout: 500ms\n    base_url:")
        let (herald, address) = try await Integration.serve(
            try store.prepare(config), environment: ["MANDRILL_KEY": Self.key])
        _ = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        let delivered = try await herald.waitForLog("msg=\"job delivered\"")
        #expect(delivered.contains("already sent by an earlier attempt (messages/search found"))
        #expect(herald.output.contains("outcome=retry_ambiguous"))
        #expect(server.sent.count == 1, "one mail, not two")
        #expect(
            server.requests.map { $0.path.split(separator: "/").last.map(String.init) ?? "" } == [
                "send-template.json", "search.json",
            ])
        let metrics = try RawHTTPClient(address: address).request("GET", "/metrics").text
        #expect(metrics.contains(#"herald_plugin_events_total{action="mail",event="search_found"} 1"#))
        try await herald.stop()
    }

    /// Issue 18, item 9: an attempt that timed out after Mandrill had rejected the recipient is
    /// no earlier send. The next attempt's search finds the rejected message, sends again, and
    /// Mandrill's answer makes it a dead letter that says why (it was "delivered" before).
    @Test func aRejectedEarlierSendIsNotTakenForASend() async throws {
        let server = try MandrillTestServer(
            keys: [Self.key], templates: ["welcome"], rejected: ["jane.doe@example.com": "hard-bounce"])
        defer { server.stop() }
        server.configure { $0.indexedMetadata = ["herald_job"] }
        server.inject(.delay(.seconds(2)))
        try server.start()
        let config = config(baseURL: try #require(server.baseURL)).replacingOccurrences(
            of: "    base_url:", with: "    timeout: 500ms\n    base_url:")
        let (herald, address) = try await Integration.serve(config, environment: ["MANDRILL_KEY": Self.key])
        _ = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        let dead = try await herald.waitForLog("moved to dead letters")
        #expect(dead.contains("rejected (hard-bounce)"), "\(dead)")
        #expect(!herald.output.contains("already sent by an earlier attempt"))
        #expect(server.messages.map(\.state) == ["rejected", "rejected"])
        #expect(server.sent.isEmpty)
        try await herald.stop()
    }

    @Test(arguments: StoreKind.available)
    func aWrongKeyFailsPermanentlyIntoTheDeadLetters(store: StoreKind) async throws {
        let server = try MandrillTestServer(keys: ["the-right-key-0123456789"], templates: ["welcome"])
        defer { server.stop() }
        let (herald, address) = try await start(server, store: store)
        _ = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        let line = try await herald.waitForLog("moved to dead letters")
        #expect(line.contains("Invalid_Key"))
        #expect(server.requests.count == 1)
        // The dead letter is in the store, with Mandrill's answer, and out of the queue.
        let cli = QueueCLI(store: store, directory: herald.directory)
        let letters = try cli.list("dead")
        #expect(letters.count == 1 && letters.first?["route"]?.string == "welcome")
        #expect(letters.first?["attempts"]?.int == 1)
        #expect(letters.first?["reason"]?.string?.contains("Invalid_Key") == true, "\(letters)")
        #expect(try cli.ids("queue").isEmpty)
        try await herald.stop()
    }

    @Test func theShippedExampleConfigIsValid() throws {
        let directory = try makeTemporaryDirectory()
        try "0123456789abcdef-ingress".write(
            to: directory.appendingPathComponent("ingress-key"), atomically: true, encoding: .utf8)
        try "md-example".write(to: directory.appendingPathComponent("mandrill-key"), atomically: true, encoding: .utf8)
        let config = Integration.examples.deletingLastPathComponent().appendingPathComponent("herald/herald.yaml").path
        let result = try HeraldProcess.run(
            ["check", "--config", config], environment: ["CREDENTIALS_DIRECTORY": directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("mail: mandrill — mandrill → https://mandrillapp.com/api/1.0"))
    }
}
