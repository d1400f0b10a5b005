internal import CCrypto

/// One of libcrypto's message digests, fetched once per process (OpenSSL 3 looks an algorithm up
/// by name in its providers; doing that per hash would cost more than hashing a small input).
package struct DigestAlgorithm: @unchecked Sendable {
    // @unchecked: `implementation` is an EVP_MD that is never freed or changed after the fetch;
    // OpenSSL documents fetched algorithm objects as safe to share between threads.
    let implementation: OpaquePointer
    /// The digest's length in bytes.
    package let size: Int

    /// Fetches `name` from libcrypto's providers; `properties` as OpenSSL takes them (for
    /// example "-fips" to allow a non-FIPS implementation when a FIPS configuration is active).
    init(name: String, properties: String? = nil) {
        guard let fetched = EVP_MD_fetch(nil, name, properties) else {
            // libcrypto without SHA-256, SHA-1 or MD5 (a provider configuration that leaves out
            // the default provider) cannot run Herald; say which algorithm is missing.
            fatalError("libcrypto offers no \(name) digest: check OPENSSL_CONF and the providers it loads")
        }
        implementation = fetched
        size = Int(EVP_MD_get_size(fetched))
    }

    static let sha256 = DigestAlgorithm(name: "SHA256")
    static let sha1 = DigestAlgorithm(name: "SHA1")
    // Mailchimp's subscriber hash is an MD5 by definition; nothing relies on its strength.
    static let md5 = DigestAlgorithm(name: "MD5", properties: "-fips")
}
