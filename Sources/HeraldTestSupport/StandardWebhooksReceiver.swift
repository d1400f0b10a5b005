import Foundation
import HeraldCore

/// Verifies requests as Standard Webhooks 1.0 asks a receiver to, written from the spec
/// (independently of the webhook plugin's signer): the three headers, a timestamp within
/// `tolerance` of now, and a `v1` entry of `webhook-signature` matching HMAC-SHA256 of
/// `id.timestamp.body` under one of the secrets, compared in constant time.
package struct StandardWebhooksReceiver: Sendable {
    /// What a receiver makes of one request.
    package enum Verdict: Sendable, Equatable, CustomStringConvertible {
        case verified
        case missingHeaders
        case malformedTimestamp
        case timestampOutOfTolerance
        case noMatchingSignature

        package var description: String {
            switch self {
            case .verified: return "verified"
            case .missingHeaders: return "missing required headers"
            case .malformedTimestamp: return "invalid signature headers"
            case .timestampOutOfTolerance: return "message timestamp out of tolerance"
            case .noMatchingSignature: return "no matching signature found"
            }
        }
    }

    /// A secret that is not `whsec_` and base64.
    package struct SecretError: Error {}

    /// The python library's: 5 minutes either way.
    package static let tolerance: Int64 = 300

    let keys: [[UInt8]]

    package init(secrets: [String]) throws(SecretError) {
        var keys: [[UInt8]] = []
        for secret in secrets {
            var encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
            while encoded.utf8.count % 4 != 0 { encoded += "=" }
            guard let key = Data(base64Encoded: encoded), !key.isEmpty else { throw SecretError() }
            keys.append(Array(key))
        }
        self.keys = keys
    }

    /// The verdict on `request` at `now`.
    package func verify(_ request: MandrillTestRequest, now: WallClock) -> Verdict {
        guard let id = request.header("webhook-id"), let timestampText = request.header("webhook-timestamp"),
            let signatures = request.header("webhook-signature")
        else { return .missingHeaders }
        guard let timestamp = Int64(timestampText) else { return .malformedTimestamp }
        guard abs(now.millisecondsSinceEpoch / 1000 - timestamp) <= Self.tolerance else {
            return .timestampOutOfTolerance
        }
        let content = Array("\(id).\(timestampText).".utf8) + request.body
        let expected = keys.map { HMAC.code(SHA256.self, key: $0, message: content) }
        for entry in signatures.split(separator: " ") {
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let digest = Data(base64Encoded: String(parts[1])) else {
                continue
            }
            if expected.contains(where: { HMAC.isEqual($0, Array(digest)) }) { return .verified }
        }
        return .noMatchingSignature
    }
}
