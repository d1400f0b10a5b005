import HeraldCore
import Testing

/// The one encoder and lenient reader of `%XX` escapes (templates, console links and forms, the
/// control socket's queries, DSNs), the one reader of hex digits, and a URL's query as written.
@Suite struct PercentEncodingTests {
    @Test func encodingLeavesOnlyUnreservedCharactersAndDecodesBack() {
        #expect(PercentEncoding.encode("a b&c=d/é~") == "a%20b%26c%3Dd%2F%C3%A9~")
        for text in ["jane+tag@example.com", "route with spaces", "%41", "ünïcödé & more"] {
            #expect(PercentEncoding.decode(PercentEncoding.encode(text)) == text)
        }
    }

    @Test func aURLsQueryIsReadAsWritten() {
        let parameters = URLQuery.parameters(of: "https://h.example/p?a=1&token=t%40k&flag&=x#frag=y")
        #expect(parameters.map(\.name) == ["a", "token", "flag", ""])
        #expect(parameters.map(\.value) == ["1", "t%40k", nil, "x"])
        #expect(URLQuery.parameters(of: "https://h.example/p#a=1").isEmpty)
    }

    @Test func escapesAreDecodedAndAnythingElseStaysAsWritten() {
        #expect(PercentEncoding.decode("jane%40example.com") == "jane@example.com")
        #expect(PercentEncoding.decode("caf%C3%A9%2b") == "café+")
        #expect(PercentEncoding.decode("100%") == "100%")
        #expect(PercentEncoding.decode("%4") == "%4")
        #expect(PercentEncoding.decode("%zz%4g") == "%zz%4g")
        // A sign is not a hex digit, although UInt8("+f", radix: 16) reads one.
        #expect(PercentEncoding.decode("%+f%-1") == "%+f%-1")
        #expect(PercentEncoding.decode("%FF") == "\u{FFFD}")
    }

    @Test func aPlusIsASpaceOnlyInForms() {
        #expect(PercentEncoding.decode("a+b%2B", plusAsSpace: true) == "a b+")
        #expect(PercentEncoding.decode("a+b%2B") == "a+b+")
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
