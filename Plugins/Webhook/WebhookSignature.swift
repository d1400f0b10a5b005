import FoundationEssentials
import HeraldCore

/// Standard Webhooks' symmetric signature (`v1`): HMAC-SHA256 over `{id}.{timestamp}.{body}`,
/// base64-encoded, one entry per secret, separated by spaces.
enum WebhookSignature {
    /// The `webhook-signature` value for `body` sent as message `id` at `timestamp` (Unix seconds),
    /// signed with each of `secrets` in order.
    static func header(id: String, timestamp: Int64, body: [UInt8], secrets: [WebhookSecret]) -> String {
        let content = Array("\(id).\(timestamp).".utf8) + body
        return secrets.map { secret in
            "v1," + Data(HMAC.code(SHA256.self, key: secret.key, message: content)).base64EncodedString()
        }.joined(separator: " ")
    }
}
