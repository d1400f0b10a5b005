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
