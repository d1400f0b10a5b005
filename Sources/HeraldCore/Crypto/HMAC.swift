internal import CCrypto

/// HMAC (RFC 2104) from libcrypto: webhook signatures (Mandrill's HMAC-SHA1, Standard Webhooks'
/// HMAC-SHA256).
///
/// ```swift
/// let code = HMAC.code(SHA256.self, key: secret, message: content)
/// HMAC.isEqual(code, presented)  // in constant time
/// ```
package enum HMAC {
    /// The authentication code of `message` under `key`.
    package static func code<Function: HashFunction>(
        _ function: Function.Type, key: some Sequence<UInt8>, message: some Sequence<UInt8>
    ) -> [UInt8] {
        let key = Array(key)
        return key.withUnsafeBytes { key in
            let code = message.withContiguousStorageIfAvailable {
                compute(Function.algorithm, key: key, message: UnsafeRawBufferPointer($0))
            }
            return code ?? Array(message).withUnsafeBytes { compute(Function.algorithm, key: key, message: $0) }
        }
    }

    private static func compute(
        _ algorithm: DigestAlgorithm, key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer
    ) -> [UInt8] {
        // libcrypto takes the key's length as an Int32; no configured secret comes near that.
        guard key.count <= Int(Int32.max) else { return [] }
        // An empty key or message still needs a valid pointer.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1) { placeholder in
            let empty = UnsafeRawPointer(placeholder.baseAddress!)
            return [UInt8](unsafeUninitializedCapacity: algorithm.size) { output, count in
                var written: UInt32 = 0
                let result = CCrypto.HMAC(
                    algorithm.implementation, key.baseAddress ?? empty, Int32(key.count),
                    (message.baseAddress ?? empty).assumingMemoryBound(to: UInt8.self), message.count,
                    output.baseAddress, &written)
                // Fails only when the heap is exhausted: an empty code then matches no signature
                // and signs nothing a peer accepts.
                count = result == nil ? 0 : Int(written)
            }
        }
    }

    /// Compares two codes in time that depends only on their lengths, never on where they differ.
    package static func isEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && ConstantTime.isEqual(a, to: b)
    }
}
