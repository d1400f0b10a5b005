import HeraldCore
import Testing

/// W3C Trace Context parsing and writing: what a receiver must accept, ignore and pass on.
@Suite struct TraceContextTests {
    static let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aValidTraceparentIsReadAndWrittenBackTheSame() throws {
        let context = try #require(TraceContext(traceparent: Self.valid))
        #expect(context.traceID.hex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.spanID.hex == "00f067aa0ba902b7")
        #expect(context.flags == 1 && context.isSampled)
        #expect(context.state == nil)
        #expect(context.traceparent == Self.valid)
        // Optional whitespace around a header value is not part of it.
        #expect(TraceContext(traceparent: " \(Self.valid)\t")?.traceparent == Self.valid)
        let unsampled = try #require(
            TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        #expect(!unsampled.isSampled && unsampled.traceparent.hasSuffix("-00"))
    }

    @Test(arguments: [
        "",
        "00",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  // no flags
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",  // version 00 has nothing more
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero span id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
        "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // a later version's extra needs a dash
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\u{00e9}",
    ])
    func aMalformedTraceparentIsRefused(_ text: String) {
        #expect(TraceContext(traceparent: text) == nil)
    }

    /// A later version is read as version 00 (what follows its first four fields is ignored).
    @Test func aLaterVersionIsReadForItsFirstFields() throws {
        let context = try #require(
            TraceContext(traceparent: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes-later"))
        #expect(context.traceparent == Self.valid)
        #expect(
            TraceContext(traceparent: "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?.traceparent
                == Self.valid)
    }

    @Test func tracestateIsKeptWhenValidAndDroppedWholeWhenNot() throws {
        func state(_ fields: [String]) -> String? { TraceContext(traceparent: Self.valid, tracestate: fields)?.state }
        #expect(state(["rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"]) == "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        // Two fields are one list; empty members and whitespace around members go.
        #expect(state(["rojo=1 , ,", "  congo=2"]) == "rojo=1,congo=2")
        #expect(state(["tenant@vendor=x", "a-b_c*d/e=v v"]) == "tenant@vendor=x,a-b_c*d/e=v v")
        #expect(state([""]) == nil)
        #expect(state(["Rojo=1"]) == nil)  // upper-case key
        #expect(state(["rojo"]) == nil)
        #expect(state(["rojo=a,b"]) == nil)  // "b" is no member
        #expect(state(["rojo=a=b"]) == nil)
        #expect(state(["rojo=\u{7}"]) == nil)
        #expect(state(["@vendor=x"]) == nil)
        #expect(state([(1...33).map { "k\($0)=v" }.joined(separator: ",")]) == nil)
        #expect(state([(1...32).map { "k\($0)=v" }.joined(separator: ",")])?.split(separator: ",").count == 32)
        #expect(state(["k=" + String(repeating: "v", count: 256)]) != nil)
        #expect(state(["k=" + String(repeating: "v", count: 257)]) == nil)
        #expect(state([(1...3).map { "k\($0)=" + String(repeating: "v", count: 200) }.joined(separator: ",")]) == nil)
        // A bad tracestate never costs the trace.
        #expect(TraceContext(traceparent: Self.valid, tracestate: ["bad"])?.traceparent == Self.valid)
    }

    @Test func aChildKeepsTheTraceAndNamesANewSpan() throws {
        let parent = try #require(TraceContext(traceparent: Self.valid, tracestate: ["rojo=1"]))
        let child = parent.child()
        #expect(child.traceID == parent.traceID && child.flags == parent.flags && child.state == "rojo=1")
        #expect(child.spanID != parent.spanID)
        let started = TraceContext.start()
        #expect(started.isSampled && started.state == nil)
        #expect(TraceContext(traceparent: started.traceparent) == started)
        #expect(TraceContext.start().traceID != started.traceID)
    }
}
