import HeraldCore
import Testing

/// HMAC (RFC 2202, RFC 4231) against the published vectors, computed by libcrypto.
@Suite struct HMACTests {
    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test func sha1CodesMatchRFC2202() {
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

    @Test func sha256CodesMatchRFC4231() {
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
        #expect(!HMAC.isEqual([1, 2, 3], [1, 2]))
    }

    /// An empty key and an empty message are valid inputs (RFC 2104 pads the key with zeros);
    /// reference values from Python's hmac.
    @Test func emptyKeyAndMessage() {
        #expect(
            hex(HMAC.code(SHA256.self, key: [], message: []))
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        #expect(hex(HMAC.code(SHA1.self, key: [], message: [])) == "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d")
    }

    /// A message that is not contiguous storage is hashed the same.
    @Test func anySequenceOfBytes() {
        let message = "what do ya want for nothing?"
        #expect(
            HMAC.code(SHA256.self, key: "Jefe".utf8, message: message.utf8.lazy.map { $0 })
                == HMAC.code(SHA256.self, key: Array("Jefe".utf8), message: Array(message.utf8)))
    }
}
