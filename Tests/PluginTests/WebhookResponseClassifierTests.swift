import HeraldCore
import Testing

@testable import WebhookPlugin

/// Every answer class of the Standard Webhooks advice, without a network.
@Suite struct WebhookResponseClassifierTests {
    static let now = WallClock(millisecondsSinceEpoch: 1_767_225_600_000)
    static let redactor = RemoteTextRedactor(secrets: ["s3cr3t-value"])

    static func classify(_ status: Int, retryAfter: String? = nil, location: String? = nil, body: String = "")
        -> Outcome
    {
        WebhookResponseClassifier.classify(
            WebhookResponse(status: status, retryAfter: retryAfter, location: location, body: Array(body.utf8)),
            now: now, redactor: redactor)
    }

    @Test(arguments: [200, 201, 202, 204, 299]) func twoHundredsAreDelivered(status: Int) {
        #expect(Self.classify(status) == .delivered(detail: "HTTP \(status)"))
    }

    @Test func goneFails() {
        #expect(Self.classify(410).label == "failed")
    }

    @Test(arguments: [429, 503]) func throttlingHonoursRetryAfter(status: Int) {
        #expect(
            Self.classify(status, retryAfter: "120")
                == .retry(after: .seconds(120), reason: "the endpoint answered HTTP \(status)", ambiguous: false))
        #expect(
            Self.classify(status, retryAfter: "Thu, 01 Jan 2026 00:01:00 GMT")
                == .retry(after: .seconds(60), reason: "the endpoint answered HTTP \(status)", ambiguous: false))
        #expect(
            Self.classify(status, retryAfter: "soon")
                == .retry(
                    after: nil,
                    reason:
                        "the endpoint answered HTTP \(status); its Retry-After is not a usable delay and was ignored",
                    ambiguous: false))
    }

    @Test(arguments: [500, 502, 504, 599]) func otherServerErrorsAreAmbiguousRetries(status: Int) {
        #expect(Self.classify(status).label == Outcome.ambiguousRetryLabel)
    }

    @Test(arguments: [400, 401, 403, 404, 405, 413, 422]) func otherClientErrorsFail(status: Int) {
        #expect(Self.classify(status, body: "nope").label == "failed")
    }

    @Test(arguments: [301, 302, 303, 307, 308]) func redirectsFailNamingTheLocationRedacted(status: Int) {
        let outcome = Self.classify(status, location: "https://new.example.com/h?k=s3cr3t-value")
        #expect(
            outcome
                == .failed(
                    reason:
                        "the endpoint answered HTTP \(status), a redirect to https://new.example.com/h?k=<redacted>; "
                        + "redirects are not followed, update the action's url"))
    }

    @Test func bodiesAreCutAndMasked() {
        let outcome = Self.classify(
            422, body: "bad s3cr3t-value for jane.doe@example.com " + String(repeating: "x", count: 5000))
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(!reason.contains("s3cr3t-value") && !reason.contains("jane.doe@example.com"))
        #expect(reason.count < 200)
    }
}
