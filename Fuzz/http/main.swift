import HeraldFuzzSupport
import HeraldHTTP

/// fuzz-http: the incremental HTTP/1.x request parser must give the same events whatever the
/// chunking: the input whole, split at one offset chosen from the input, and byte by byte.
///
/// Input: byte 0 picks the limits (bit 0: small limits, so the limit paths are reached with short
/// inputs) and, with byte 1, the split offset; the rest is the bytes on the wire (pipelined
/// requests included). Also checked: events after an error never come, a body never exceeds
/// `maxBodySize`, and a body is never announced without a head before it.
@_cdecl("fuzz_http_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, fuzzOne)
}

/// Limits small enough that short inputs reach every limit check.
let smallLimits = HTTPLimits(
    maxRequestLineLength: 64, maxHeaderBlockSize: 256, maxHeaderCount: 6, maxBodySize: 300, maxChunkLineLength: 24)

func fuzzOne(_ data: [UInt8]) {
    var input = FuzzInput(data)
    let control = input.byte()
    let splitSeed = Int(input.byte())
    let wire = input.rest()
    let limits = control & 1 == 1 ? smallLimits : HTTPLimits()

    let whole = events(limits, wire, chunks: [wire.count])
    let split = splitSeed * wire.count / 255
    let halves = events(limits, wire, chunks: [split, wire.count - split])
    let bytewise = events(limits, wire, chunks: Array(repeating: 1, count: wire.count))
    fuzzCheck(whole == halves, "split at \(split) differs: \(whole) vs \(halves)")
    fuzzCheck(whole == bytewise, "byte by byte differs: \(whole) vs \(bytewise)")

    var expectingBody = false
    for (index, event) in whole.events.enumerated() {
        switch event {
        case .head(let head):
            fuzzCheck(!expectingBody, "a head while a body was due")
            fuzzCheck(!head.method.isEmpty && !head.target.isEmpty, "empty method or target: \(head)")
            expectingBody = true
        case .body(let body):
            fuzzCheck(expectingBody, "a body without a head")
            fuzzCheck(body.count <= limits.maxBodySize, "body of \(body.count) bytes over the limit")
            expectingBody = false
        case .error(let error):
            fuzzCheck(index == whole.events.count - 1, "events after an error")
            fuzzCheck((400..<600).contains(error.status), "error status \(error.status)")
        }
    }
}

/// The events and how the parser ended, for comparing the ways of feeding it.
struct Transcript: Equatable, CustomStringConvertible {
    var events: [HTTPRequestParser.Event] = []
    var atRequestStart = false

    var description: String { "\(events.map(summary)) atRequestStart=\(atRequestStart)" }

    private func summary(_ event: HTTPRequestParser.Event) -> String {
        switch event {
        case .head(let head): "head(\(head.method) \(head.target) \(head.version) \(head.bodyFraming))"
        case .body(let body): "body(\(body.count) bytes)"
        case .error(let error): "error(\(error))"
        }
    }
}

/// Feeds `wire` in chunks of the given sizes, as the connection loop does: after an event, the
/// unconsumed rest of the chunk is offered again; after an error, nothing more.
func events(_ limits: HTTPLimits, _ wire: [UInt8], chunks: [Int]) -> Transcript {
    var parser = HTTPRequestParser(limits: limits)
    var transcript = Transcript()
    var start = 0
    for size in chunks {
        var rest = wire[start..<(start + size)]
        start += size
        while true {
            let step = parser.parse(rest)
            fuzzCheck(step.consumed >= 0 && step.consumed <= rest.count, "consumed \(step.consumed) of \(rest.count)")
            rest = rest.dropFirst(step.consumed)
            guard let event = step.event else {
                fuzzCheck(rest.isEmpty, "no event but \(rest.count) bytes left unconsumed")
                break
            }
            transcript.events.append(event)
            if case .error = event {
                transcript.atRequestStart = parser.isAtRequestStart
                return transcript
            }
        }
    }
    transcript.atRequestStart = parser.isAtRequestStart
    return transcript
}
