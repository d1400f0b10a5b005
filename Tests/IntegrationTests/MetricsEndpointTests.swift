import Foundation
import HeraldTestSupport
import Testing

/// `/metrics` on the real binary counts what it did, in a format Prometheus accepts.
@Suite struct MetricsEndpointTests {
    @Test func countsEventsAnswersAndJobs() async throws {
        let auth = """
              auth:
                - api_key: { header: X-Herald-Key, value: "a-long-enough-ingress-key" }
            """
        let (herald, address) = try await Integration.serve(Integration.outboxConfig(auth: auth))
        let key = ("X-Herald-Key", "a-long-enough-ingress-key")
        let payload = try Integration.example("registration-after.json")
        func post(_ path: String, headers: [(String, String)] = [key], body: [UInt8] = payload) throws -> Int {
            try RawHTTPClient(address: address).request("POST", path, headers: headers, body: body).status
        }
        #expect(try post("/v1/events/registration/after") == 202)
        #expect(try post("/v1/events/verification/after") == 202)
        #expect(try post("/v1/events/registration/after", headers: []) == 401)
        #expect(try post("/v1/events/registration/after", body: Array("[".utf8)) == 400)
        let outbox = herald.directory.appendingPathComponent("outbox")
        #expect(try await Integration.eventually { Integration.files(in: outbox, suffix: ".eml").count == 1 })
        try await herald.waitForLog("job delivered")

        let response = try RawHTTPClient(address: address).request("GET", "/metrics")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let lines = Set(response.text.split(separator: "\n").map(String.init))
        for expected in [
            #"herald_events_received_total{event="registration.after"} 1"#,
            #"herald_events_received_total{event="verification.after"} 1"#,
            #"herald_events_unmatched_total{event="verification.after"} 1"#,
            #"herald_routes_matched_total{route="welcome"} 1"#,
            #"herald_routes_matched_total{route="sign-in"} 0"#,
            #"herald_jobs_total{action="box",outcome="delivered"} 1"#,
            #"herald_delivery_latency_seconds_count{action="box"} 1"#,
            #"herald_http_responses_total{status="202"} 2"#,
            #"herald_http_responses_total{status="401"} 1"#,
            #"herald_http_responses_total{status="400"} 1"#,
            "herald_ack_latency_seconds_count 2",
            "herald_spool_depth 0",
        ] {
            #expect(lines.contains(expected), "missing \(expected) in\n\(response.text)")
        }
        // Nothing personal in the exposition.
        #expect(!response.text.contains("jane"))
        #expect(!response.text.contains("example.com"))

        if let promtool = SystemTools.path("promtool") {
            let check = try await SystemTools.run(promtool, ["check", "metrics"], input: response.text)
            #expect(check.status == 0 && check.output.isEmpty, "promtool: \(check.output)")
        }
        try await herald.stop()
    }
}
