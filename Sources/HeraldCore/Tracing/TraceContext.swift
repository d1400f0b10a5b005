/// Where an event or a job sits in a distributed trace (W3C Trace Context): the trace, the span
/// that is the parent of the next one, the trace flags and the vendors' `tracestate`.
///
/// The ingress reads it from Kratos' `traceparent` and `tracestate` headers (a malformed one is
/// ignored and a new trace starts), names its own span in it and stores it with each job; each
/// attempt sends a child of it to the peer (`traceparent` naming the attempt's span).
///
/// ```swift
/// let incoming = TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
/// let ingress = incoming?.child() ?? TraceContext.start()   // the ingress' own span
/// ingress.traceparent   // "00-4bf92f3577b34da6a3ce929d0e0e4736-<new span id>-01"
/// ```
package struct TraceContext: Sendable, Hashable {
    package var traceID: TraceID
    /// The span this context names: the parent of the spans started from it.
    package var spanID: SpanID
    /// The trace flags; bit 0 is `sampled` (the caller may record the trace).
    package var flags: UInt8
    /// The `tracestate` list as received (validated, at most `maxStateLength` characters),
    /// passed on unchanged; nil when none came or it was malformed.
    package var state: String?

    /// The longest `tracestate` kept (W3C: vendors must propagate at least 512 characters).
    package static let maxStateLength = 512
    /// The most `tracestate` list members (W3C: more than 32 means the whole value is dropped).
    package static let maxStateMembers = 32

    package init(traceID: TraceID, spanID: SpanID, flags: UInt8 = 0x01, state: String? = nil) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
        self.state = state
    }

    /// A new trace, sampled, naming a new span: what the ingress starts when no valid
    /// `traceparent` came.
    package static func start() -> TraceContext {
        // One draw for both ids (it runs for every request that comes without a trace).
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &words) { SecureRandom.fill($0) }
        guard let traceID = TraceID(high: words.0, low: words.1), let spanID = SpanID(words.2) else {
            return TraceContext(traceID: .random(), spanID: .random(), flags: 0x01)
        }
        return TraceContext(traceID: traceID, spanID: spanID, flags: 0x01)
    }

    /// The same trace, flags and state naming a new span (`spanID` when given): the context of
    /// a span whose parent this context names.
    package func child(_ spanID: SpanID = .random()) -> TraceContext {
        TraceContext(traceID: traceID, spanID: spanID, flags: flags, state: state)
    }

    /// Whether the caller sampled the trace; Herald exports spans only of sampled traces (the
    /// parent's decision, as Kratos' own `ParentBased` sampler does).
    package var isSampled: Bool { flags & 0x01 != 0 }

    /// The `traceparent` header value, version 00: `00-<trace id>-<span id>-<flags>`.
    package var traceparent: String {
        "00-\(traceID.hex)-\(spanID.hex)-\(TraceHex.format(UInt64(flags)).suffix(2))"
    }

    /// Parses `traceparent` (and `tracestate` when given: the values of every `tracestate`
    /// field, in order). nil when `traceparent` is malformed; a malformed `tracestate` alone is
    /// dropped (state nil) and the trace kept.
    ///
    /// Version 00 is exactly 55 characters; a higher version (but not `ff`) may carry more after
    /// a `-`, which is ignored, as the specification asks of a version-00 reader.
    package init?(traceparent: String, tracestate: [String] = []) {
        let text = Substring(traceparent).trimmingTraceWhitespace()
        let bytes = Array(text.utf8)
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"),
            bytes[52] == UInt8(ascii: "-"), let version = TraceHex.parse(bytes[0..<2]), version != 0xFF,
            let flags = TraceHex.parse(bytes[53..<55])
        else { return nil }
        if version == 0 {
            guard bytes.count == 55 else { return nil }
        } else if bytes.count > 55 {
            guard bytes[55] == UInt8(ascii: "-") else { return nil }
        }
        let utf8 = text.utf8
        let traceStart = utf8.index(utf8.startIndex, offsetBy: 3)
        let spanStart = utf8.index(utf8.startIndex, offsetBy: 36)
        guard let traceID = TraceID(hex: text[traceStart..<utf8.index(traceStart, offsetBy: 32)]),
            let spanID = SpanID(hex: text[spanStart..<utf8.index(spanStart, offsetBy: 16)])
        else { return nil }
        self.init(traceID: traceID, spanID: spanID, flags: UInt8(flags), state: Self.validState(tracestate))
    }

    /// The `tracestate` fields joined into one list, or nil when it is empty, too long, has
    /// more than 32 members, or any member is malformed (W3C Trace Context §3.3).
    static func validState(_ fields: [String]) -> String? {
        var members: [Substring] = []
        for field in fields {
            for member in field.split(separator: ",", omittingEmptySubsequences: false) {
                let trimmed = member.trimmingTraceWhitespace()
                if trimmed.isEmpty { continue }
                guard isValidMember(trimmed) else { return nil }
                members.append(trimmed)
            }
        }
        guard !members.isEmpty, members.count <= maxStateMembers else { return nil }
        let joined = members.joined(separator: ",")
        return joined.utf8.count <= maxStateLength ? joined : nil
    }

    /// `key=value`: a key of lower-case letters, digits and `_-*/` (with one `@` for a
    /// multi-tenant key), starting with a letter or digit, at most 256 characters; a value of
    /// printable ASCII without `,` and `=`, not ending in a space, at most 256 characters.
    private static func isValidMember(_ member: Substring) -> Bool {
        guard let equals = member.utf8.firstIndex(of: UInt8(ascii: "=")) else { return false }
        let key = member.utf8[member.utf8.startIndex..<equals]
        let value = member.utf8[member.utf8.index(after: equals)...]
        guard !key.isEmpty, key.count <= 256, !value.isEmpty, value.count <= 256 else { return false }
        var ats = 0
        for (offset, byte) in key.enumerated() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): continue
            case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"):
                if offset == 0 { return false }
            case UInt8(ascii: "@"):
                ats += 1
                if offset == 0 || ats > 1 { return false }
            default: return false
            }
        }
        for byte in value {
            guard byte >= 0x20, byte <= 0x7E, byte != UInt8(ascii: ","), byte != UInt8(ascii: "=") else {
                return false
            }
        }
        return value.last != UInt8(ascii: " ")
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    fileprivate func trimmingTraceWhitespace() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
