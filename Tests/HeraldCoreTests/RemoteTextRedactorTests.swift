import HeraldCore
import Testing

/// The redactor's text handling: the quick scalar checks answer as Unicode's properties do, and
/// the cleaning of an answer still collapses, masks and redacts whatever the script.
@Suite struct RemoteTextRedactorTests {
    @Test func theQuickScalarChecksAnswerAsUnicodesProperties() {
        let samples = (0..<0x300).compactMap(Unicode.Scalar.init)
            + ["\u{85}", "\u{A0}", "\u{1680}", "\u{2003}", "\u{2028}", "\u{3000}", "é", "ß", "Ж", "名", "😀"]
        for scalar in samples {
            #expect(scalar.isWhitespaceQuickly == scalar.properties.isWhitespace, "U+\(scalar.value)")
            #expect(scalar.isAlphabeticQuickly == scalar.properties.isAlphabetic, "U+\(scalar.value)")
        }
    }

    @Test func cleaningCollapsesWhitespaceMasksAddressesAndRedactsSecrets() {
        let redactor = RemoteTextRedactor(secrets: ["md-SECRET-KEY"])
        let text = "  invalid\tkey md-SECRET-KEY\u{1B}[2J for\u{2003}jöhn.doe@exämple.com\n\n done "
        let cleaned = redactor.clean(text)
        #expect(!cleaned.contains("SECRET"))
        #expect(!cleaned.contains("\u{1B}"))
        #expect(!cleaned.contains("jöhn.doe"))
        #expect(cleaned.hasPrefix("invalid key <redacted>"))
        #expect(cleaned.hasSuffix(" done"))
        #expect(!cleaned.contains("  "))
        #expect(redactor.address("Jane.Doe@Example.com") != "Jane.Doe@Example.com")
    }
}
