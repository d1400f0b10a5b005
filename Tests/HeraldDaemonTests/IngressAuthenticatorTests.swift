import HeraldConfig
import HeraldCore
import HeraldHTTP
import Testing

@testable import HeraldDaemon

/// Design §3: the credentials Kratos can send, checked without sockets.
@Suite struct IngressAuthenticatorTests {
    private let authenticator = IngressAuthenticator(credentials: [
        .apiKey(name: "X-Herald-Key", value: "k-0123456789", inCookie: false),
        .apiKey(name: "herald_key", value: "c-0123456789", inCookie: true),
        .basicAuth(user: "kratos", password: "p@ss:word"),
    ])

    @Test func eachConfiguredCredentialLetsIn() {
        #expect(authenticator.authorizes(["X-Herald-Key": "k-0123456789"]))
        #expect(authenticator.authorizes(["x-herald-key": "k-0123456789"]))
        #expect(authenticator.authorizes(["Cookie": "a=1; herald_key=c-0123456789; b=2"]))
        #expect(authenticator.authorizes(["Cookie": "herald_key=\"c-0123456789\""]))
        // base64("kratos:p@ss:word")
        #expect(authenticator.authorizes(["Authorization": "Basic a3JhdG9zOnBAc3M6d29yZA=="]))
        #expect(authenticator.authorizes(["Authorization": "basic a3JhdG9zOnBAc3M6d29yZA=="]))
    }

    @Test func wrongMissingOrMisplacedCredentialsAreRefused() {
        #expect(!authenticator.authorizes([:]))
        #expect(!authenticator.authorizes(["X-Herald-Key": "k-012345678"]))
        #expect(!authenticator.authorizes(["X-Herald-Key": "k-01234567890"]))
        #expect(!authenticator.authorizes(["X-Herald-Key": ""]))
        // The cookie's value in the header, the header's in a cookie.
        #expect(!authenticator.authorizes(["X-Herald-Key": "c-0123456789"]))
        #expect(!authenticator.authorizes(["Cookie": "X-Herald-Key=k-0123456789"]))
        #expect(!authenticator.authorizes(["Cookie": "other_herald_key=c-0123456789"]))
        #expect(!authenticator.authorizes(["Authorization": "Bearer a3JhdG9zOnBAc3M6d29yZA=="]))
        #expect(!authenticator.authorizes(["Authorization": "Basic a3JhdG9zOnBAc3M6d29yZA"]))
    }

    @Test func withoutCredentialsEveryRequestIsLetIn() {
        let open = IngressAuthenticator(credentials: [])
        #expect(!open.isEnforced)
        #expect(open.authorizes([:]))
    }
}
