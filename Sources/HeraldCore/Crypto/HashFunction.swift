/// A hash function computed by libcrypto: `SHA256`, `SHA1` (HMAC-SHA1 for Mandrill's webhooks)
/// and `MD5` (Mailchimp's subscriber hash).
///
/// ```swift
/// SHA256.hexDigest("abc")  // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// var hashing = Hashing<SHA256>()
/// hashing.update(prefix)
/// hashing.update(body)
/// let digest = hashing.finalize()
/// ```
package protocol HashFunction: Sendable {
    /// The libcrypto digest behind it.
    static var algorithm: DigestAlgorithm { get }
}

extension HashFunction {
    /// The digest's length in bytes.
    package static var size: Int { algorithm.size }

    /// The digest of `bytes`.
    package static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hashing = Hashing<Self>()
        hashing.update(bytes)
        return hashing.finalize()
    }

    /// The digest of `bytes` as lower-case hex.
    package static func hexDigest(_ bytes: some Sequence<UInt8>) -> String {
        Hex.lowercase(hash(bytes))
    }

    /// The digest of `text`'s UTF-8 as lower-case hex.
    package static func hexDigest(_ text: String) -> String {
        hexDigest(text.utf8)
    }
}

/// SHA-256 (FIPS 180-4): dedupe keys of bodies without a trigger id, Standard Webhooks' HMAC.
package enum SHA256: HashFunction {
    package static var algorithm: DigestAlgorithm { .sha256 }
}

/// SHA-1 (FIPS 180-4), only for HMAC-SHA1 as Mandrill signs its webhooks with it.
package enum SHA1: HashFunction {
    package static var algorithm: DigestAlgorithm { .sha1 }
}

/// MD5 (RFC 1321), for identifiers a peer defines as an MD5, such as Mailchimp's
/// `subscriber_hash` (the MD5 of the lower-cased address). Not for security: nothing in Herald
/// relies on it being a cryptographic hash.
///
/// ```swift
/// MD5.hexDigest(Array("urist.mcvankab@freddiesjokes.com".utf8))  // "62eeb292278cc15f5817cb78f7790b08"
/// ```
package enum MD5: HashFunction {
    package static var algorithm: DigestAlgorithm { .md5 }
}
