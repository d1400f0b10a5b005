import Foundation
import HeraldTestSupport
import Testing

/// Logs (design §9): one structured line per event and per delivery attempt, personal data
/// masked, and codes, cookies, tokens and keys never written.
@Suite struct LogTests {
    /// Values from the example payloads that must never reach the log.
    static let secrets = [
        "jane.doe@example.com",  // email (masked as j***@example.com)
        "kV1rZb3mHc7gYQm8oBvN2s0tXwq4Jp9LhE6fRaUiDkM=",  // CSRF cookie value
        "FAKEcsrfFormTokenDoNotUse",  // CSRF form token
        "480213",  // verification code
        "self-service/verification?code=",  // verification link
        "ory_kratos_session",  // session cookie name
    ]

    private func runFullFlow(format: String) async throws -> HeraldProcess {
        let key = "ingress-key-abcdef0123456789"
        let config = Integration.outboxConfig(
            extra: """
                  - name: every-flow
                    events: ["*.*"]
                    do: [{ action: box, to: "{{recipient | default: 'nobody@example.org'}}", subject: "{{event.name}} {{recipient}}", text: "{{recipient}}" }]
                log: { format: \(format), level: debug }
                """,
            auth: "  auth: [{ api_key: { header: X-Herald-Key, value: \"${env:KEY}\" } }]")
        let (herald, address) = try await Integration.serve(config, environment: ["KEY": key])
        let examples = try FileManager.default.contentsOfDirectory(atPath: Integration.examples.path).sorted()
        for file in examples where file.hasSuffix(".json") {
            let path: String
            if file.hasPrefix("courier") {
                path = "/v1/courier"
            } else {
                let parts = file.replacingOccurrences(of: ".json", with: "").split(separator: "-")
                path = "/v1/events/\(parts[0])/\(parts[1])"
            }
            let response = try RawHTTPClient(address: address).request(
                "POST", path, headers: [("X-Herald-Key", key)], body: try Integration.example(file))
            #expect(response.status == 202, "\(file): \(response.text)")
        }
        // 401
        _ = try RawHTTPClient(address: address).request("POST", "/v1/events/login/after", body: Array("{}".utf8))
        _ = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/login/after", headers: [("X-Herald-Key", key)], body: Array("{\"a\":".utf8))  // 400
        let outbox = herald.directory.appendingPathComponent("outbox")
        #expect(
            try await Integration.eventually(timeout: .seconds(20)) {
                Integration.files(in: outbox, suffix: ".eml").count >= 14
            })
        try await herald.stop()
        #expect(!herald.output.contains(key))
        return herald
    }

    @Test func personalDataAndSecretsNeverReachTheLog() async throws {
        let herald = try await runFullFlow(format: "logfmt")
        let log = herald.output
        for secret in Self.secrets {
            #expect(!log.contains(secret), "the log contains \(secret)")
        }
        // One line per event and per delivery attempt, with ids, route, action, outcome, latency.
        let accepted = log.split(separator: "\n").filter { $0.contains("msg=\"event accepted") }
        #expect(accepted.count == 12)
        // Issue 9: a fresh start says the spool opened, once, and not that it is "writable again";
        // a missing template path is one line per event and route, naming the paths.
        #expect(!log.contains("writable again"))
        #expect(log.components(separatedBy: "msg=\"spool opened\"").count == 2)
        let missing = log.split(separator: "\n").filter { $0.contains("template paths missing") }
        #expect(!missing.isEmpty)
        let keys = missing.map { line in
            line.split(separator: " ").filter { $0.hasPrefix("event_id=") || $0.hasPrefix("route=") }.joined()
        }
        #expect(Set(keys).count == keys.count, "\(missing)")
        #expect(missing.allSatisfy { $0.contains("paths=recipient") }, "\(missing)")
        let delivered = log.split(separator: "\n").filter { $0.contains("msg=\"job delivered\"") }
        #expect(delivered.count >= 14)
        for line in delivered {
            for field in [
                "job=", "event=", "event_id=", "route=", "action=box", "attempt=1", "outcome=delivered", "latency_ms=",
            ] {
                #expect(line.contains(field), "\(line) lacks \(field)")
            }
        }
    }

    @Test func jsonLogsAreOneObjectPerLine() async throws {
        let herald = try await runFullFlow(format: "json")
        let lines = herald.output.split(separator: "\n")
        #expect(lines.count > 20)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["msg"] is String && object?["time"] is String, "\(line)")
        }
        for secret in Self.secrets {
            #expect(!herald.output.contains(secret), "the log contains \(secret)")
        }
    }
}

/// Issue 18: the lines that say how an attempt ended carry the same keys on both stores (one
/// executor logs them), the expiry's reason and the event id included.
@Suite struct OutcomeLogTests {
    /// An executable script in a fresh directory.
    private static func script(_ body: String) throws -> String {
        let directory = try makeTemporaryDirectory()
        let file = directory.appendingPathComponent("run.sh")
        try writeExecutable("#!/bin/sh\n" + body + "\n", to: file)
        return file.path
    }

    /// The keys of each outcome line, by message, from one daemon's JSON log.
    private func outcomeKeys(_ store: StoreKind) async throws -> [String: Set<String>] {
        let later = try Self.script(#"[ "$HERALD_ATTEMPT" = 1 ] && exit 75; exit 0"#)
        let never = try Self.script("exit 75")
        let broken = try Self.script("echo refused >&2; exit 1")
        let config = try store.prepare(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            log: { format: json }
            delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1s }, timeout: 10s }
            actions:
              later: { plugin: exec, program: \(later) }
              never: { plugin: exec, program: \(never) }
              broken: { plugin: exec, program: \(broken) }
            routes:
              - { name: later, events: [registration.after], do: [{ action: later }] }
              - { name: never, events: [registration.after], do: [{ action: never }] }
              - { name: broken, events: [registration.after], do: [{ action: broken }] }
            """)
        let (herald, address) = try await Integration.serve(config)
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        try await herald.waitForLog("job expired", timeout: .seconds(20))
        try await herald.waitForLog("job delivered")
        try await herald.waitForLog("job failed permanently")
        try await herald.stop()
        var keys: [String: Set<String>] = [:]
        for line in herald.output.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let message = object["msg"] as? String, object["job"] != nil
            else { continue }
            keys[message, default: []].formUnion(object.keys)
            if message == "job expired; moved to dead letters" {
                #expect((object["reason"] as? String)?.hasPrefix("gave up after") == true, "\(line)")
                #expect(object["event_id"] is String, "\(line)")
            }
        }
        return keys
    }

    @Test func outcomeLinesCarryTheSameKeysOnBothStores() async throws {
        var byStore: [StoreKind: [String: Set<String>]] = [:]
        for store in StoreKind.available {
            byStore[store] = try await outcomeKeys(store)
        }
        let local = try #require(byStore[.local])
        #expect(
            Set(local.keys) == [
                "job will be retried", "job delivered", "job expired; moved to dead letters",
                "job failed permanently; moved to dead letters",
            ])
        for key in ["job", "event", "event_id", "route", "action", "attempt", "outcome", "latency_ms"] {
            #expect(local.values.allSatisfy { $0.contains(key) }, "\(key) missing: \(local)")
        }
        if let postgres = byStore[.postgres] {
            #expect(postgres == local)
        }
    }
}
