import HeraldCore
import HeraldHTTP

/// The ingress' span of one request: the trace Kratos sent (`traceparent`, `tracestate`) or a
/// new one when none came or it was malformed (never a 4xx for it: W3C Trace Context asks a
/// receiver to ignore a header it cannot parse), and the span Herald starts in it, which every
/// job of the event names as its attempts' parent.
struct IngressSpan: Sendable {
    /// The event's trace, naming the ingress span.
    let trace: TraceContext
    /// Kratos' span (the `parent-id` of its `traceparent`); nil when Herald started the trace.
    let parentSpanID: SpanID?
    let method: String
    /// The request's path (a view of its target: nothing is copied unless a span is recorded).
    let path: Substring
    let startNanoseconds: UInt64

    init(_ head: HTTPRequestHead) {
        startNanoseconds = FinishedSpan.nowNanoseconds
        let incoming = Self.incoming(head.headers)
        trace = incoming?.child() ?? TraceContext.start()
        parentSpanID = incoming?.spanID
        method = head.method
        path = head.path
    }

    /// The caller's trace; nil when `traceparent` is missing, repeated or malformed.
    static func incoming(_ headers: HTTPHeaders) -> TraceContext? {
        let parents = headers.values(for: "traceparent")
        guard parents.count == 1, let parent = parents.first else { return nil }
        return TraceContext(traceparent: parent, tracestate: headers.values(for: "tracestate"))
    }

    /// Hands the finished span to `spans` when tracing is on and the trace is sampled. Its
    /// attributes name the event, its routes and the answer; nothing from the payload.
    func end(
        _ event: Event, status: Int, jobs: Int, routes: [String], into spans: (any SpanSink)?, duplicate: Bool = false
    ) {
        guard let spans, trace.isSampled else { return }
        var attributes: [(String, SpanAttribute)] = [
            ("http.request.method", .string(method)), ("url.path", .string(String(path))),
            ("http.response.status_code", .int(status)), ("herald.event.name", .string(event.name.rawValue)),
            ("herald.event.id", .string(event.id.description)), ("herald.jobs", .int(jobs)),
            ("herald.routes", .string(routes.joined(separator: ","))),
        ]
        if duplicate { attributes.append(("herald.duplicate", .bool(true))) }
        spans.record(finished("ingress \(event.name.rawValue)", status: status, attributes: attributes))
    }

    /// The same for a batch of Mandrill events (one span for the post).
    func endBatch(events: Int, status: Int, jobs: Int, into spans: (any SpanSink)?) {
        guard let spans, trace.isSampled else { return }
        spans.record(
            finished(
                "ingress mandrill events", status: status,
                attributes: [
                    ("http.request.method", .string(method)), ("url.path", .string(String(path))),
                    ("http.response.status_code", .int(status)), ("herald.events", .int(events)),
                    ("herald.jobs", .int(jobs)),
                ]))
    }

    private func finished(_ name: String, status: Int, attributes: [(String, SpanAttribute)]) -> FinishedSpan {
        FinishedSpan(
            trace: trace, parentSpanID: parentSpanID, name: name, kind: .server, startNanoseconds: startNanoseconds,
            endNanoseconds: max(startNanoseconds, FinishedSpan.nowNanoseconds), attributes: attributes,
            status: status >= 500 ? .error("answered \(status)") : .unset)
    }
}

extension Event {
    /// The trace id for log lines; `-` when the event has no trace.
    var traceIDText: String { trace?.traceID.hex ?? "-" }
}
