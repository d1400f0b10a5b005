import FoundationEssentials
import HeraldCore
import Testing

/// `herald check`'s view of a URL: where it leads, never what a receiver may take as a credential.
@Suite struct URLSummaryTests {
    private func summary(_ text: String) throws -> String {
        URLSummary.text(try #require(URL(string: text)))
    }

    @Test func queryValuesAndTokenLikeSegmentsAreLeftOut() throws {
        #expect(try summary("https://crm.example.com/hooks/herald") == "https://crm.example.com/hooks/herald")
        let function = try summary("https://fn.example.net/api/hook?code=abc123&x=")
        #expect(function == "https://fn.example.net/api/hook?code=…&x=…")
        #expect(
            try summary("https://discord.com/api/webhooks/123456789012345678/AbCdEf0123456789GhIjKl0123456789")
                == "https://discord.com/api/webhooks/123456789012345678/…")
        // Long words without digits, and numbers without letters, are not a token's shape.
        #expect(
            try summary("http://127.0.0.1:8080/notifications-for-customer-success/2024")
                == "http://127.0.0.1:8080/notifications-for-customer-success/2024")
    }

    @Test func credentialsAndFragmentsAreNeverShown() throws {
        #expect(try summary("https://user:pass-1234@example.com/in#frag") == "https://example.com/in")
        #expect(try summary("http://[::1]:8080/hook?k=v") == "http://[::1]:8080/hook?k=…")
    }
}
