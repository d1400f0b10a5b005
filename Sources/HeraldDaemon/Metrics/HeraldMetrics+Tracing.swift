/// The span exporter's counters (`tracing:`): what it sent, what it dropped and why.
package struct SpanMetrics: Sendable {
    /// Spans a collector accepted.
    let exported: Counter
    /// Spans dropped: the buffer was full, or their export failed.
    let droppedBufferFull: Counter
    let droppedExportFailed: Counter

    /// Counters that no registry shows (tests, and `tracing:` without metrics).
    package init() {
        self.init(registry: MetricsRegistry())
    }

    /// The counters in `registry`: `herald_spans_exported_total` and
    /// `herald_spans_dropped_total{reason="buffer_full"|"export_failed"}`.
    package init(registry: MetricsRegistry) {
        exported = registry.counter(
            "herald_spans_exported_total", help: "Spans the OTLP collector accepted (tracing:).", labels: []
        ).counter()
        let dropped = registry.counter(
            "herald_spans_dropped_total",
            help: "Spans not exported, by reason: buffer_full (the buffer was full) or export_failed.",
            labels: ["reason"])
        droppedBufferFull = dropped.counter("buffer_full")
        droppedExportFailed = dropped.counter("export_failed")
    }
}
