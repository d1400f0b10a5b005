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

    /// Most text needs nothing done (printable ASCII, no secret, no address or one masked
    /// already) and takes a quicker way; these answer as the whole way does.
    @Test func textThatNeedsNothingComesBackAsItIsAndTheRestIsStillCleaned() {
        let redactor = RemoteTextRedactor(secrets: ["md-SECRET-KEY", "clé-secrète"])
        for unchanged in ["Mandrill said: ok", "j***@example.com sent (id abc)", "x @ y", "@x", "x@", "", "a=b \"c\""] {
            #expect(redactor.clean(unchanged) == unchanged)
        }
        #expect(redactor.address("jane@example.com") == "j***@example.com")
        #expect(redactor.clean("to é@x.org") == "to é***@x.org")
        #expect(redactor.clean("to a@é.org") == "to a***@é.org")
        #expect(redactor.clean("a  b ") == "a b")
        #expect(redactor.clean(" a\u{7F}b") == "ab")
        #expect(redactor.clean("a\u{A0}b") == "a b")
        #expect(redactor.clean("key md-SECRET-KEY\u{301} and clé-secrète") == "key <redacted>\u{301} and <redacted>")
        #expect(redactor.redacted("md-SECRET-KE") == "md-SECRET-KE")
    }
}
