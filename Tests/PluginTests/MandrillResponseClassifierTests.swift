import Foundation
import HeraldCore
import HeraldHTTPClient
import Testing

@testable import MandrillPlugin

/// The classification rules on their own, without a network.
@Suite struct MandrillResponseClassifierTests {
    let now = WallClock(millisecondsSinceEpoch: 784_111_717_000)  // Sun, 06 Nov 1994 08:48:37 GMT

    func classify(_ status: Int, _ body: String, retryAfter: String? = nil, secret: String = "md-secret-key") -> Outcome
    {
        MandrillResponseClassifier.classify(
            MandrillResponse(status: status, retryAfter: retryAfter, body: Array(body.utf8)), now: now,
            redactor: RemoteTextRedactor(secrets: [secret]))
    }

    @Test func theErrorNameDecidesBeforeTheStatus() {
        let invalidKey = #"{"status":"error","code":-1,"name":"Invalid_Key","message":"Invalid API key"}"#
        #expect(classify(500, invalidKey).label == "failed")
        #expect(classify(401, invalidKey).label == "failed")
        #expect(
            classify(503, #"{"status":"error","code":-1,"name":"GeneralError","message":"x"}"#).label
                == "retry_ambiguous")
        #expect(
            classify(500, #"{"status":"error","code":-2,"name":"ServiceUnavailable","message":"x"}"#).label == "retry")
        #expect(
            classify(500, #"{"status":"error","code":12,"name":"Unknown_Subaccount","message":"x"}"#).label == "failed")
        #expect(
            classify(500, #"{"status":"error","code":6,"name":"Invalid_Template","message":"x"}"#).label == "failed")
        #expect(
            classify(429, #"{"status":"error","code":-99,"name":"Brand_New_Error","message":"x"}"#).label == "retry")
        #expect(
            classify(400, #"{"status":"error","code":-99,"name":"Brand_New_Error","message":"x"}"#).label == "failed")
    }

    @Test func statusesWithoutAnErrorObject() {
        for status in [400, 401, 402, 403, 404, 422] { #expect(classify(status, "").label == "failed", "\(status)") }
        for status in [429, 503] { #expect(classify(status, "").label == "retry", "\(status)") }
        // A redirect is never followed: the base URL needs fixing.
        for status in [301, 302, 307, 308] { #expect(classify(status, "").label == "failed", "\(status)") }
        for status in [201, 204, 408, 500, 502, 504, 599] {
            #expect(classify(status, "").label == "retry_ambiguous", "\(status)")
        }
        #expect(classify(500, #"{"name": 3}"#).label == "retry_ambiguous")
        #expect(classify(404, "[1,2").label == "failed")
    }

    @Test func recipientResults() {
        let accepted =
            #"[{"email":"a@example.com","status":"queued","queued_reason":"hourly-quota-exhausted","_id":"1"},"#
            + #"{"email":"b@example.com","status":"scheduled","_id":"2"},{"email":"c@example.com","status":"sent","_id":"3"}]"#
        #expect(
            classify(200, accepted)
                == .delivered(
                    detail:
                        "a***@example.com queued (hourly-quota-exhausted) 1, b***@example.com scheduled 2, c***@example.com sent 3"
                ))
        let mixed =
            #"[{"email":"a@example.com","status":"sent","_id":"1"},"#
            + #"{"email":"b@example.com","status":"invalid","reject_reason":null,"_id":"2"}]"#
        #expect(
            classify(200, mixed)
                == .failed(reason: "Mandrill refused b***@example.com invalid 2; accepted a***@example.com sent 1"))
        #expect(classify(200, #"[{"email":"a@example.com","status":"deferred","_id":"1"}]"#).label == "retry_ambiguous")
        #expect(classify(200, #"[{"email":"a@example.com"}]"#).label == "retry_ambiguous")
        #expect(classify(200, #"{"PING":"PONG!"}"#).label == "retry_ambiguous")
    }

    @Test func retryAfterIsHonouredOnRetries() {
        #expect(
            classify(429, "", retryAfter: "120")
                == .retry(
                    after: .seconds(120), reason: "Mandrill answered HTTP 429 with an empty body", ambiguous: false))
        #expect(
            classify(503, "", retryAfter: "Sun, 06 Nov 1994 08:49:37 GMT")
                == .retry(
                    after: .seconds(60), reason: "Mandrill answered HTTP 503 with an empty body", ambiguous: false))
        #expect(
            classify(503, "", retryAfter: "soon")
                == .retry(
                    after: nil,
                    reason:
                        "Mandrill answered HTTP 503 with an empty body; its Retry-After is not a usable delay and was ignored",
                    ambiguous: false))
    }

    /// Fuzzing finding: a date with a huge year trapped on overflow in the HTTP-date branch (the
    /// header's own forms are in HTTPRetryAfterTests).
    @Test func retryAfterWithAHugeYearIsIgnoredNotACrash() {
        #expect(classify(503, "", retryAfter: "Sun, 02 Oct 293333339 07:00:00 GMT").label == "retry")
    }

    @Test func reasonsAreSanitized() {
        let page =
            "<html>\r\n<body>\u{1B}[31m md-secret-key leaked for jane.doe@example.com\t\t"
            + String(repeating: "x", count: 300)
        guard case .retry(_, let reason, true) = classify(502, page) else {
            Issue.record("expected an ambiguous retry")
            return
        }
        #expect(
            reason.hasPrefix(
                "Mandrill answered HTTP 502 with a non-JSON body: <html> <body>[31m <redacted> leaked for j***@example.com xxx"
            ))
        #expect(!reason.contains("md-secret-key"))
        #expect(!reason.contains("jane.doe"))
        #expect(reason.hasSuffix("… (may have been sent)"))
        #expect(!reason.unicodeScalars.contains { $0.value < 0x20 })
        let echoed =
            #"{"status":"error","code":-2,"name":"ValidationError","message":"key md-secret-key: to jane@example.com is bad"}"#
        #expect(
            classify(400, echoed)
                == .failed(
                    reason: "Mandrill answered HTTP 400 ValidationError: key <redacted>: to j***@example.com is bad"))
    }

    /// Fuzzing finding: Mandrill echoing the key in an error's `name`, or in a recipient's
    /// `email`, `_id` or `reject_reason`, put it into the reason and so into the log.
    @Test func theKeyNeverReachesAReasonWhereverMandrillEchoesIt() {
        let key = "md-secret-key"
        let answers: [(Int, String)] = [
            (500, #"{"status":"error","code":-1,"name":"md-secret-key","message":"x"}"#),
            (200, #"[{"email":"md-secret-key","status":"rejected","reject_reason":"hard-bounce","_id":"1"}]"#),
            (200, #"[{"email":"x@md-secret-key.com","status":"sent","_id":"1"}]"#),
            (200, #"[{"email":"a@example.com","status":"rejected","reject_reason":"md-secret-key","_id":"1"}]"#),
            (200, #"[{"email":"a@example.com","status":"sent","_id":"md-secret-key"}]"#),
            (200, #"[{"email":"a@example.com","status":"sent","_id":"md-secret-key\u0301"}]"#),
            (200, #"[{"email":"a@example.com","status":"sent","_id":"md-secret\u0001-key"}]"#),
            (502, String(repeating: "é", count: 119) + "md-secret-key" + String(repeating: "y", count: 400)),
            // Whitespace collapses, so a key cut by the excerpt's window would show its first part.
            (502, String(repeating: " ", count: 525) + "md-secret-key" + String(repeating: "y", count: 400)),
        ]
        for (status, body) in answers {
            let reason: String
            switch classify(status, body, secret: key) {
            case .delivered(let detail): reason = detail
            case .failed(let text), .retry(_, let text, _): reason = text
            }
            #expect(!reason.contains("md-secret"), "\(reason)")
            #expect(!reason.contains("secret-key"), "\(reason)")
            #expect(!reason.contains("md-sec"), "\(reason)")
        }
    }

    /// Fuzzing finding: a recipient `email` holding an escape sequence reached the reason raw, and
    /// from there `herald dead show`.
    @Test func remoteControlCharactersNeverReachAReason() {
        let body = #"[{"email":"\u001b]0;owned\u0007x\u001b[2J@example.com","status":"rejected","_id":"\u009b31m"}]"#
        guard case .failed(let reason) = classify(200, body) else {
            Issue.record("expected a failure")
            return
        }
        let controls = reason.unicodeScalars.filter(\.isControlCharacter)
        #expect(controls.isEmpty, "\(reason.escapingControlCharacters)")
    }

    @Test func transportFailures() {
        func label(_ kind: HTTPClientError.Kind, sent: Bool) -> String {
            MandrillTransport.classify(HTTPClientError(kind, mayHaveSent: sent)).label
        }
        for kind in [HTTPClientError.Kind.cannotConnect, .hostNotFound, .tlsFailed, .certificateRejected, .timedOut] {
            #expect(label(kind, sent: false) == "retry", "\(kind)")
        }
        for kind in [HTTPClientError.Kind.connectionLost, .timedOut, .cancelled, .badAnswer] {
            #expect(label(kind, sent: true) == "retry_ambiguous", "\(kind)")
        }
        #expect(label(.answerTooLarge(limit: 1 << 20), sent: true) == "retry_ambiguous")
        #expect(label(.unusableURL, sent: false) == "failed")
        #expect(label(.busy, sent: false) == "retry")
    }

    @Test func aRedirectFailsNamingItsLocationMasked() {
        let secret = "md-secret-key"
        let response = MandrillResponse(
            status: 307, retryAfter: nil, location: "https://elsewhere.example/api?key=\(secret)", body: [])
        #expect(
            MandrillResponseClassifier.classify(response, now: now, redactor: RemoteTextRedactor(secrets: [secret]))
                == .failed(
                    reason: "Mandrill answered HTTP 307, a redirect to https://elsewhere.example/api?key=<redacted>; "
                        + "redirects are not followed, check base_url"))
    }

    @Test func sendAtFormat() {
        #expect(MandrillNames.isSendAt("2030-01-02 03:04:05"))
        for bad in [
            "2030-01-02T03:04:05", "2030-1-02 03:04:05", "2030-13-02 03:04:05", "2030-01-02 24:00:00", "",
            "2030-01-02 03:04:05Z",
        ] {
            #expect(!MandrillNames.isSendAt(bad), "\(bad)")
        }
    }
}
