import HeraldCore
import HeraldFuzzSupport
import MandrillPlugin

/// fuzz-mandrill: `MandrillResponseClassifier.classify` on fuzzed answers. Whatever Mandrill, a
/// proxy or an attacker in between sends, the outcome's text must never hold the action's API key
/// and never a control character (it goes into logs, `herald dead show` and metrics labels), and a
/// Retry-After wait is never negative nor over a day.
///
/// Input: bytes 0–1 choose the status (a value below 600 is used as it is, else one of the
/// statuses Mandrill's answers are classified by), then the `Retry-After` value up to a NUL byte
/// (absent when byte 2 is 0xFF), then the body.
@_cdecl("fuzz_mandrill_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, fuzzOne)
}

let secret = "md-fuzz-secret-key"
let redactor = RemoteTextRedactor(secrets: [secret])
let now = WallClock(millisecondsSinceEpoch: 784_111_717_000)  // Sun, 06 Nov 1994 08:48:37 GMT
let statuses = [200, 400, 401, 402, 403, 404, 422, 429, 500, 502, 503, 504, 0, -1, 201, 301]

func fuzzOne(_ bytes: [UInt8]) {
    var input = FuzzInput(bytes)
    let code = Int(input.uint16())
    let status = code < 600 ? code : statuses[code % statuses.count]
    let retryAfter: String?
    if bytes.count > 2, bytes[2] == 0xFF {
        _ = input.byte()
        retryAfter = nil
    } else {
        retryAfter = String(decoding: input.bytes(upTo: 0), as: UTF8.self)
    }
    let body = input.rest()
    let outcome = MandrillResponseClassifier.classify(
        MandrillResponse(status: status, retryAfter: retryAfter, body: body), now: now, redactor: redactor)

    let text: String
    switch outcome {
    case .delivered(let detail):
        fuzzCheck(status == 200, "delivered on HTTP \(status)")
        text = detail
    case .failed(let reason):
        text = reason
    case .retry(let after, let reason, _):
        if let after { fuzzCheck(after >= .zero && after <= .seconds(86_400), "Retry-After wait \(after)") }
        text = reason
    }
    fuzzCheck(!text.contains(secret), "the API key in the outcome: \(text.escapingControlCharacters)")
    fuzzCheck(
        !text.unicodeScalars.contains(where: \.isControlCharacter),
        "a control character in the outcome: \(text.escapingControlCharacters)")
}
