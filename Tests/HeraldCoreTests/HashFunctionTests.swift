import HeraldCore
import Testing

/// The digests libcrypto computes for Herald, against published known-answer vectors: SHA-256
/// (FIPS 180-4 examples, the NIST one-million-'a' vector, padding boundaries from Python's
/// hashlib), SHA-1 (FIPS 180-4) and MD5 (RFC 1321 §A.5, padding boundaries, Mailchimp's worked
/// subscriber hash).
@Suite struct HashFunctionTests {
    // MARK: SHA-256

    /// FIPS 180-4 examples and the NIST one-million-'a' vector.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (String(repeating: "a", count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
    func sha256MatchesPublishedVectors(input: String, expected: String) {
        #expect(SHA256.hexDigest(input) == expected)
    }

    /// Lengths around the padding boundary (reference digests from Python's hashlib).
    @Test(arguments: [
        (55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"),
        (56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"),
        (63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"),
        (64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"),
        (65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"),
        (119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"),
    ])
    func sha256PaddingBoundaries(length: Int, expected: String) {
        #expect(SHA256.hexDigest(String(repeating: "x", count: length)) == expected)
    }

    @Test func sha256IncrementalUpdatesMatchOneShot() {
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 200, 4096] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            var hashing = Hashing<SHA256>()
            hashing.update(bytes.prefix(length / 2))
            hashing.update(bytes.dropFirst(length / 2))
            #expect(hashing.finalize() == SHA256.hash(bytes), "length \(length)")
        }
    }

    @Test func sha256HexDigestOfBytesAndOfText() {
        #expect(SHA256.size == 32)
        #expect(SHA256.hexDigest(Array("abc".utf8)) == SHA256.hexDigest("abc"))
        #expect(SHA256.hash("abc".utf8).count == 32)
    }

    // MARK: SHA-1

    @Test func sha1MatchesThePublishedVectors() {
        #expect(Hex.lowercase(SHA1.hash("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Hex.lowercase(SHA1.hash("".utf8)) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(
            Hex.lowercase(SHA1.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(
            Hex.lowercase(SHA1.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
                == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func sha1SizeIsTwentyBytes() {
        #expect(SHA1.size == 20)
        #expect(SHA1.hexDigest("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    // MARK: MD5

    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        (
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            "d174ab98d277d9f5a5611c2c9f419d9f"
        ),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a"
        ),
    ])
    func md5RFC1321TestSuite(input: String, expected: String) {
        #expect(MD5.hexDigest(Array(input.utf8)) == expected)
    }

    @Test(arguments: [
        (55, "04364420e25c512fd958a70738aa8f72"), (56, "668a72d5ba17f08e62dabcafad6db14b"),
        (63, "7dc2ca208106a2f703567bdff99d8981"), (64, "c1bb4f81d892b2d57947682aeb252456"),
        (65, "1bc932052302d074bdec39795fe00cf6"), (119, "ab347a5f68c8a443cfcddc633f12c24f"),
        (120, "fb98667f98096de92620b64f46e1c5b5"), (1000, "398533d48111e9f664b1f64cb10c4b63"),
    ])
    func md5LengthsAroundThePaddingBoundaries(length: Int, expected: String) {
        #expect(MD5.hexDigest(Array(String(repeating: "x", count: length).utf8)) == expected)
    }

    @Test func md5MailchimpsWorkedExample() {
        #expect(MD5.hexDigest(Array("urist.mcvankab@freddiesjokes.com".utf8)) == "62eeb292278cc15f5817cb78f7790b08")
        #expect(MD5.hash(Array("zoë@example.com".utf8)).count == 16)
        #expect(MD5.hexDigest(Array("zoë@example.com".utf8)) == "0cfaf4857028b01d78c9cfbb57537f7e")
    }
}
