import FoundationEssentials

/// A Standard Webhooks symmetric secret: `whsec_` followed by the base64 of the key bytes.
///
/// Decoded as the official libraries do: the prefix stripped, base64 with or without its `=`
/// padding; the key is the decoded bytes, never the text.
struct WebhookSecret: Sendable, Equatable {
    static let prefix = "whsec_"
    /// The spec's advice for a secret's size.
    static let advisedLength = 24...64

    /// The HMAC key.
    let key: [UInt8]
    /// The text as configured (`whsec_…`), for the redactor; never printed.
    let text: String

    /// Why a text is not a usable secret.
    enum Problem: Error, Equatable {
        case missingPrefix
        case notBase64
        case empty
    }

    /// Parses `whsec_<base64>`.
    ///
    /// - Throws: `Problem` when the prefix is missing, the rest is not base64, or decodes to nothing.
    init(_ text: String) throws(Problem) {
        guard text.hasPrefix(Self.prefix) else { throw .missingPrefix }
        var encoded = String(text.dropFirst(Self.prefix.count))
        let allowed = encoded.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "+")
                || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "=")
        }
        guard allowed else { throw .notBase64 }
        // The Python library appends "==" before decoding, so unpadded secrets are common.
        if !encoded.contains("=") {
            encoded += String(repeating: "=", count: (4 - encoded.utf8.count % 4) % 4)
        }
        guard let data = Data(base64Encoded: encoded) else { throw .notBase64 }
        guard !data.isEmpty else { throw .empty }
        key = Array(data)
        self.text = text
    }

    /// What stands for a secret reference that was not read: never used to sign, since only the
    /// commands that perform nothing read no secrets. `position` keeps two of them apart.
    init(unread text: String, position: Int) {
        key = Array("unread-\(position)-\(text)".utf8)
        self.text = text
    }

    /// The forms of the secret that could turn up in text: the whole value and its base64 part.
    var redactable: [String] { [text, String(text.dropFirst(Self.prefix.count))] }
}
