import Foundation
import HeraldHTTPClient
import Testing

/// The client's timeouts; its requests are exercised by the plugins' tests against their test
/// servers.
@Suite struct HTTPClientTests {
    @Test func wholeSecondTimeoutsForURLSession() {
        #expect(HTTPClient.wholeSeconds(.milliseconds(300)) == 1)
        #expect(HTTPClient.wholeSeconds(.milliseconds(1500)) == 2)
        #expect(HTTPClient.wholeSeconds(.seconds(30)) == 30)
    }
}
