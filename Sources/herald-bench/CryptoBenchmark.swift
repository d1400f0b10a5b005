import Foundation
import HeraldCore

/// `herald-bench crypto [payload.json]`: what the request and delivery paths pay for libcrypto:
/// SHA-256 of a Kratos payload (the dedupe key of a body without a trigger id), HMAC-SHA256 of it
/// (a Standard Webhooks signature), HMAC-SHA1 (a Mandrill webhook post), MD5 of an address
/// (Mailchimp's subscriber hash), a constant-time comparison and an id; with MB/s for the digests.
func runCryptoBenchmark() throws {
    let path = CommandLine.arguments.dropFirst(2).first ?? "etc/examples/registration-after.json"
    let payload = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let large = [UInt8](repeating: 0x61, count: 1 << 20)
    let key = Array("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".utf8)
    let address = Array("jane.doe@example.com".utf8)
    let ids = TimeOrderedIDGenerator()
    print("payload: \(path) (\(payload.count) bytes)")

    var checksum = 0
    func line(_ name: String, _ microseconds: Double, bytes: Int? = nil) {
        var text = name.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: "%9.2f µs", microseconds)
        if let bytes { text += String(format: "  %7.0f MB/s", Double(bytes) / microseconds) }
        print(text)
    }
    line(
        "SHA-256 of the payload", try measure(iterations: 2_000) { checksum &+= Int(SHA256.hash(payload)[0]) },
        bytes: payload.count)
    line("SHA-256 of 1 MiB", try measure(iterations: 5) { checksum &+= Int(SHA256.hash(large)[0]) }, bytes: large.count)
    line(
        "HMAC-SHA256 of the payload",
        try measure(iterations: 2_000) {
            checksum &+= Int(HMAC.code(SHA256.self, key: key, message: payload)[0])
        }, bytes: payload.count)
    line(
        "HMAC-SHA1 of the payload",
        try measure(iterations: 2_000) {
            checksum &+= Int(HMAC.code(SHA1.self, key: key, message: payload)[0])
        }, bytes: payload.count)
    line("MD5 of an address (hex)", try measure(iterations: 20_000) { checksum &+= MD5.hexDigest(address).utf8.count })
    line(
        "constant-time comparison, 32 bytes",
        try measure(iterations: 20_000) {
            checksum &+= ConstantTime.isEqual(key, to: key) ? 1 : 0
        })
    line(
        "TimeOrderedID (random part from libcrypto)",
        try measure(iterations: 20_000) {
            checksum &+= Int(truncatingIfNeeded: ids.next().low)
        })
    print("checksum \(checksum)")
}
