import HeraldCore
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
