import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// W3C trace context through the real binary (issue 21, items 6–9): Kratos' `traceparent` is
/// read (a malformed one starts a new trace, never a 4xx), carried in the job on either store,
/// named in the log lines, sent on each attempt with the attempt's own span, exported over
/// OTLP/HTTP to a receiver that decodes it with the OpenTelemetry protobuf definitions, and
/// shown by `herald dead show`.
@Suite struct TracingTests {
    static let secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let mandrillKey = "md-test-key-0123456789"
    static let kratosParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    private func config(webhook: String, mandrill: String, collector: String?) -> String {
        """
        listen: ["127.0.0.1:0"]
        state_dir: state
        ingress: { insecure_no_auth: true }
        delivery: { retry: { schedule: [200ms], jitter: 0, max_age: 1h }, timeout: 5s }
        \(collector.map { "tracing: { endpoint: \"\($0)\", interval: 100ms, batch_size: 4 }" } ?? "")
        actions:
          hook: { plugin: webhook, url: "\(webhook)", secrets: ["${env:WEBHOOK_SECRET}"] }
          mail:
            plugin: mandrill
            api_key: "${env:MANDRILL_KEY}"
            base_url: "\(mandrill)"
            from: { email: hello@example.com, name: Example }
        routes:
          - name: welcome
            events: [registration.after]
            do:
              - action: hook
              - action: mail
                template: welcome
                to: "{{recipient}}"
        """
    }

    /// Posts the registration example as a new call of Kratos' (a trigger id of its own).
    private func post(_ address: String, headers: [(String, String)]) throws -> Int {
        try RawHTTPClient(address: address).request(
            "POST", "/v1/events/registration/after",
            headers: headers + [("Ory-Webhook-Trigger-ID", UUID().uuidString.lowercased())],
            body: try Integration.example("registration-after.json")
        ).status
    }

    @Test(arguments: StoreKind.available)
    func kratosTraceReachesEveryPeerAndTheCollector(store: StoreKind) async throws {
        if let reason = OTLPTestReceiver.unavailableReason {
            Issue.record(Comment(rawValue: reason))
            return
        }
        let collector = try OTLPTestReceiver()
        defer { collector.stop() }
        let hooks = try WebhookTestServer(secrets: [Self.secret])
        defer { hooks.stop() }
        try hooks.start()
        let mandrill = try MandrillTestServer(keys: [Self.mandrillKey], templates: ["welcome"])
        defer { mandrill.stop() }
        try mandrill.start()
        let (herald, address) = try await Integration.serve(
            try store.prepare(
                config(webhook: hooks.url(), mandrill: try #require(mandrill.baseURL), collector: collector.endpoint)),
            environment: ["WEBHOOK_SECRET": Self.secret, "MANDRILL_KEY": Self.mandrillKey])

        #expect(
            try post(address, headers: [("traceparent", Self.kratosParent), ("tracestate", "rojo=00f067aa0ba902b7")])
                == 202)
        #expect(try await Integration.eventually { hooks.requests.count == 1 && mandrill.requests.count == 1 })
        let kratos = try #require(TraceContext(traceparent: Self.kratosParent))
        let hookTrace = try #require(
            hooks.requests.first?.header("traceparent").flatMap { TraceContext(traceparent: $0) })
        let mailTrace = try #require(
            mandrill.requests.first?.header("traceparent").flatMap { TraceContext(traceparent: $0) })
        #expect(hooks.requests.first?.header("tracestate") == "rojo=00f067aa0ba902b7")
        #expect(mandrill.requests.first?.header("tracestate") == "rojo=00f067aa0ba902b7")
        // Kratos' trace, each attempt a span of its own.
        #expect(hookTrace.traceID == kratos.traceID && mailTrace.traceID == kratos.traceID)
        #expect(Set([kratos.spanID, hookTrace.spanID, mailTrace.spanID]).count == 3)
        #expect(hooks.verdicts == [.verified])

        // Every export decoded; the ingress span is Kratos' child, each attempt the ingress'.
        #expect(try await Integration.eventually { collector.spans.count >= 3 })
        #expect(collector.rejected.isEmpty, "\(collector.rejected)")
        let spans = collector.spans
        let ingress = try #require(spans.first { $0["kind"]?.string == "SPAN_KIND_SERVER" })
        #expect(ingress["trace_id"]?.string == kratos.traceID.hex)
        #expect(ingress["parent_span_id"]?.string == kratos.spanID.hex)
        #expect(ingress["name"]?.string == "ingress registration.after")
        #expect(ingress["trace_state"]?.string == "rojo=00f067aa0ba902b7")
        #expect(ingress["attributes"]?["http.response.status_code"]?.int == 202)
        #expect(ingress["attributes"]?["herald.jobs"]?.int == 2)
        #expect(ingress["service_name"]?.string == "herald" && ingress["scope_name"]?.string == "herald")
        let attempts = spans.filter { $0["kind"]?.string == "SPAN_KIND_CLIENT" }
        #expect(attempts.count == 2)
        #expect(
            attempts.allSatisfy { $0["parent_span_id"] == ingress["span_id"] && $0["trace_id"] == ingress["trace_id"] })
        #expect(Set(attempts.compactMap { $0["span_id"]?.string }) == [hookTrace.spanID.hex, mailTrace.spanID.hex])
        let plugins = Set(attempts.compactMap { $0["attributes"]?["herald.plugin"]?.string })
        #expect(plugins == ["webhook", "mandrill"])
        #expect(attempts.allSatisfy { $0["attributes"]?["herald.outcome"]?.string == "delivered" })
        #expect(attempts.allSatisfy { $0["status_code"]?.string == "STATUS_CODE_OK" })
        // No personal data in any span (the payload's address, name, IP and user agent).
        let exported = spans.map(\.serializedString).joined()
        for personal in ["jane.doe", "Jane", "Doe", "Mozilla", "7a1e3f4c"] { #expect(!exported.contains(personal)) }

        // The log lines of the event and of its jobs carry the trace id.
        let logged = {
            herald.output.split(separator: "\n").filter {
                $0.contains("msg=\"event accepted\"") || $0.contains("msg=\"job delivered\"")
            }
        }
        #expect(try await Integration.eventually { logged().count == 3 })
        #expect(logged().allSatisfy { $0.contains("trace_id=\(kratos.traceID.hex)") }, "\(logged())")

        // A malformed traceparent is ignored: 202, and a new trace of Herald's own.
        #expect(
            try post(address, headers: [("traceparent", "00-XYZ-00f067aa0ba902b7-01"), ("tracestate", "a=1")]) == 202)
        #expect(try await Integration.eventually { hooks.requests.count == 2 })
        let fresh = try #require(hooks.requests.last?.header("traceparent").flatMap { TraceContext(traceparent: $0) })
        #expect(fresh.traceID != kratos.traceID && fresh.isSampled)
        #expect(hooks.requests.last?.header("tracestate") == nil)
        #expect(try await Integration.eventually { collector.spans.count >= 6 })
        let freshIngress = try #require(
            collector.spans.first {
                $0["trace_id"]?.string == fresh.traceID.hex && $0["kind"]?.string == "SPAN_KIND_SERVER"
            })
        #expect(freshIngress["parent_span_id"]?.string == "")

        #expect(try await Integration.eventually { Self.metric(herald, address, "herald_spans_exported_total") >= 6 })
        #expect(try await herald.stop() == 0)
    }

    /// A dead letter names its trace, so an operator can go from `herald dead show` to the trace.
    @Test(arguments: StoreKind.available)
    func deadShowPrintsTheTrace(store: StoreKind) async throws {
        let hooks = try WebhookTestServer(secrets: [Self.secret])
        defer { hooks.stop() }
        try hooks.start()
        hooks.script(.status(410))
        let mandrill = try MandrillTestServer(keys: [Self.mandrillKey], templates: ["welcome"])
        defer { mandrill.stop() }
        try mandrill.start()
        let (herald, address) = try await Integration.serve(
            try store.prepare(
                config(webhook: hooks.url(), mandrill: try #require(mandrill.baseURL), collector: nil)),
            environment: ["WEBHOOK_SECRET": Self.secret, "MANDRILL_KEY": Self.mandrillKey])
        #expect(try post(address, headers: [("traceparent", Self.kratosParent)]) == 202)
        try await herald.waitForLog("moved to dead letters")
        let cli = QueueCLI(store: store, directory: herald.directory)
        let letter = try #require(try cli.list("dead").first)
        #expect(letter["trace_id"]?.string == "4bf92f3577b34da6a3ce929d0e0e4736")
        let ingressSpan = try #require(letter["span_id"]?.string)
        #expect(ingressSpan != "00f067aa0ba902b7" && ingressSpan.count == 16)
        let shown = try cli("dead", "show", try #require(letter["id"]?.string))
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("  trace         4bf92f3577b34da6a3ce929d0e0e4736 (ingress span \(ingressSpan))"))
        try await herald.stop()
    }

    private static func metric(_ herald: HeraldProcess, _ address: String, _ name: String) -> Int {
        guard let response = try? RawHTTPClient(address: address).request("GET", "/metrics") else { return 0 }
        let line = response.text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Int(Double($0.split(separator: " ").last ?? "") ?? 0) } ?? 0
    }
}
