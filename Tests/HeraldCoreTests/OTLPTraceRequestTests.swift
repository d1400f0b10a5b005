import HeraldCore
import Testing

/// The OTLP/JSON body: ids in hex, enums as integers, 64-bit integers as strings, one resource
/// and one scope (the Python receiver of the integration tests decodes it with the protobuf
/// definitions; this pins the shape).
@Suite struct OTLPTraceRequestTests {
    @Test func spansAreWrittenInTheOTLPJSONMapping() throws {
        let parent = try #require(
            TraceContext(
                traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: ["rojo=1"]))
        let ingress = parent.child(try #require(SpanID(0x1122_3344_5566_7788)))
        let attempt = ingress.child(try #require(SpanID(0x99)))
        let spans = [
            FinishedSpan(
                trace: ingress, parentSpanID: parent.spanID, name: "ingress registration.after", kind: .server,
                startNanoseconds: 1_800_000_000_000_000_001, endNanoseconds: 1_800_000_000_000_000_002,
                attributes: [("herald.jobs", .int(2)), ("herald.duplicate", .bool(false))]),
            FinishedSpan(
                trace: attempt, parentSpanID: ingress.spanID, name: "attempt mail", kind: .client,
                startNanoseconds: 3, endNanoseconds: 4, attributes: [("herald.plugin", .string("mandrill \"x\""))],
                status: .error("retry")),
        ]
        let json = try JSON(parsing: OTLPTraceRequest.encode(spans, serviceName: "herald-eu", version: "1.2.3"))
        let resource = try #require(json["resourceSpans"]?[0])
        #expect(resource["resource"]?["attributes"]?[0]?["key"]?.string == "service.name")
        #expect(resource["resource"]?["attributes"]?[0]?["value"]?["stringValue"]?.string == "herald-eu")
        let scope = try #require(resource["scopeSpans"]?[0])
        #expect(scope["scope"]?["name"]?.string == "herald" && scope["scope"]?["version"]?.string == "1.2.3")
        let first = try #require(scope["spans"]?[0])
        #expect(first["traceId"]?.string == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(first["spanId"]?.string == "1122334455667788")
        #expect(first["parentSpanId"]?.string == "00f067aa0ba902b7")
        #expect(first["traceState"]?.string == "rojo=1")
        #expect(first["kind"]?.int == 2 && first["flags"]?.int == 0x301)
        #expect(first["startTimeUnixNano"]?.string == "1800000000000000001")
        #expect(first["attributes"]?[0]?["value"]?["intValue"]?.string == "2")
        #expect(first["attributes"]?[1]?["value"]?["boolValue"]?.bool == false)
        #expect(first["status"] == .object(JSONObject()))
        let second = try #require(scope["spans"]?[1])
        #expect(second["parentSpanId"]?.string == "1122334455667788" && second["spanId"]?.string == "0000000000000099")
        #expect(second["kind"]?.int == 3 && second["flags"]?.int == 0x101)
        #expect(second["attributes"]?[0]?["value"]?["stringValue"]?.string == "mandrill \"x\"")
        #expect(second["status"]?["code"]?.int == 2 && second["status"]?["message"]?.string == "retry")
    }
}
