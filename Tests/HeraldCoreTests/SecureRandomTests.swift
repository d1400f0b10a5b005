import HeraldCore
import Testing

@Suite struct SecureRandomTests {
    /// Not a test of randomness (libcrypto's DRBG has its own); a test that the buffer is filled
    /// at all, to its end, and differently each time.
    @Test func fillsTheWholeBufferDifferentlyEachTime() {
        var first = [UInt8](repeating: 0, count: 4096)
        var second = [UInt8](repeating: 0, count: 4096)
        first.withUnsafeMutableBytes { SecureRandom.fill($0) }
        second.withUnsafeMutableBytes { SecureRandom.fill($0) }
        #expect(first != second)
        // 4 KiB of random bytes without a non-zero byte in the last 64 has probability 2^-512.
        #expect(first.suffix(64).contains { $0 != 0 })
        #expect(Set(first).count > 200)
    }

    @Test func emptyBufferIsFine() {
        var empty: [UInt8] = []
        empty.withUnsafeMutableBytes { SecureRandom.fill($0) }
        #expect(empty.isEmpty)
        #expect(SecureRandom.next() != SecureRandom.next())
    }
}
