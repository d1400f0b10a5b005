import Foundation
import HeraldCore
import HeraldHTTPClient
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Failures without an answer, classified with the peer's names in the reasons.
@Suite struct HTTPClientFailureTests {
    let peer = HTTPPeer(name: "Mandrill", url: "the Mandrill URL", effect: "sent")

    func classify(_ error: any Error) -> Outcome { HTTPClientFailure.classify(error, peer: peer) }

    @Test func beforeAnyByteLeftIsAPlainRetry() {
        #expect(
            classify(URLError(.cannotConnectToHost))
                == .retry(after: nil, reason: "cannot reach Mandrill (connection refused); not sent", ambiguous: false))
        for code in [URLError.Code.cannotFindHost, .dnsLookupFailed, .notConnectedToInternet, .secureConnectionFailed] {
            #expect(classify(URLError(code)).label == "retry", "\(code)")
        }
    }

    @Test func afterBytesMayHaveLeftIsAmbiguous() {
        #expect(
            classify(URLError(.timedOut))
                == .retry(
                    after: nil, reason: "no answer from Mandrill (timed out); may have been sent", ambiguous: true))
        #expect(
            classify(CancellationError())
                == .retry(after: nil, reason: "cancelled while sending (may have been sent)", ambiguous: true))
        for code in [URLError.Code.networkConnectionLost, .cancelled, .badServerResponse, .zeroByteResource, .unknown] {
            #expect(classify(URLError(code)).label == "retry_ambiguous", "\(code)")
        }
    }

    @Test func anUnusableURLFails() {
        #expect(
            classify(URLError(.unsupportedURL)) == .failed(reason: "the Mandrill URL cannot be used (URLError -1002)"))
    }

    @Test func descriptionsForDoctor() {
        #expect(HTTPClientFailure.describe(URLError(.cannotConnectToHost)) == "connection refused")
        #expect(HTTPClientFailure.describe(URLError(.httpTooManyRedirects)) == "too many redirects")
        #expect(HTTPClientFailure.describe(CancellationError()) == "cancelled")
    }
}
