import Glibc

/// One span Herald recorded, ready to export (OTLP): the ingress of an event, or one attempt of
/// a job. Its attributes hold ids, names and outcomes only: never personal data (no address,
/// name, IP, user agent, payload or peer answer).
package struct FinishedSpan: Sendable {
    /// What the span stands for, in OTLP's terms.
    package enum Kind: Int, Sendable {
        case `internal` = 1
        case server = 2
        case client = 3
    }

    /// How the span ended.
    package enum Status: Sendable, Equatable {
        case unset
        case ok
        /// With a short, log-safe description (an outcome label, never a peer's answer).
        case error(String)
    }

    package var trace: TraceContext
    /// The span's parent in the same trace; nil for a trace's root.
    package var parentSpanID: SpanID?
    package var name: String
    package var kind: Kind
    /// Wall-clock start and end, in nanoseconds since the Unix epoch.
    package var startNanoseconds: UInt64
    package var endNanoseconds: UInt64
    package var attributes: [(String, SpanAttribute)]
    package var status: Status

    package init(
        trace: TraceContext, parentSpanID: SpanID?, name: String, kind: Kind, startNanoseconds: UInt64,
        endNanoseconds: UInt64, attributes: [(String, SpanAttribute)], status: Status = .unset
    ) {
        self.trace = trace
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = endNanoseconds
        self.attributes = attributes
        self.status = status
    }

    /// The wall clock now, in nanoseconds since the Unix epoch.
    package static var nowNanoseconds: UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(max(0, spec.tv_sec)) &* 1_000_000_000 &+ UInt64(max(0, spec.tv_nsec))
    }
}

/// A span attribute's value.
package enum SpanAttribute: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
}

/// Takes finished spans for export. Must never block nor wait: a full buffer drops the span
/// (and counts it) rather than slowing the ingress or a delivery.
package protocol SpanSink: Sendable {
    func record(_ span: FinishedSpan)
}

/// The trace of the attempt under way in this task: the HTTP client (`HeraldHTTPClient`) sends
/// it as `traceparent` and `tracestate` on every request the attempt makes, so that webhook
/// receivers, Kratos' admin API, Mailchimp and Mandrill see the attempt's own span.
package enum OutboundTrace {
    /// Set by the delivery executor around `Action.perform`: the attempt's span.
    @TaskLocal package static var current: TraceContext?
}
