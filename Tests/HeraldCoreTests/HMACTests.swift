import Testing

@testable import HeraldCore

/// SHA-1 (FIPS 180-4 examples) and HMAC (RFC 2202, RFC 4231) against their published vectors.
@Suite struct HMACTests {
    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test func sha1MatchesThePublishedVectors() {
        #expect(hex(SHA1.digest("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.digest("".utf8)) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(
            hex(SHA1.digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(
            hex(SHA1.digest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
                == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func hmacSHA1MatchesRFC2202() {
        #expect(
            hex(HMAC.code(SHA1.self, key: [UInt8](repeating: 0x0b, count: 20), message: "Hi There".utf8))
                == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(
            hex(HMAC.code(SHA1.self, key: "Jefe".utf8, message: "what do ya want for nothing?".utf8))
                == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        // A key longer than the block is hashed first.
        #expect(
            hex(
                HMAC.code(
                    SHA1.self, key: [UInt8](repeating: 0xaa, count: 80),
                    message: "Test Using Larger Than Block-Size Key - Hash Key First".utf8))
                == "aa4ae5e15272d00e95705637ce8a3b55ed402112")
    }

    @Test func hmacSHA256MatchesRFC4231() {
        #expect(
            hex(HMAC.code(SHA256.self, key: [UInt8](repeating: 0x0b, count: 20), message: "Hi There".utf8))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            hex(HMAC.code(SHA256.self, key: "Jefe".utf8, message: "what do ya want for nothing?".utf8))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            hex(
                HMAC.code(
                    SHA256.self, key: [UInt8](repeating: 0xaa, count: 131),
                    message: "Test Using Larger Than Block-Size Key - Hash Key First".utf8))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func codesCompareWithoutShortcuts() {
        #expect(HMAC.isEqual([1, 2, 3], [1, 2, 3]))
        #expect(!HMAC.isEqual([1, 2, 3], [1, 2, 4]))
        #expect(!HMAC.isEqual([1, 2], [1, 2, 3]))
    }
}
