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

        // kratos-config on the same embedded default writes this very hook (the default written to
        // a file: without --config a machine with /etc/herald/herald.yaml would read that).
        let defaults = try makeTemporaryDirectory()
        try DefaultConfiguration.yaml.write(
            to: defaults.appendingPathComponent("herald.yaml"), atomically: true, encoding: .utf8)
        let kratos = try HeraldProcess.run(["kratos-config", "--config", "herald.yaml"], in: defaults)
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
        try Self.expectDocumentedHeaders(eml)
        #expect(try await herald.stop() == 0)
    }

    /// Every `X-Herald-*` header of the message is in docs/delivery-and-stores.md's table, in the
    /// format the table gives: the job id, and the event's name and id.
    static func expectDocumentedHeaders(_ eml: String) throws {
        let docs = try String(
            contentsOf: SystemTools.repository.appendingPathComponent("docs/delivery-and-stores.md"), encoding: .utf8)
        let head = eml.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        let herald = head.filter { $0.hasPrefix("X-Herald-") }
        #expect(herald.count == 2, "\(head)")
        var values: [String: String] = [:]
        for line in herald {
            let name = String(line.prefix { $0 != ":" })
            values[name] = String(line.dropFirst(name.count + 2))
            #expect(docs.contains("| `\(name)` |"), "\(name) is not documented")
        }
        let uuid = "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
        let job = try #require(values["X-Herald-Job"])
        #expect(job.range(of: "^\(uuid)$", options: .regularExpression) != nil, "\(job)")
        #expect(head.contains("Message-ID: <\(job)@herald.invalid>"))
        let event = try #require(values["X-Herald-Event"])
        #expect(event.range(of: "^registration\\.after \(uuid)$", options: .regularExpression) != nil, "\(event)")
        #expect(docs.contains("| the event name, one space, the event id |"))
    }
}
