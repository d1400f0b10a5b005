internal import CCrypto

/// A digest computed over input given in parts (a prefix and a body, without joining them).
///
/// ```swift
/// var hashing = Hashing<SHA256>()
/// hashing.update("registration.after\n".utf8)
/// hashing.update(body)
/// let digest = hashing.finalize()
/// ```
package struct Hashing<Function: HashFunction>: ~Copyable {
    private let context: OpaquePointer

    package init() {
        // Allocation fails only when memory is exhausted, where Swift itself would trap.
        guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto could not allocate a digest context") }
        self.context = context
        let started = EVP_DigestInit_ex2(context, Function.algorithm.implementation, nil)
        precondition(started == 1, "libcrypto refused to start a digest it had fetched")
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    package mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if handled == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    private func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        // Fails only for a context that was never initialised, which `init` rules out.
        _ = EVP_DigestUpdate(context, base, buffer.count)
    }

    /// The digest of everything given to `update`.
    package consuming func finalize() -> [UInt8] {
        let size = Function.algorithm.size
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var written: UInt32 = 0
            _ = EVP_DigestFinal_ex(context, buffer.baseAddress, &written)
            count = Int(written)
        }
    }
}
