internal import CCrypto

/// Random bytes from libcrypto's CSPRNG (seeded by the kernel), for identifiers that must not be
/// guessable.
package enum SecureRandom {
    /// Fills `buffer` with random bytes.
    package static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
        var offset = 0
        while offset < buffer.count {
            let chunk = min(buffer.count - offset, Int(Int32.max))
            if RAND_bytes(base.advanced(by: offset).assumingMemoryBound(to: UInt8.self), Int32(chunk)) != 1 {
                // libcrypto's generator failed (it could not reseed): the kernel's generator,
                // which Swift's system generator reads, serves instead of anything weaker.
                var system = SystemRandomNumberGenerator()
                for index in offset..<offset + chunk {
                    base.storeBytes(of: system.next(), toByteOffset: index, as: UInt8.self)
                }
            }
            offset += chunk
        }
    }

    /// A random 64-bit value.
    package static func next() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { fill($0) }
        return value
    }
}
