import Testing

@testable import HeraldSpool

struct CRC32CTests {
    /// Published check values (RFC 3720 appendix B.4 and the CRC catalogue's "check").
    @Test(arguments: [
        ("123456789", 0xE306_9283 as UInt32),
        ("", 0),
        ("a", 0xC1D0_4330),
    ])
    func textVectors(text: String, expected: UInt32) {
        #expect(CRC32C.checksum(Array(text.utf8)) == expected)
    }

    @Test func iSCSIVectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }

    /// Continuing from the checksum of a prefix gives the checksum of the whole, at every split.
    @Test func continuationMatchesWhole() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            let first = CRC32C.checksum(Array(bytes[..<split]))
            #expect(CRC32C.checksum(Array(bytes[split...]), continuing: first) == whole)
        }
    }

    /// Lengths where ISA-L switches between its byte, word and folding loops, against a bitwise
    /// reference written from the definition.
    @Test func longInputsMatchTheDefinition() {
        var state: UInt64 = 0x5EED
        for length in [7, 8, 63, 64, 255, 256, 1023, 1024, 4097, 65_537] {
            let bytes = (0..<length).map { _ -> UInt8 in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
            var reference: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                reference ^= UInt32(byte)
                for _ in 0..<8 { reference = reference & 1 == 1 ? (reference >> 1) ^ 0x82F6_3B78 : reference >> 1 }
            }
            #expect(CRC32C.checksum(bytes) == ~reference, "length \(length)")
        }
    }
}
