import Foundation
import HeraldCore
import HeraldTestSupport

/// Posts events to Herald's `/v1/mandrill/events` the way Mandrill does: the `mandrill_events`
/// form field, signed with `X-Mandrill-Signature` as computed by Python's hmac
/// (reference/mandrill-webhooks.md §6), independently of Herald's own code.
struct MandrillWebhookPoster {
    let url: String
    let key: String

    /// `mandrill_events=<percent-encoded JSON>`.
    static func form(_ events: String) -> [UInt8] {
        Array(("mandrill_events=" + events.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!).utf8)
    }

    /// The signature of `body` under `key` (another key than the poster's, for the URL check).
    func signature(of body: [UInt8], key: String? = nil) throws -> String {
        let script = """
            import base64, hashlib, hmac, sys, urllib.parse
            params = urllib.parse.parse_qs(sys.stdin.read(), keep_blank_values=True, strict_parsing=True)
            signed = sys.argv[2] + "".join(k + params[k][0] for k in sorted(params))
            print(base64.b64encode(hmac.new(sys.argv[1].encode(), signed.encode(), hashlib.sha1).digest()).decode())
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, key ?? self.key, url]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(body))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ProcessFailure("python3 could not sign") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Posts `body` to Herald at `address` with `signature` (none when nil).
    static func post(_ body: [UInt8], signature: String?, to address: String) throws -> RawHTTPClient.Response {
        var headers = [("Content-Type", "application/x-www-form-urlencoded")]
        if let signature { headers.append(("X-Mandrill-Signature", signature)) }
        return try RawHTTPClient(address: address).request("POST", "/v1/mandrill/events", headers: headers, body: body)
    }

    /// Posts `events` (a JSON array), signed.
    func post(_ events: String, to address: String) throws -> RawHTTPClient.Response {
        let body = Self.form(events)
        return try Self.post(body, signature: try signature(of: body), to: address)
    }
}
