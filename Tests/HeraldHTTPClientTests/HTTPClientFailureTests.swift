import HeraldCore
import HeraldHTTPClient
import Testing

/// Failures without an answer, classified with the peer's names in the reasons: not sent only
/// when no byte of the request can have left.
@Suite struct HTTPClientFailureTests {
    let peer = HTTPPeer(name: "Mandrill", url: "the Mandrill URL", effect: "sent")

    func classify(_ kind: HTTPClientError.Kind, sent: Bool, status: Int? = nil) -> Outcome {
        HTTPClientFailure.classify(HTTPClientError(kind, mayHaveSent: sent, status: status), peer: peer)
    }

    @Test func beforeAnyByteLeftIsAPlainRetry() {
        #expect(
            classify(.cannotConnect, sent: false)
                == .retry(after: nil, reason: "cannot reach Mandrill (connection refused); not sent", ambiguous: false))
        #expect(
            classify(.timedOut, sent: false)
                == .retry(after: nil, reason: "cannot reach Mandrill (timed out); not sent", ambiguous: false))
        for kind in [HTTPClientError.Kind.hostNotFound, .tlsFailed, .certificateRejected, .connectionLost, .busy] {
            #expect(classify(kind, sent: false).label == "retry", "\(kind)")
        }
        #expect(
            classify(.cancelled, sent: false)
                == .retry(after: nil, reason: "cancelled before sending; not sent", ambiguous: false))
    }

    @Test func afterBytesMayHaveLeftIsAmbiguous() {
        #expect(
            classify(.timedOut, sent: true)
                == .retry(
                    after: nil, reason: "no answer from Mandrill (timed out); may have been sent", ambiguous: true))
        #expect(
            classify(.cancelled, sent: true)
                == .retry(after: nil, reason: "cancelled while sending (may have been sent)", ambiguous: true))
        for kind in [HTTPClientError.Kind.connectionLost, .badAnswer] {
            #expect(classify(kind, sent: true).label == "retry_ambiguous", "\(kind)")
        }
    }

    @Test func anAnswerOverItsLimitWasReceivedSoMayHaveBeenSent() {
        #expect(
            classify(.answerTooLarge(limit: 1 << 20), sent: true, status: 200)
                == .retry(
                    after: nil,
                    reason: "the answer of Mandrill cannot be read (HTTP 200, answer over 1 MiB; not read further); "
                        + "may have been sent", ambiguous: true))
    }

    @Test func whatCannotBeSentFails() {
        #expect(
            classify(.unusableURL, sent: false)
                == .failed(reason: "the Mandrill URL cannot be used (not an http or https URL libcurl can use)"))
        #expect(
            classify(.invalidRequest("the value of header X has a line break or NUL"), sent: false)
                == .failed(
                    reason: "the request to Mandrill cannot be sent (invalid request: the value of header X has a "
                        + "line break or NUL); not sent"))
    }

    @Test func descriptionsForDoctor() {
        #expect(HTTPClientFailure.describe(HTTPClientError(.cannotConnect, mayHaveSent: false)) == "connection refused")
        #expect(HTTPClientFailure.describe(HTTPClientError(.hostNotFound, mayHaveSent: false)) == "host not found")
        #expect(HTTPClientFailure.describe(HTTPClientError(.cancelled, mayHaveSent: true)) == "cancelled")
    }

    @Test func limitsAreNamedInUnitsAReaderKnows() {
        #expect(HTTPAnswerLimit.apiAnswer.description == "1 MiB")
        #expect(HTTPAnswerLimit.reasonExcerpt.description == "64 KiB")
        #expect(HTTPAnswerLimit(bytes: 1000, excess: .fails).description == "1000 bytes")
    }
}
