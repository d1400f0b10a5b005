import Foundation
import HeraldConfig
import HeraldTestSupport
import Testing

/// README's five-minute walkthrough, tried as a newcomer would: the embedded default, the sample
/// hook exactly as README writes it, and the message it leaves in the outbox.
@Suite struct WalkthroughTests {
    /// The first `curl … /v1/events/…` README shows: its target (path and query).
    static func walkthroughTarget() throws -> String {
        let readme = try String(
            contentsOf: SystemTools.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let pattern = #"curl [^\n]*http://127\.0\.0\.1:4470(/v1/events/[^ '"\\]+)"#
        let match = try #require(readme.range(of: pattern, options: .regularExpression), "no curl in README")
        let line = String(readme[match])
        let start = try #require(line.range(of: "4470")).upperBound
        return String(line[start...].prefix { $0 != "'" && $0 != "\"" && $0 != " " })
    }

    /// The hook names its method as `herald kratos-config` writes it, so the first message reads
    /// "method: password", not "method: unknown".
    @Test func theSampleHookCarriesItsMethodAndTheMessageSaysIt() async throws {
        let target = try Self.walkthroughTarget()
        #expect(target == "/v1/events/registration/after?method=password")

        // kratos-config on the same embedded default writes this very hook.
        let kratos = try HeraldProcess.run(["kratos-config"], in: try makeTemporaryDirectory())
        #expect(kratos.status == 0, "\(kratos.stderr)")
        #expect(kratos.stdout.contains("http://127.0.0.1:4470\(target)"), "\(kratos.stdout)")

        let config = DefaultConfiguration.yaml.replacingOccurrences(
            of: #"listen: ["127.0.0.1:4470"]"#, with: #"listen: ["127.0.0.1:0"]"#)
        #expect(config != DefaultConfiguration.yaml)
        let (herald, address) = try await Integration.serve(config)
        let client = try RawHTTPClient(address: address)
        let response = try client.request(
            "POST", target, headers: [("Content-Type", "application/json")],
            body: try Integration.example("registration-after.json"))
        #expect(response.status == 202)
        #expect(response.text.contains(#""jobs":1,"routes":["welcome"]"#), "\(response.text)")
        let outbox = herald.directory.appendingPathComponent("herald-state/outbox")
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 1 })
        let eml = try String(
            contentsOf: try #require(Integration.files(in: outbox, suffix: ".eml").first), encoding: .utf8)
        #expect(eml.contains("(method: password)"), "\(eml)")
        #expect(!eml.contains("unknown"))
        #expect(try await herald.stop() == 0)
    }
}
