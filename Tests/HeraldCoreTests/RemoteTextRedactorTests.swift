import HeraldCore
import HeraldTestSupport
import Testing

/// The redactor's text handling: the quick scalar checks answer as Unicode's properties do, and
/// the cleaning of an answer still collapses, masks and redacts whatever the script.
@Suite struct RemoteTextRedactorTests {
    @Test func theQuickScalarChecksAnswerAsUnicodesProperties() {
        let samples =
            (0..<0x300).compactMap(Unicode.Scalar.init)
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

extension RemoteTextRedactorTests {
    /// A peer's words can hold an address in any form an address takes: RFC 5322's other
    /// characters in the local part (`=`, `#`, `/`, `!`, …), an accented name written decomposed
    /// (NFD: `e` and a combining accent), or percent-encoded in a URL it quotes (`%40`). None of
    /// it may survive but the first character and the domain.
    @Test func everyFormOfAnAddressIsMasked() {
        let redactor = RemoteTextRedactor(secrets: [])
        let cases: [(text: String, leak: String)] = [
            ("unknown user jane.doe=work@example.com", "jane.doe"),
            ("rejected bob#ops@example.com", "ops"),
            ("no mailbox dept/sales!x@example.com", "sales"),
            ("to Jose\u{301}.Nu\u{303}ez@example.com", "Nu\u{303}ez"),
            ("GET /users?email=jane.doe%40example.com: no such user", "jane.doe"),
            ("GET /users?email=Jane.Doe%2Bnews%40Example.com", "Doe%2Bnews"),
        ]
        for (text, leak) in cases {
            let cleaned = redactor.clean(text)
            #expect(!cleaned.unicodeScalars.elementsEqual(text.unicodeScalars), "\(cleaned)")
            #expect(!cleaned.contains(leak), "\(cleaned)")
            #expect(cleaned.contains("***"), "\(cleaned)")
        }
        #expect(redactor.clean("GET /users?email=jane.doe%40example.com") == "GET /users?email=j***%40example.com")
        #expect(redactor.clean("unknown jane.doe=work@example.com") == "unknown j***@example.com")
        // Text around an address keeps its own punctuation.
        #expect(redactor.clean("<jane@example.com>, (bob@example.org)") == "<j***@example.com>, (b***@example.org)")
        #expect(redactor.clean("100%40 of them") == "100%40 of them")
    }

    /// A peer may repeat a secret in its JSON (`\/` as PHP writes a slash, `\u002b`) or its URL
    /// (percent-encoded) form; each is redacted as the secret itself is.
    @Test func aSecretIsRedactedInItsEscapedAndEncodedForms() {
        let secret = "tok/en+a=b\"q"
        let redactor = RemoteTextRedactor(secrets: [secret])
        for echoed in [
            "tok\\/en+a=b\\\"q", "tok%2Fen%2Ba%3Db%22q", "tok%2fen%2ba%3db%22q", "tok\\u002fen\\u002ba\\u003db\\u0022q",
        ] {
            let cleaned = redactor.clean("auth was Bearer \(echoed) (refused)")
            #expect(cleaned == "auth was Bearer <redacted> (refused)", "\(echoed) → \(cleaned)")
        }
        // A secret of unreserved characters has one form only.
        #expect(RemoteTextRedactor(secrets: ["md-KEY_1234"]).clean("key md-KEY_1234") == "key <redacted>")
    }
}

/// The redactor before its quick ways (b726551, 22d7561): every text walked scalar by scalar with
/// Unicode's properties. The quick ways must give what this gives, for any text.
private struct WholeWayRedactor {
    let secrets: [[Unicode.Scalar]]

    init(secrets: [String]) {
        self.secrets = Set(
            secrets.filter { $0.unicodeScalars.count >= RemoteTextRedactor.shortestSecret }.flatMap(
                RemoteTextRedactor.encodedForms)
        ).map { Array($0.unicodeScalars) }.sorted { $0.count > $1.count }
    }

    func clean(_ text: String, limit: Int = 200) -> String {
        let masked = redacted(Self.maskEmails(in: Self.collapsing(redacted(text))))
        guard masked.count > limit else { return masked }
        return String(masked.prefix(limit)) + "…"
    }

    func address(_ text: String) -> String {
        clean(maskPersonalData(redacted(text)), limit: 80)
    }

    func redacted(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        for secret in secrets where scalars.count >= secret.count {
            var result: [Unicode.Scalar] = []
            var index = 0
            while index < scalars.count {
                if scalars[index] == secret[0], index + secret.count <= scalars.count,
                    scalars[index..<(index + secret.count)].elementsEqual(secret)
                {
                    result.append(contentsOf: "<redacted>".unicodeScalars)
                    index += secret.count
                } else {
                    result.append(scalars[index])
                    index += 1
                }
            }
            scalars = result
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    static func collapsing(_ text: String) -> String {
        var collapsed = ""
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !collapsed.isEmpty
                continue
            }
            if scalar.isControlCharacter { continue }
            if pendingSpace {
                collapsed.unicodeScalars.append(" ")
                pendingSpace = false
            }
            collapsed.unicodeScalars.append(scalar)
        }
        return collapsed
    }

    static func maskEmails(in text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let separator: Int
            if scalars[index] == "@" {
                separator = 1
            } else if scalars[index...].starts(with: "%40".unicodeScalars) {
                separator = 3
            } else {
                index += 1
                continue
            }
            var start = index
            while start > 0, isAddressScalar(scalars[start - 1], local: true, encoded: separator == 3) { start -= 1 }
            var end = index + separator
            while end < scalars.count, isAddressScalar(scalars[end], local: false, encoded: separator == 3) { end += 1 }
            guard start < index, end > index + separator else {
                index += 1
                continue
            }
            var local = ""
            local.unicodeScalars.append(contentsOf: scalars[start..<index])
            var domain = ""
            domain.unicodeScalars.append(contentsOf: scalars[index..<end])
            let replacement = Array((String(local.first!) + "***" + domain).unicodeScalars)
            scalars.replaceSubrange(start..<end, with: replacement)
            index = start + replacement.count
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    static func isAddressScalar(_ scalar: Unicode.Scalar, local: Bool, encoded: Bool) -> Bool {
        if !scalar.isASCII {
            let category = scalar.properties.generalCategory
            return [
                .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .nonspacingMark,
                .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
            ].contains(category)
        }
        if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-" {
            return true
        }
        return local && (encoded ? "_+%'!*~" : "_+%'!#$&*/=?^`{|}~").unicodeScalars.contains(scalar)
    }
}

extension RemoteTextRedactorTests {
    /// Random texts of the pieces the quick ways look at (spaces, controls, `@`, address
    /// characters in and out of ASCII, combining marks, pieces of secrets) clean as the whole
    /// way cleans them.
    /// An address masked already (every recipient a plugin names is) is left as it is without
    /// the walk; anything that would still change goes the whole way, with the same result.
    @Test func maskedAddressesSkipTheWalkAndNothingElseDoes() {
        let redactor = RemoteTextRedactor(secrets: ["md-SECRET-KEY"])
        let whole = WholeWayRedactor(secrets: ["md-SECRET-KEY"])
        let texts = [
            "a***@x.org", "sent to j***@example.com", "b***@x.org and c***@y.org", "ab***@x.org", "é***@x.org",
            "***@x.org", "****@x.org", ".a***@x.org", "x a***%40x.org", "a***@x.org jane@x.org", "名a***@x.org",
            "a***@", "a***@ x.org",
        ]
        for text in texts {
            #expect(
                Array(redactor.clean(text).unicodeScalars) == Array(whole.clean(text).unicodeScalars),
                "\(text.debugDescription)")
        }
        #expect(redactor.clean("sent to j***@example.com") == "sent to j***@example.com")
        #expect(redactor.clean("ab***@x.org") == "a***@x.org")
    }

    @Test func theQuickWaysCleanEveryTextAsTheWholeWayDoes() {
        let secrets = ["md-SECRET-KEY", "clé-secrète", "abcd"]
        let redactor = RemoteTextRedactor(secrets: secrets)
        let whole = WholeWayRedactor(secrets: secrets)
        let pieces = [
            "a", "Z", "0", ".", "-", "_", "+", "%", "'", "@", " ", "  ", "\t", "\n", "\r\n", "\u{0}", "\u{1B}",
            "\u{7F}",
            "\u{85}", "\u{A0}", "\u{2003}", "\u{301}", "é", "名", "😀", "*", "!", "=", "\"", "md-", "SECRET", "-KEY",
            "md-SECRET-KEY", "clé", "-secrète", "ab", "cd", "x.org", "jane", "***", "e\u{301}", "%40", "4", "0", "=",
            "/",
            "?", "#", "md%2D", "SECRET\\/",
        ]
        func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }
        var random = SeededGenerator(seed: 0x4845_5241_4C44)
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...12, using: &random) { text += pieces.randomElement(using: &random) ?? "" }
            // Scalar by scalar: String's == would take a decomposed é for a precomposed one.
            #expect(scalars(redactor.clean(text)) == scalars(whole.clean(text)), "\(text.debugDescription)")
            #expect(scalars(redactor.address(text)) == scalars(whole.address(text)), "\(text.debugDescription)")
            #expect(scalars(redactor.redacted(text)) == scalars(whole.redacted(text)), "\(text.debugDescription)")
        }
    }
}
