import HeraldCore
import HeraldDaemon
import HeraldFuzzSupport

/// fuzz-mandrill-events: what `/v1/mandrill/events` does with a body before anything is stored.
/// Whatever arrives, the form decoder and the batch decoder never crash; a decoded form encodes
/// back to the same pairs; a batch holds at most 1,000 known `mandrill.*` events with stable
/// redelivery keys; a signature verifies under its key and fails after any one-byte change.
///
/// Input: the raw request body.
@_cdecl("fuzz_mandrill_events_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, fuzzOne)
}

let key = "whk-fuzz-key"
let url = "https://hooks.example.com/v1/mandrill/events"
let limits = JSONLimits(maxDepth: 64, maxBytes: 1 << 20)

/// `text` percent-encoded as a form value (every byte but unreserved ones escaped).
func encode(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let digits = Array("0123456789ABCDEF".unicodeScalars)
            out += "%"
            out.unicodeScalars.append(digits[Int(byte >> 4)])
            out.unicodeScalars.append(digits[Int(byte & 0xF)])
        }
    }
    return out
}

func fuzzOne(_ bytes: [UInt8]) {
    guard let form = try? FormBody(bytes) else { return }
    let again = form.pairs.map { encode($0.name) + "=" + encode($0.value) }.joined(separator: "&")
    let reparsed = try? FormBody(Array(again.utf8))
    fuzzCheck(
        reparsed?.pairs.map { [$0.name, $0.value] } == form.pairs.map { [$0.name, $0.value] },
        "a decoded form does not encode back to the same pairs")

    let signature = MandrillSignature.compute(key: key, url: url, parameters: form.pairs)
    fuzzCheck(MandrillSignature.isValid(signature, keys: [key], url: url, parameters: form.pairs), "own signature")
    var changed = Array(signature.utf8)
    changed[bytes.count % changed.count] ^= 0x01
    fuzzCheck(
        !MandrillSignature.isValid(
            String(decoding: changed, as: UTF8.self), keys: [key], url: url, parameters: form.pairs),
        "a changed signature verifies")

    guard let text = try? form.value("mandrill_events"),
        let batch = try? MandrillEventBatch(text, limits: limits)
    else { return }
    fuzzCheck(batch.items.count <= MandrillEventBatch.maxEvents, "more than 1,000 events")
    for item in batch.items {
        fuzzCheck(item.name.isMandrill, "event \(item.name) is not a known Mandrill event")
    }
    let second = try? MandrillEventBatch(text, limits: limits)
    fuzzCheck(second?.items.map(\.dedupeKey) == batch.items.map(\.dedupeKey), "redelivery keys differ on reparse")
}
