import HeraldCore
import HeraldTestSupport
import Testing

/// The light check of an address before it is sent: clearly not an address is refused, the
/// provider judges the rest. ASCII addresses take a quicker way that must answer the same.
@Suite struct EmailAddressTests {
    @Test func whatClearlyIsNotAnAddressIsRefused() {
        for valid in ["a@b", "jane.doe+x@example.com", "\"odd\"@example.com", "a@b@c", "jöhn@exämple.com", "名@例え.jp"] {
            #expect(EmailAddress(email: valid).looksValid, "\(valid)")
        }
        for invalid in [
            "", "@", "a@", "@b", "jane", "ja ne@example.com", "jane@exa\tmple.com", "jane@example.com\r\n",
            "a\u{7F}@b", "jöhn@exämple com", "jöhn@", "@exämple",
        ] {
            #expect(!EmailAddress(email: invalid).looksValid, "\(invalid.debugDescription)")
        }
    }
}

extension EmailAddressTests {
    /// The check as it was before its ASCII way (bdd7cb9): characters, then scalars.
    private func wholeWay(_ email: String) -> Bool {
        guard let at = email.lastIndex(of: "@"), at != email.startIndex, email.index(after: at) != email.endIndex else {
            return false
        }
        return !email.unicodeScalars.contains { $0.value <= 0x20 || $0.value == 0x7F }
    }

    /// Random texts of ASCII and non-ASCII pieces (a combining mark after an `@`, CR LF) get the
    /// verdict the whole way gives.
    @Test func theASCIIWayAnswersAsTheWholeWay() {
        let pieces = [
            "a", "@", ".", " ", "\r", "\n", "\r\n", "\t", "\u{7F}", "\u{0}", "é", "\u{301}", "名", "\u{A0}", "\"",
        ]
        var random = SeededGenerator(seed: 0x454D_4149_4C)
        func next() -> UInt64 { random.next() }
        for _ in 0..<20_000 {
            var email = ""
            for _ in 0..<Int(next() % 7) { email += pieces[Int(next() % UInt64(pieces.count))] }
            #expect(EmailAddress(email: email).looksValid == wholeWay(email), "\(email.debugDescription)")
        }
    }
}
