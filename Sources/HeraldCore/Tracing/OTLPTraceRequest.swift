/// An OTLP/HTTP trace export request in the JSON encoding (`POST /v1/traces`,
/// `Content-Type: application/json`): an `ExportTraceServiceRequest` with one resource (the
/// service) and one instrumentation scope (`herald`).
///
/// The OTLP JSON mapping differs from plain protobuf JSON in two ways that matter here: trace
/// and span ids are hex strings, not base64; enums are integers. 64-bit integers are strings.
///
/// ```swift
/// let body = OTLPTraceRequest.encode(spans, serviceName: "herald", version: "1.4.0")
/// ```
package enum OTLPTraceRequest {
    /// The JSON body exporting `spans`.
    package static func encode(_ spans: [FinishedSpan], serviceName: String, version: String) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 256 + spans.count * 640)
        writer.beginObject()
        writer.key("resourceSpans")
        writer.beginArray()
        writer.beginObject()
        writer.key("resource")
        writer.beginObject()
        writer.key("attributes")
        writer.beginArray()
        attribute(&writer, "service.name", .string(serviceName))
        attribute(&writer, "service.version", .string(version))
        writer.endArray()
        writer.endObject()
        writer.key("scopeSpans")
        writer.beginArray()
        writer.beginObject()
        writer.key("scope")
        writer.beginObject()
        writer.key("name")
        writer.writeString("herald")
        writer.key("version")
        writer.writeString(version)
        writer.endObject()
        writer.key("spans")
        writer.beginArray()
        for span in spans { write(span, into: &writer) }
        writer.endArray()
        writer.endObject()
        writer.endArray()
        writer.endObject()
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    private static func write(_ span: FinishedSpan, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("traceId")
        writer.writeString(span.trace.traceID.hex)
        writer.key("spanId")
        writer.writeString(span.trace.spanID.hex)
        if let state = span.trace.state {
            writer.key("traceState")
            writer.writeString(state)
        }
        if let parent = span.parentSpanID {
            writer.key("parentSpanId")
            writer.writeString(parent.hex)
        }
        writer.key("flags")
        // The W3C flags in the low byte; bits 8 and 9 say whether the parent is remote (0x300
        // for a remote parent, 0x100 otherwise: OTLP's SpanFlags). Only the ingress span has a
        // parent in another process (Kratos').
        writer.write(Int(span.trace.flags) | (span.kind == .server && span.parentSpanID != nil ? 0x300 : 0x100))
        writer.key("name")
        writer.writeString(span.name)
        writer.key("kind")
        writer.write(span.kind.rawValue)
        writer.key("startTimeUnixNano")
        writer.writeString(String(span.startNanoseconds))
        writer.key("endTimeUnixNano")
        writer.writeString(String(span.endNanoseconds))
        writer.key("attributes")
        writer.beginArray()
        for (key, value) in span.attributes { attribute(&writer, key, value) }
        writer.endArray()
        writer.key("status")
        writer.beginObject()
        switch span.status {
        case .unset:
            break
        case .ok:
            writer.key("code")
            writer.write(1)
        case .error(let message):
            writer.key("code")
            writer.write(2)
            writer.key("message")
            writer.writeString(message)
        }
        writer.endObject()
        writer.endObject()
    }

    private static func attribute(_ writer: inout JSONWriter, _ key: String, _ value: SpanAttribute) {
        writer.beginObject()
        writer.key("key")
        writer.writeString(key)
        writer.key("value")
        writer.beginObject()
        switch value {
        case .string(let text):
            writer.key("stringValue")
            writer.writeString(text)
        case .int(let number):
            writer.key("intValue")
            writer.writeString(String(number))
        case .bool(let flag):
            writer.key("boolValue")
            writer.write(flag)
        }
        writer.endObject()
        writer.endObject()
    }
}
