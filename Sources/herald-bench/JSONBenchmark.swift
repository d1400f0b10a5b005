import Foundation
import HeraldCore

/// `herald-bench json [payload.json]`: µs per parse of a Kratos payload with HeraldCore's parser (alone
/// and followed by five typical path lookups) against `JSONSerialization.jsonObject`.
func jsonBenchmark() throws {
    let path =
        CommandLine.arguments.dropFirst(2).first ?? "etc/examples/registration-after.json"
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let data = Data(bytes)
    print("payload: \(path) (\(bytes.count) bytes)")

    var checksum = 0
    let ours = try measure(iterations: 2_000) {
        let document = try JSONDocument(parsing: bytes)
        checksum &+= document.root.count
    }
    let oursWithLookups = try measure(iterations: 2_000) {
        let root = try JSONDocument(parsing: bytes).root
        let identity = root["identity"]
        checksum &+= identity?["traits"]?["email"]?.string?.utf8.count ?? 0
        checksum &+= identity?["verifiable_addresses"]?[0]?["value"]?.string?.utf8.count ?? 0
        checksum &+= root["request_headers"]?["User-Agent"]?[0]?.string?.utf8.count ?? 0
        checksum &+= root["flow"]?["transient_payload"]?["locale"]?.string?.utf8.count ?? 0
        checksum &+= root["flow"]?["active"]?.stringEquals("password") == true ? 1 : 0
    }
    // What a webhook or exec step without `body:` stores: the payload as it came, or without the
    // user's cookies (issue 21).
    let root = try JSONDocument(parsing: bytes).root
    let event = Event(
        id: TimeOrderedIDGenerator().next(), name: EventName(flow: "registration", phase: "after"),
        receivedAt: WallClock(millisecondsSinceEpoch: 0), triggerID: nil, payload: root, hookMethod: nil)
    let whole = try measure(iterations: 2_000) { checksum &+= root.description.utf8.count }
    let forwarded = try measure(iterations: 2_000) { checksum &+= event.forwardedPayload.utf8.count }
    let foundation = try measure(iterations: 100) {
        let object = try JSONSerialization.jsonObject(with: data)
        checksum &+= (object as? [String: Any])?.count ?? 0
    }

    func line(_ name: String, _ microseconds: Double) {
        print(name.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: "%9.2f µs", microseconds))
    }
    line("JSONDocument(parsing:)", ours)
    line("JSONDocument(parsing:) + 5 path reads", oursWithLookups)
    line("JSONSerialization.jsonObject", foundation)
    line("payload.description (whole)", whole)
    line("Event.forwardedPayload (no cookies)", forwarded)
    print(
        String(
            format: "JSONSerialization / JSONDocument: %.1f×  (with path reads: %.1f×)",
            foundation / ours, foundation / oursWithLookups))
    print("checksum \(checksum)")
}

/// The best of 40 short rounds of `iterations` calls, in µs per call: on a shared machine the minimum
/// over many short rounds finds the moments when nothing else ran.
func measure(iterations: Int, _ body: () throws -> Void) throws -> Double {
    for _ in 0..<iterations { try body() }  // warm up caches and the allocator
    var best = Double.infinity
    let clock = ContinuousClock()
    for _ in 0..<40 {
        let elapsed = try clock.measure {
            for _ in 0..<iterations { try body() }
        }
        let (seconds, attoseconds) = elapsed.components
        best = min(best, (Double(seconds) * 1e6 + Double(attoseconds) / 1e12) / Double(iterations))
    }
    return best
}
