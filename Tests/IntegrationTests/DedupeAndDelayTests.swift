import Foundation
import HeraldTestSupport
import Testing

/// Kratos' retries never send twice; route-level dedupe and delay (design §6.1, §7). Each test
/// runs on every store: the local spool and PostgreSQL.
@Suite struct DedupeAndDelayTests {
    private let config = Integration.outboxConfig(
        extra: """
              - name: new-device
                events: [login.after]
                dedupe: { key: "{{identity.id}}|{{request_headers.User-Agent[0]}}", window: 1h }
                do: [{ action: box, to: "{{recipient}}", subject: "New device", text: "new device" }]
              - name: later
                events: [recovery.after]
                delay: 1h
                do: [{ action: box, to: "{{recipient}}", text: "a day later" }]
            """)

    private func post(_ address: String, _ path: String, _ example: String, trigger: String?) throws
        -> RawHTTPClient.Response
    {
        var headers: [(String, String)] = []
        if let trigger { headers.append(("Ory-Webhook-Trigger-ID", trigger)) }
        return try RawHTTPClient(address: address).request(
            "POST", path, headers: headers, body: try Integration.example(example))
    }

    @Test(arguments: StoreKind.available)
    func retriesWithTheSameTriggerIDAreDuplicates(store: StoreKind) async throws {
        let (herald, address) = try await Integration.serve(try store.prepare(config))
        let first = try post(address, "/v1/events/registration/after", "registration-after.json", trigger: "t-1")
        let second = try post(address, "/v1/events/registration/after", "registration-after.json", trigger: "t-1")
        #expect(first.status == 202 && first.text.contains(#""jobs":1"#) && first.text.contains(#""duplicate":false"#))
        #expect(
            second.status == 202 && second.text.contains(#""jobs":0"#) && second.text.contains(#""duplicate":true"#))
        // A new trigger id (the user retried the flow) is a new event.
        let third = try post(address, "/v1/events/registration/after", "registration-after.json", trigger: "t-2")
        #expect(third.text.contains(#""duplicate":false"#))
        let outbox = herald.directory.appendingPathComponent("outbox")
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 2 })
        try await Task.sleep(for: .milliseconds(200))
        #expect(Integration.files(in: outbox, suffix: ".eml").count == 2)
        try await herald.stop()
    }

    /// Without `Ory-Webhook-Trigger-ID` (Kratos v1.x): Kratos' retries repeat the call byte for
    /// byte, and only those are duplicates.
    @Test(arguments: StoreKind.available)
    func withoutTriggerIDOnlyARepeatOfTheSameCallIsADuplicate(store: StoreKind) async throws {
        let (herald, address) = try await Integration.serve(try store.prepare(config))
        let first = try post(address, "/v1/events/registration/after", "registration-after.json", trigger: nil)
        let second = try post(address, "/v1/events/registration/after", "registration-after.json", trigger: nil)
        #expect(first.text.contains(#""duplicate":false"#))
        #expect(second.text.contains(#""duplicate":true"#))
        // The same body from another method's hook is another call.
        let other = try post(
            address, "/v1/events/registration/after?method=oidc", "registration-after.json", trigger: nil)
        #expect(other.text.contains(#""duplicate":false"#))
        try await herald.stop()
    }

    /// Issue 8 point 7: one settings flow submitted twice (Kratos allows it until the flow expires)
    /// and a login flow whose after hooks run again (a refresh, a second factor) keep their flow
    /// id; each is a new event, not a retry, and plans its jobs.
    @Test(arguments: StoreKind.available)
    func aResubmittedFlowIsANewEventNotARetry(store: StoreKind) async throws {
        let (herald, address) = try await Integration.serve(
            try store.prepare(config) + """

                  - name: settings-changed
                    events: [settings.after]
                    do: [{ action: box, to: "{{recipient}}", subject: "Changed", text: "changed" }]
                """)
        func variant(_ file: String, _ change: (inout [String: Any]) -> Void) throws -> [UInt8] {
            var root = try #require(
                try JSONSerialization.jsonObject(with: Data(try Integration.example(file))) as? [String: Any])
            change(&root)
            return Array(try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys]))
        }
        let first = try variant("settings-after.json") { root in
            var identity = root["identity"] as? [String: Any] ?? [:]
            var traits = identity["traits"] as? [String: Any] ?? [:]
            traits["name"] = ["first": "Jane", "last": "Doe"]
            identity["traits"] = traits
            root["identity"] = identity
        }
        let second = try variant("settings-after.json") { root in
            var identity = root["identity"] as? [String: Any] ?? [:]
            var traits = identity["traits"] as? [String: Any] ?? [:]
            traits["name"] = ["first": "Janet", "last": "Doe"]
            identity["traits"] = traits
            root["identity"] = identity
        }
        let aal1 = try variant("login-after.json") { _ in }
        let aal2 = try variant("login-after.json") { root in
            var session = root["session"] as? [String: Any] ?? [:]
            var methods = session["authentication_methods"] as? [[String: Any]] ?? []
            methods.append(["method": "totp", "aal": "aal2", "completed_at": "2026-11-30T10:00:05Z"])
            session["authentication_methods"] = methods
            session["authenticator_assurance_level"] = "aal2"
            root["session"] = session
        }
        for (path, bodies) in [
            ("/v1/events/settings/after?method=profile", [first, second]),
            ("/v1/events/login/after", [aal1, aal2]),
        ] {
            for body in bodies {
                let response = try RawHTTPClient(address: address).request("POST", path, body: body)
                #expect(response.text.contains(#""duplicate":false"#), "\(path): \(response.text)")
            }
            // Kratos' own retry of the second call is recognised.
            let retry = try RawHTTPClient(address: address).request("POST", path, body: bodies[1])
            #expect(retry.text.contains(#""duplicate":true"#), "\(path): \(retry.text)")
        }
        try await herald.stop()
    }

    @Test(arguments: StoreKind.available)
    func routeDedupeSendsOneAlertPerIdentityAndDevice(store: StoreKind) async throws {
        let (herald, address) = try await Integration.serve(try store.prepare(config))
        let first = try post(address, "/v1/events/login/after", "login-after.json", trigger: "login-1")
        let second = try post(address, "/v1/events/login/after", "login-after.json", trigger: "login-2")
        #expect(first.text.contains(#""jobs":2,"routes":["sign-in","new-device"]"#))
        #expect(second.text.contains(#""jobs":1,"routes":["sign-in","new-device"]"#))
        try await herald.waitForLog("route suppressed by its dedupe window")
        try await herald.stop()
    }

    @Test(arguments: StoreKind.available)
    func delayedJobsWaitTheirTime(store: StoreKind) async throws {
        let (herald, address) = try await Integration.serve(try store.prepare(config))
        let response = try post(address, "/v1/events/recovery/after", "recovery-after.json", trigger: nil)
        #expect(response.text.contains(#""jobs":1,"routes":["later"]"#))
        // Something else goes through meanwhile, proving the scheduler runs.
        _ = try post(address, "/v1/events/login/after", "login-after.json", trigger: nil)
        let outbox = herald.directory.appendingPathComponent("outbox")
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 2 })
        let subjects = try Integration.files(in: outbox, suffix: ".eml").map {
            try String(contentsOf: $0, encoding: .utf8)
        }
        #expect(!subjects.contains { $0.contains("a day later") })
        try await herald.stop()
    }
}
