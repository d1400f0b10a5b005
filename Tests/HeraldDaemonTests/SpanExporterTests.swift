import Foundation
import HeraldConfig
import HeraldCore
import HeraldTestSupport
import Testing

@testable import HeraldDaemon

/// The exporter never makes a span's producer wait: a full buffer drops (counted), a collector
/// that refuses costs the batch (counted), and what is sent is one OTLP/JSON request per batch.
@Suite struct SpanExporterTests {
    private func span(_ number: Int) -> FinishedSpan {
        FinishedSpan(
            trace: TraceContext.start(), parentSpanID: nil, name: "attempt \(number)", kind: .client,
            startNanoseconds: 1, endNanoseconds: 2, attributes: [("n", .int(number))])
    }

    private func settings(_ url: String, batch: Int = 2, buffer: Int = 3) throws -> TracingSettings {
        var settings = TracingSettings(endpoint: try #require(URL(string: url)))
        settings.batchSize = batch
        settings.buffer = buffer
        settings.interval = .milliseconds(100)
        settings.timeout = .seconds(5)
        settings.headers = [TracingSettings.Header(name: "Authorization", value: "Bearer t")]
        return settings
    }

    /// Polls until `condition` holds or a minute passes (the whole suite runs at once, on a
    /// machine others share).
    private static func eventually(_ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test func aFullBufferDropsAndCountsWithoutWaiting() throws {
        let metrics = SpanMetrics()
        let exporter = SpanExporter(
            settings: try settings("http://127.0.0.1:9/v1/traces"), metrics: metrics, logger: .discarding)
        for number in 0..<5 { exporter.record(span(number)) }
        #expect(exporter.waiting == 3)
        #expect(metrics.droppedBufferFull.value == 2)
    }

    @Test func batchesGoToTheCollectorAsOTLPJSON() async throws {
        let peer = try FaultyHTTPPeer(fallback: .answer(status: 200, headers: [], body: Array("{}".utf8)))
        defer { peer.stop() }
        let metrics = SpanMetrics()
        let exporter = SpanExporter(
            settings: try settings(peer.url("/v1/traces"), buffer: 10), metrics: metrics, logger: .discarding)
        let run = Task { await exporter.run() }
        for number in 0..<3 { exporter.record(span(number)) }
        #expect(try await Self.eventually { metrics.exported.value == 3 })
        exporter.stop(deadline: .now + .seconds(5))
        await run.value
        let requests = peer.requests
        // A full batch of two at once, the third after the interval.
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0.target == "/v1/traces" && $0.header("Content-Type") == "application/json" })
        #expect(requests.allSatisfy { $0.header("Authorization") == "Bearer t" && $0.header("traceparent") == nil })
        let first = try JSON(parsing: requests[0].body)
        #expect(first["resourceSpans"]?[0]?["scopeSpans"]?[0]?["spans"]?.array?.count == 2)
    }

    @Test func aRefusedExportIsDroppedAndCounted() async throws {
        let peer = try FaultyHTTPPeer(fallback: .answer(status: 503, headers: [], body: []))
        defer { peer.stop() }
        let metrics = SpanMetrics()
        let logs = RecordingLogHandler()
        let exporter = SpanExporter(
            settings: try settings(peer.url("/v1/traces")), metrics: metrics, logger: Logger(handler: logs))
        let run = Task { await exporter.run() }
        exporter.record(span(1))
        exporter.record(span(2))
        #expect(try await Self.eventually { metrics.droppedExportFailed.value == 2 })
        exporter.stop(deadline: .now + .seconds(5))
        await run.value
        #expect(metrics.exported.value == 0)
        #expect(logs.records.contains { $0.message.hasPrefix("span export failed") })
    }
}
