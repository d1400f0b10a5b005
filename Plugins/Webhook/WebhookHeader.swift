import HeraldCore

/// One configured request header. Its value may come from a secret reference, so it is never
/// printed, and it is added to the request only when performing.
struct WebhookHeader: Sendable, Equatable {
    let name: String
    let value: String

    /// Headers Herald sets itself, or that only the HTTP client may set.
    static let reserved = [
        "webhook-id", "webhook-timestamp", "webhook-signature", "content-type", "content-length", "host",
        "transfer-encoding", "connection", "expect", "upgrade", "te", "trailer", "keep-alive",
    ]

    /// Reads `headers:`, a map of name → value; every problem is reported at its position.
    static func parse(_ node: ConfigNode, diagnostics: ConfigDiagnostics) -> [WebhookHeader] {
        guard let pairs = node.mapping else {
            diagnostics.error(
                "'headers' must be a map of header names to values, found \(node.kindDescription)", at: node)
            return []
        }
        var headers: [WebhookHeader] = []
        var seen: Set<String> = []
        for pair in pairs {
            guard let name = pair.key.scalar?.text, !name.isEmpty, isToken(name[...]) else {
                diagnostics.error(
                    "'headers': \(pair.key.displayValue) is not a header name (letters, digits and !#$%&'*+-.^_`|~)",
                    at: pair.key)
                continue
            }
            let lower = name.lowercased()
            if reserved.contains(lower) {
                let hint = lower == "content-type" ? "; use content_type" : ""
                diagnostics.error("'headers': \(name) is set by Herald or the HTTP client\(hint)", at: pair.key)
                continue
            }
            if !seen.insert(lower).inserted {
                diagnostics.error("'headers': \(name) is listed twice", at: pair.key)
                continue
            }
            // Read leniently (a number is still a value) and never quoted: it may be a secret.
            guard let scalar = pair.value.scalar, !pair.value.isNull else {
                diagnostics.error("'headers': the value of \(name) must be text", at: pair.value)
                continue
            }
            if scalar.text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
                diagnostics.error("'headers': the value of \(name) contains control characters", at: pair.value)
                continue
            }
            headers.append(WebhookHeader(name: name, value: scalar.text))
        }
        return headers
    }

    /// An RFC 9110 token: the characters a header name (or media type part) may have.
    static func isToken(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
