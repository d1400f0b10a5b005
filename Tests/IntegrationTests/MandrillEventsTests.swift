import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// Mandrill's delivery events through the real binary (issue 11): Mandrill's URL check, a signed
/// batch routed into jobs in one commit, its redelivery deduplicated, a bad signature refused with
/// nothing stored. Signatures are computed by Python's hmac, independently of Herald's code.
@Suite struct MandrillEventsTests {
    static let url = "https://hooks.example.com/v1/mandrill/events"
    static let key = "whk-0123456789abcdef"

    private func config(_ store: StoreKind) throws -> String {
        try store.prepare(
            Integration.outboxConfig(
                extra: """
                      - name: bounced
                        events: [mandrill.hard_bounce]
                        do:
                          - action: box
                            to: postmaster@example.com
                            subject: "Bounced: {{recipient}}"
                            text: "identity {{msg.metadata.herald_identity | default: 'unknown'}}: {{msg.diag}}"
                    """,
                auth: """
                      insecure_no_auth: true
                      mandrill_webhooks:
                        url: "\(Self.url)"
                        keys: ["${env:MANDRILL_WEBHOOK_KEY}"]
                    """))
    }

    private func form(_ events: String) -> [UInt8] { MandrillWebhookPoster.form(events) }

    private func pythonSignature(key: String, url: String, body: [UInt8]) throws -> String {
        try MandrillWebhookPoster(url: url, key: key).signature(of: body)
    }

    private func post(_ address: String, _ body: [UInt8], signature: String?) throws -> RawHTTPClient.Response {
        try MandrillWebhookPoster.post(body, signature: signature, to: address)
    }

    /// A hard bounce, a send and an event of a type Herald does not know yet, at `ts` (a minute ago
    /// unless a test says otherwise: events older than the dedupe window are refused).
    static func batch(ts: Int = Int(Date().timeIntervalSince1970) - 60) -> String {
        """
        [{"event":"hard_bounce","_id":"b1","ts":\(ts),"msg":{"ts":\(ts - 60),"_id":"b1","state":"bounced",
          "email":"jane.doe@example.com","metadata":{"herald_job":"j1","herald_identity":"7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20"},
          "diag":"smtp;550 5.1.1 no such user","bounce_description":"bad_mailbox"}},
         {"event":"send","_id":"s1","ts":\(ts + 1),"msg":{"ts":\(ts - 60),"_id":"s1","state":"sent","email":"ann@example.com"}},
         {"event":"a_future_event","ts":\(ts + 2),"msg":{}}]
        """
    }

    @Test(arguments: StoreKind.available)
    func aSignedBatchIsRoutedOnceAndItsRedeliveryIsADuplicate(store: StoreKind) async throws {
        let (herald, address) = try await Integration.serve(
            try config(store), environment: ["MANDRILL_WEBHOOK_KEY": Self.key])
        let outbox = herald.directory.appendingPathComponent("outbox")

        // Mandrill's URL check: HEAD first, then an empty batch signed with the public key.
        #expect(try RawHTTPClient(address: address).request("HEAD", "/v1/mandrill/events").status == 200)
        let probe = form("[]")
        let probed = try post(
            address, probe, signature: try pythonSignature(key: "test-webhook", url: Self.url, body: probe))
        #expect(probed.status == 200, "\(probed.text)")
        // The public key signs nothing else.
        let batch = Self.batch()
        let forged = form(batch)
        let refused = try post(
            address, forged, signature: try pythonSignature(key: "test-webhook", url: Self.url, body: forged))
        #expect(refused.status == 401)
        #expect(try post(address, forged, signature: nil).status == 401)

        let body = form(batch)
        let signature = try pythonSignature(key: Self.key, url: Self.url, body: body)
        let first = try post(address, body, signature: signature)
        #expect(first.status == 200, "\(first.text)")
        let answer = try JSONDocument(parsing: first.body).root.json
        #expect(answer == ["events": 2, "duplicates": 0, "stale": 0, "jobs": 1])
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 1 })
        let mail = try String(
            contentsOf: try #require(Integration.files(in: outbox, suffix: ".eml").first), encoding: .utf8)
        #expect(mail.contains("Subject: Bounced: jane.doe@example.com"))
        #expect(mail.contains("identity 7a1e3f4c-2b6d-4c8e-9f1a-3d5b7c9e1f20: smtp;550 5.1.1 no such user"))
        // The batch is one trace (Mandrill sends none): its line and its job's name the same one.
        try await herald.waitForLog("msg=\"job delivered\"")
        let accepted = try #require(
            herald.output.split(separator: "\n").first { $0.contains("msg=\"Mandrill events accepted\"") })
        let traceID = try #require(accepted.split(separator: " ").first { $0.hasPrefix("trace_id=") })
        #expect(traceID.count == "trace_id=".count + 32)
        #expect(herald.output.split(separator: "\n").contains { $0.contains("job delivered") && $0.contains(traceID) })

        // Mandrill posts a batch again when it missed the 200: nothing new.
        let again = try post(address, body, signature: signature)
        #expect(again.status == 200)
        #expect(
            try JSONDocument(parsing: again.body).root.json == ["events": 2, "duplicates": 2, "stale": 0, "jobs": 0])
        try await Task.sleep(for: .milliseconds(300))
        #expect(Integration.files(in: outbox, suffix: ".eml").count == 1)
        let log = try await herald.waitForLog("a_future_event")
        #expect(log.contains("Mandrill event of a type Herald does not know"))
        #expect(!herald.output.contains(Self.key))
        try await herald.stop()
    }

    @Test func aBadSignatureStoresNothing() async throws {
        let (herald, address) = try await Integration.serve(
            try config(.local), environment: ["MANDRILL_WEBHOOK_KEY": Self.key])
        let body = form(Self.batch())
        // Signed for another URL (a proxy changed what Herald would see): refused.
        let wrongURL = try pythonSignature(key: Self.key, url: "http://127.0.0.1/v1/mandrill/events", body: body)
        let response = try post(address, body, signature: wrongURL)
        #expect(response.status == 401)
        #expect(response.text.contains("the signature does not match"))
        let listed = try HeraldProcess.run(["queue", "list", "--json", "--state-dir", "state"], in: herald.directory)
        #expect(listed.stdout.contains("\"total\": 0"), "\(listed.stdout)")
        // Not a form, or no mandrill_events: 400 with the reason.
        let garbled = try post(address, Array("mandrill_events=%zz".utf8), signature: "x")
        #expect(garbled.status == 400)
        #expect(try RawHTTPClient(address: address).request("DELETE", "/v1/mandrill/events").status == 405)
        try await herald.stop()
        // `check` says where the events arrive and how they are verified, never the key.
        let checked = try HeraldProcess.run(
            ["check", "--config", "herald.yaml"], in: herald.directory, environment: ["MANDRILL_WEBHOOK_KEY": Self.key])
        #expect(checked.stdout.contains("Mandrill events: /v1/mandrill/events, signed for \(Self.url); 1 key(s)"))
        #expect(!checked.stdout.contains(Self.key))
    }

    @Test func aBatchReplayedAfterTheDedupeWindowPlansNothing() async throws {
        let (herald, address) = try await Integration.serve(
            try config(.local), environment: ["MANDRILL_WEBHOOK_KEY": Self.key])
        let outbox = herald.directory.appendingPathComponent("outbox")
        let now = Int(Date().timeIntervalSince1970)
        // b-old was signed by Mandrill 25 h ago (the window is 24 h): a captured post replayed.
        // b-recent is 8 h old: Mandrill's own last retries of a batch it got no 200 for.
        let events = """
            [{"event":"hard_bounce","_id":"b-old","ts":\(now - 25 * 3600),"msg":{"_id":"b-old","email":"old@example.com","diag":"old"}},
             {"event":"hard_bounce","_id":"b-recent","ts":\(now - 8 * 3600),"msg":{"_id":"b-recent","email":"recent@example.com","diag":"recent"}},
             {"event":"hard_bounce","_id":"b-undated","msg":{"_id":"b-undated","email":"undated@example.com","diag":"none"}}]
            """
        let poster = MandrillWebhookPoster(url: Self.url, key: Self.key)
        let first = try await BlockingWork.run { try poster.post(events, to: address) }
        #expect(first.status == 200, "\(first.text)")
        #expect(
            try JSONDocument(parsing: first.body).root.json == ["events": 3, "duplicates": 0, "stale": 2, "jobs": 1])
        // The same post again: the recent event is a duplicate, the others are refused again.
        let again = try await BlockingWork.run { try poster.post(events, to: address) }
        #expect(
            try JSONDocument(parsing: again.body).root.json == ["events": 3, "duplicates": 1, "stale": 2, "jobs": 0])
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 1 })
        let mail = try String(
            contentsOf: try #require(Integration.files(in: outbox, suffix: ".eml").first), encoding: .utf8)
        #expect(mail.contains("Subject: Bounced: recent@example.com"), "\(mail)")
        let metrics = try RawHTTPClient(address: address).request("GET", "/metrics").text
        #expect(metrics.contains("herald_mandrill_events_refused_total{reason=\"stale\"} 4"), "\(metrics)")
        let log = try await herald.waitForLog("Mandrill events older than the dedupe window refused")
        #expect(log.contains("events=2 oldest_ts=\(now - 25 * 3600) window=1d"), "\(log)")
        try await herald.stop()
    }

    @Test func aDedupeWindowShorterThanMandrillsRetriesIsRefused() async throws {
        let directory = try makeTemporaryDirectory()
        try """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress:
          insecure_no_auth: true
          mandrill_webhooks: { url: "\(Self.url)", keys: [k-0123456789], dedupe_window: 1h }
        routes: []
        """.write(to: directory.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let check = try await BlockingWork.run {
            try HeraldProcess.run(["check", "--config", "herald.yaml"], in: directory)
        }
        #expect(check.status == 78)
        #expect(check.stderr.contains("herald.yaml:5:114: 'dedupe_window' must be at least 12h"), "\(check.stderr)")
    }

    @Test func withoutTheSettingThePathIsOff() async throws {
        let (herald, address) = try await Integration.serve(Integration.outboxConfig())
        let response = try RawHTTPClient(address: address).request("HEAD", "/v1/mandrill/events")
        #expect(response.status == 404)
        try await herald.stop()
    }
}
