import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// A secret used inside a longer value — a header `Authorization: "Bearer ${env:T}"`, a URL whose
/// query holds `${env:Q}` — is masked wherever the peer repeats it: the reason, the log, the spool
/// on disk and `herald dead show`.
@Suite struct SecretMaskingTests {
    static let secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let token = "tok-bearer-part-8c1f2e7a9b"
    static let queryToken = "qtok-in-the-url-5d3e9a1c"

    private func start(_ server: WebhookTestServer) async throws -> (HeraldProcess, String) {
        try server.start()
        return try await Integration.serve(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            log: { level: debug }
            delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h }, timeout: 10s }
            actions:
              hook:
                plugin: webhook
                url: "\(server.url())?token=${env:QUERY_TOKEN}"
                secrets: ["${env:WEBHOOK_SECRET}"]
                headers: { Authorization: "Bearer ${env:HOOK_TOKEN}" }
            routes:
              - name: forward
                events: [registration.after]
                do:
                  - action: hook
            """,
            environment: ["WEBHOOK_SECRET": Self.secret, "HOOK_TOKEN": Self.token, "QUERY_TOKEN": Self.queryToken])
    }

    /// Everything an operator can see: the log, `dead list` and `dead show` (text and JSON), and
    /// every file under the state directory; and the dead letter as `dead list --json` has it.
    private func everythingShown(_ herald: HeraldProcess) async throws -> (shown: [String], letter: JSON) {
        let directory = herald.directory
        let list = try await BlockingWork.run {
            try HeraldProcess.run(["dead", "list", "--json", "--state-dir", "state"], in: directory)
        }
        let letter = try #require(
            try JSONDocument(parsing: Array(list.stdout.utf8)).root.json["dead_letters"]?.array?.first)
        let id = try #require(letter["id"]?.string)
        let results = try await BlockingWork.run {
            try [["dead", "show", id], ["dead", "show", id, "--json"], ["dead", "list"]].map {
                try HeraldProcess.run($0 + ["--state-dir", "state"], in: directory)
            }
        }
        var shown = [herald.output, list.stdout, list.stderr]
        for result in results {
            #expect(result.status == 0, "\(result.stderr)")
            shown += [result.stdout, result.stderr]
        }
        let state = directory.appendingPathComponent("state")
        let files = FileManager.default.enumerator(atPath: state.path)?.compactMap { $0 as? String } ?? []
        for file in files {
            if let data = FileManager.default.contents(atPath: state.appendingPathComponent(file).path) {
                shown.append(String(decoding: data, as: UTF8.self))
            }
        }
        return (shown, letter)
    }

    @Test func aReceiverRepeatingPartOfAHeaderOrURLCannotShowIt() async throws {
        let server = try WebhookTestServer(secrets: [Self.secret])
        defer { server.stop() }
        let body = "invalid bearer token \(Self.token); your URL token \(Self.queryToken) is unknown"
        server.script(.status(401, headers: ["Content-Type": "text/plain"], body: Array(body.utf8)))
        let (herald, address) = try await start(server)
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        try await herald.waitForLog("moved to dead letters")
        try await herald.stop()
        let (shown, letter) = try await everythingShown(herald)
        let reason = try #require(letter["reason"])
        #expect(
            reason.string?.contains("invalid bearer token <redacted>; your URL token <redacted> is unknown") == true,
            "\(reason)")
        for text in shown {
            #expect(!text.contains(Self.token), "\(text)")
            #expect(!text.contains(Self.queryToken), "\(text)")
        }
    }

    @Test func aRedirectToAnotherURLDoesNotShowTheQueryToken() async throws {
        let server = try WebhookTestServer(secrets: [Self.secret])
        defer { server.stop() }
        server.script(.redirect(to: "https://elsewhere.example/hook?token=\(Self.queryToken)"))
        let (herald, address) = try await start(server)
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        try await herald.waitForLog("moved to dead letters")
        try await herald.stop()
        for text in try await everythingShown(herald).shown {
            #expect(!text.contains(Self.queryToken), "\(text)")
        }
    }
}
