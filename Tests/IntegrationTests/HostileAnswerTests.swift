import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The real binary against peers whose answers are huge (128 MiB) or gzip bombs (a 254 KiB body
/// that inflates to 256 MiB): each attempt ends with a clear reason, and herald's peak memory
/// does not grow with what the peer sends. (URLSession read both whole, and inflated the second:
/// +260 MiB and +519 MiB of RSS per attempt.)
@Suite struct HostileAnswerTests {
    static let hugeAnswer = 128 << 20
    /// Peak RSS may grow by this much at most while the answer is read; reading it whole would
    /// take 128 MiB or more.
    static let allowedGrowth = 48 << 20

    /// 256 MiB of zeros, gzipped once per test run.
    static let gzipBomb: [UInt8] = (try? FaultyHTTPPeer.gzippedZeros(256 << 20)) ?? []

    /// Peak resident memory of `process` (VmHWM), in bytes.
    static func peakMemory(_ process: HeraldProcess) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
        let kilobytes = try #require(Int(line.split(separator: " ").dropFirst().first ?? ""))
        return kilobytes * 1024
    }

    /// Starts herald with `action` as the `target` action, posts a registration, waits for the log
    /// line `outcome`, and returns it with the growth of herald's peak memory meanwhile.
    private func attempt(action: String, step: String = "", waitingFor outcome: String) async throws -> (
        line: String, growth: Int
    ) {
        let (herald, address) = try await Integration.serve(
            """
            listen: ["127.0.0.1:0"]
            state_dir: state
            ingress: { insecure_no_auth: true }
            delivery: { retry: { schedule: [1h], jitter: 0, max_age: 2h }, timeout: 20s }
            actions:
              target:
            \(action)
            routes:
              - name: on-registration
                events: [registration.after]
                do:
                  - action: target
            \(step)
            """, environment: ["MANDRILL_KEY": "md-hostile-key-0123456789"])
        let before = try Self.peakMemory(herald)
        let response = try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after", body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        let line = try await herald.waitForLog(outcome, timeout: .seconds(30))
        let growth = try Self.peakMemory(herald) - before
        try await herald.stop()
        return (line, growth)
    }

    private func mandrill(_ peer: FaultyHTTPPeer) -> (action: String, step: String) {
        (
            """
                plugin: mandrill
                api_key: "${env:MANDRILL_KEY}"
                base_url: "\(peer.url("/api/1.0"))"
                from: { email: hello@example.com }
            """,
            """
                    template: welcome
                    to: "{{recipient}}"
            """
        )
    }

    private func webhook(_ peer: FaultyHTTPPeer) -> String {
        """
            plugin: webhook
            url: "\(peer.url("/hook"))"
            secrets: ["whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="]
        """
    }

    @Test func aHugeMandrillAnswerFailsTheAttemptUnread() async throws {
        let peer = try FaultyHTTPPeer(fallback: .endless(bytes: Self.hugeAnswer))
        defer { peer.stop() }
        let (action, step) = mandrill(peer)
        let (line, growth) = try await attempt(action: action, step: step, waitingFor: "job will be retried")
        #expect(line.contains("outcome=retry_ambiguous"), "\(line)")
        #expect(
            line.contains(
                "the answer of Mandrill cannot be read (HTTP 200, answer over 1 MiB; not read further); may have been sent"
            ), "\(line)")
        #expect(growth < Self.allowedGrowth, "peak RSS grew by \(growth >> 20) MiB")
        #expect(peer.bytesSent < Self.hugeAnswer)
    }

    @Test func aMandrillGzipBombIsNeverInflated() async throws {
        let bomb = try #require(Self.gzipBomb.isEmpty ? nil : Self.gzipBomb)
        let peer = try FaultyHTTPPeer(
            fallback: .answer(
                status: 200, headers: [("Content-Type", "application/json"), ("Content-Encoding", "gzip")], body: bomb))
        defer { peer.stop() }
        let (action, step) = mandrill(peer)
        let (line, growth) = try await attempt(action: action, step: step, waitingFor: "job will be retried")
        #expect(line.contains("outcome=retry_ambiguous"), "\(line)")
        #expect(line.contains("instead of the recipient list (may have been sent)"), "\(line)")
        #expect(growth < Self.allowedGrowth, "peak RSS grew by \(growth >> 20) MiB")
    }

    @Test func aHugeWebhookAnswerIsReadOnlyAsFarAsItsStatus() async throws {
        let peer = try FaultyHTTPPeer(fallback: .endless(status: 200, bytes: Self.hugeAnswer))
        defer { peer.stop() }
        let (line, growth) = try await attempt(action: webhook(peer), waitingFor: "job delivered")
        #expect(line.contains("detail=\"HTTP 200\""), "\(line)")
        #expect(growth < Self.allowedGrowth, "peak RSS grew by \(growth >> 20) MiB")
        #expect(peer.bytesSent < Self.hugeAnswer)
    }

    @Test func aWebhookGzipBombIsQuotedNotInflated() async throws {
        let bomb = try #require(Self.gzipBomb.isEmpty ? nil : Self.gzipBomb)
        let peer = try FaultyHTTPPeer(
            fallback: .answer(status: 500, headers: [("Content-Encoding", "gzip")], body: bomb))
        defer { peer.stop() }
        let (line, growth) = try await attempt(action: webhook(peer), waitingFor: "job will be retried")
        #expect(line.contains("the endpoint answered HTTP 500"), "\(line)")
        #expect(line.contains("(may have been processed)"), "\(line)")
        #expect(growth < Self.allowedGrowth, "peak RSS grew by \(growth >> 20) MiB")
    }
}
