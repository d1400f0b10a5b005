import HeraldCore
import Testing

/// The one lenient reader of `%XX` escapes (console forms and queries, job filters, DSNs) and the
/// one reader of hex digits.
@Suite struct PercentDecodingTests {
    @Test func escapesAreDecodedAndAnythingElseStaysAsWritten() {
        #expect(PercentDecoding.decode("jane%40example.com") == "jane@example.com")
        #expect(PercentDecoding.decode("caf%C3%A9%2b") == "café+")
        #expect(PercentDecoding.decode("100%") == "100%")
        #expect(PercentDecoding.decode("%4") == "%4")
        #expect(PercentDecoding.decode("%zz%4g") == "%zz%4g")
        // A sign is not a hex digit, although UInt8("+f", radix: 16) reads one.
        #expect(PercentDecoding.decode("%+f%-1") == "%+f%-1")
        #expect(PercentDecoding.decode("%FF") == "\u{FFFD}")
    }

    @Test func aPlusIsASpaceOnlyInForms() {
        #expect(PercentDecoding.decode("a+b%2B", plusAsSpace: true) == "a b+")
        #expect(PercentDecoding.decode("a+b%2B") == "a+b+")
    }

    @Test func hexDigitsOfEitherCase() {
        let digits = Array("0123456789abcdefABCDEF".utf8).map { Hex.value($0) }
        #expect(digits == (0...15).map { $0 } + (10...15).map { $0 })
        #expect(
            [UInt8(ascii: "g"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: " "), 0xFF].allSatisfy {
                Hex.value($0) == nil
            })
    }
}
