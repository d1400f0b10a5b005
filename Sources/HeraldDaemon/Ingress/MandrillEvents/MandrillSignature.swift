import FoundationEssentials
import HeraldCore

/// `X-Mandrill-Signature` (reference/mandrill-webhooks.md §5): base64 of HMAC-SHA1, under the
/// webhook's key, of the registered URL followed by each POST parameter's name and value, sorted
/// by name, without delimiters.
package enum MandrillSignature {
    /// The key Mandrill signs its URL check with when a webhook is added (§2): public, so it is
    /// accepted only for an empty batch.
    package static let verificationKey = "test-webhook"

    package static func compute(key: String, url: String, parameters: [(name: String, value: String)]) -> String {
        var signed = Array(url.utf8)
        for (name, value) in parameters.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
            signed += Array(name.utf8)
            signed += Array(value.utf8)
        }
        return Data(HMAC.code(SHA1.self, key: key.utf8, message: signed)).base64EncodedString()
    }

    /// Whether `signature` is what one of `keys` gives (compared in constant time per key).
    package static func isValid(
        _ signature: String, keys: [String], url: String, parameters: [(name: String, value: String)]
    ) -> Bool {
        let given = Array(signature.utf8)
        var valid = false
        for key in keys {
            let expected = Array(compute(key: key, url: url, parameters: parameters).utf8)
            if HMAC.isEqual(expected, given) { valid = true }
        }
        return valid
    }
}
