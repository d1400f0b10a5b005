import HeraldCore
import Testing

@Suite struct SHA256Tests {
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
    func matchesPublishedVectors(input: String, expected: String) {
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
    func paddingBoundaries(length: Int, expected: String) {
        #expect(SHA256.hexDigest(String(repeating: "x", count: length)) == expected)
    }

    @Test func incrementalUpdatesMatchOneShot() {
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 200, 4096] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            var hashing = Hashing<SHA256>()
            hashing.update(bytes.prefix(length / 2))
            hashing.update(bytes.dropFirst(length / 2))
            #expect(hashing.finalize() == SHA256.hash(bytes), "length \(length)")
        }
    }

    @Test func hexDigestOfBytesAndOfText() {
        #expect(SHA256.size == 32)
        #expect(SHA256.hexDigest(Array("abc".utf8)) == SHA256.hexDigest("abc"))
        #expect(SHA256.hash("abc".utf8).count == 32)
    }
}
