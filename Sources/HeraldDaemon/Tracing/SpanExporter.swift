import HeraldConfig
import HeraldCore
import HeraldHTTPClient
import HeraldJobs
import Synchronization

/// Exports finished spans over OTLP/HTTP (JSON) to the collector of `tracing:`, in batches.
///
/// `record` never waits: it appends to a bounded buffer under a lock, and when the buffer is
/// full the span is dropped and counted (`herald_spans_dropped_total{reason="buffer_full"}`),
/// so a slow or absent collector never slows the ingress or a delivery. `run()` sends a batch
/// when `batch_size` spans wait or the oldest has waited `interval`, one request at a time
/// through Herald's HTTP client; a batch the collector refuses or does not answer within
/// `timeout` is dropped and counted (`export_failed`), not retried, so memory stays bounded by
/// `buffer` plus one batch in flight. A stop sends what waits, until the stop's deadline.
package final class SpanExporter: SpanSink, Sendable {
    private struct State {
        var waiting: [FinishedSpan] = []
        var stopping = false
        var deadline: ContinuousClock.Instant?
        /// When the oldest waiting span came; nil when none waits.
        var oldest: ContinuousClock.Instant?
        /// Whether the last export failed (failures are logged when they start and end).
        var failing = false
    }

    private let settings: TracingSettings
    private let client: HTTPClient
    private let metrics: SpanMetrics
    private let logger: Logger
    private let version: String
    private let state = Mutex(State())
    private let doorbell = Doorbell()

    package init(
        settings: TracingSettings, metrics: SpanMetrics, logger: Logger, version: String = HeraldVersion.current
    ) {
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        self.version = version
        // The collector's answer is only read for its status: a few KiB at most.
        client = HTTPClient(HTTPClient.Configuration(timeout: settings.timeout, answerLimit: .reasonExcerpt))
    }

    package func record(_ span: FinishedSpan) {
        // Rings when the loop has a new due time to learn (the first span of a batch) or a full
        // batch to send; otherwise it is asleep until a time it knows already.
        let full = state.withLock { state -> Bool? in
            guard state.waiting.count < settings.buffer else { return nil }
            state.waiting.append(span)
            if state.oldest == nil {
                state.oldest = .now
                return true
            }
            return state.waiting.count >= settings.batchSize
        }
        switch full {
        case nil: metrics.droppedBufferFull.increment()
        case true?: doorbell.ring()
        case false?: break
        }
    }

    /// Spans waiting for export.
    package var waiting: Int { state.withLock { $0.waiting.count } }

    /// Exports until `stop` and what waits then (until the stop's deadline).
    package func run() async {
        while true {
            let (batch, stopping, wait) = nextBatch()
            if batch.isEmpty {
                if stopping { return }
                await doorbell.wait(upTo: wait)
                continue
            }
            await export(batch)
        }
    }

    /// Stops once what waits is sent, or at `deadline`.
    package func stop(deadline: ContinuousClock.Instant) {
        state.withLock {
            $0.stopping = true
            $0.deadline = deadline
        }
        doorbell.ring()
    }

    /// A batch to send now (full, old enough, or stopping), or none and how long to wait.
    private func nextBatch() -> ([FinishedSpan], Bool, Duration?) {
        state.withLock { state in
            if state.stopping, let deadline = state.deadline, deadline <= .now {
                // Out of time: what still waits is dropped, counted.
                metrics.droppedExportFailed.increment(by: UInt64(state.waiting.count))
                state.waiting = []
                return ([], true, nil)
            }
            guard let oldest = state.oldest else { return ([], state.stopping, nil) }
            let due = oldest + settings.interval
            guard state.stopping || state.waiting.count >= settings.batchSize || due <= .now else {
                return ([], false, due - .now)
            }
            let count = min(settings.batchSize, state.waiting.count)
            let batch = Array(state.waiting.prefix(count))
            state.waiting.removeFirst(count)
            state.oldest = state.waiting.isEmpty ? nil : .now
            return (batch, state.stopping, nil)
        }
    }

    private func export(_ batch: [FinishedSpan]) async {
        let body = OTLPTraceRequest.encode(batch, serviceName: settings.serviceName, version: version)
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        headers += settings.headers.map { ($0.name, $0.value) }
        let request = HTTPClientRequest("POST", settings.endpoint, headers: headers, body: body)
        let problem: String?
        do throws(HTTPClientError) {
            let response = try await client.send(request, timeout: settings.timeout)
            problem = (200..<300).contains(response.status) ? nil : "the collector answered \(response.status)"
        } catch {
            problem = HTTPClientFailure.describe(error)
        }
        let was = state.withLock { state -> Bool in
            defer { state.failing = problem != nil }
            return state.failing
        }
        guard let problem else {
            metrics.exported.increment(by: UInt64(batch.count))
            if was { logger.info("span export works again", ["endpoint": .string(endpointText)]) }
            return
        }
        metrics.droppedExportFailed.increment(by: UInt64(batch.count))
        if !was {
            logger.warning(
                "span export failed; spans are dropped until it works again",
                ["endpoint": .string(endpointText), "spans": .int(batch.count), "reason": .string(problem)])
        }
    }

    /// The endpoint without user info or query, for logs.
    private var endpointText: String {
        "\(settings.endpoint.scheme ?? "http")://\(settings.endpoint.host ?? "")"
            + (settings.endpoint.port.map { ":\($0)" } ?? "") + settings.endpoint.path
    }
}
