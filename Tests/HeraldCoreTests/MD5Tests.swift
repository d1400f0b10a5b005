import HeraldCore
import Testing

/// MD5 against RFC 1321 §A.5's test suite, lengths around the padding boundaries (values from
/// Python's hashlib), and the worked example of Mailchimp's subscriber hash.
struct MD5Tests {
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
    func rfc1321TestSuite(input: String, expected: String) {
        #expect(MD5.hexDigest(Array(input.utf8)) == expected)
    }

    @Test(arguments: [
        (55, "04364420e25c512fd958a70738aa8f72"), (56, "668a72d5ba17f08e62dabcafad6db14b"),
        (63, "7dc2ca208106a2f703567bdff99d8981"), (64, "c1bb4f81d892b2d57947682aeb252456"),
        (65, "1bc932052302d074bdec39795fe00cf6"), (119, "ab347a5f68c8a443cfcddc633f12c24f"),
        (120, "fb98667f98096de92620b64f46e1c5b5"), (1000, "398533d48111e9f664b1f64cb10c4b63"),
    ])
    func lengthsAroundThePaddingBoundaries(length: Int, expected: String) {
        #expect(MD5.hexDigest(Array(String(repeating: "x", count: length).utf8)) == expected)
    }

    @Test func mailchimpsWorkedExample() {
        #expect(MD5.hexDigest(Array("urist.mcvankab@freddiesjokes.com".utf8)) == "62eeb292278cc15f5817cb78f7790b08")
        #expect(MD5.hash(Array("zoë@example.com".utf8)).count == 16)
        #expect(MD5.hexDigest(Array("zoë@example.com".utf8)) == "0cfaf4857028b01d78c9cfbb57537f7e")
    }
}
