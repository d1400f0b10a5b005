import HeraldCore
import HeraldTestSupport
import Testing

@testable import MailchimpPlugin

/// Each kind of Mailchimp answer to its outcome (reference/mailchimp-marketing.md §8–§10), with
/// Mailchimp's own title and detail in the reason, addresses masked and the key never shown.
@Suite struct MailchimpResponseClassifierTests {
    static let key = "0123456789abcdef0123456789abcdef-us21"
    let redactor = RemoteTextRedactor(secrets: [Self.key])
    let put = MailchimpRequest(method: "PUT", path: "/lists/a1/members/0cba00ca3da1b283a57287bcceb17e35")
    let delete = MailchimpRequest(method: "DELETE", path: "/lists/a1/members/0cba00ca3da1b283a57287bcceb17e35")
    let now = WallClock(millisecondsSinceEpoch: 1_700_000_000_000)

    func classify(
        _ response: MailchimpTestResponse, request: MailchimpRequest? = nil, attempt: Int = 1
    ) -> MailchimpResponseClassifier.Verdict {
        MailchimpResponseClassifier.classify(
            MailchimpResponse(
                status: response.status, retryAfter: response.headers["Retry-After"],
                requestID: response.headers["X-Request-Id"], body: response.body),
            to: request ?? put, attempt: attempt, now: now, redactor: redactor)
    }

    @Test func complianceStateFailsWithMailchimpsTitleAndDetailMasked() {
        let verdict = classify(
            .problem(
                400, "Member In Compliance State",
                "jane.doe@example.com is in a compliance state due to unsubscribe, bounce, or compliance review "
                    + "and cannot be subscribed.", instance: "4d7f-11"))
        #expect(
            verdict
                == .outcome(
                    .failed(
                        reason:
                            "Mailchimp answered HTTP 400 to PUT member Member In Compliance State: j***@example.com "
                            + "is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be "
                            + "subscribed. [request 4d7f-11]")))
    }

    @Test(arguments: [
        (
            400, "Forgotten Email Not Subscribed",
            "jane.doe@example.com was permanently deleted and cannot be re-imported."
        ),
        (400, "Member Exists", "jane.doe@example.com is already a list member."),
        (400, "Invalid Resource", "jane.doe@example.com looks fake or invalid, please enter a real email address."),
        (401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter."),
        (403, "Forbidden", "You don't have permission to access this resource."),
        (403, "User Disabled", "This account has been disabled."),
        (404, "Resource Not Found", "The requested resource could not be found."),
        (405, "Method Not Allowed", "This list member cannot be removed. Please contact support."),
        (503, "Compliance Related", "This method has been disabled."),
    ])
    func refusalsFail(status: Int, title: String, detail: String) {
        guard case .outcome(.failed(let reason)) = classify(.problem(status, title, detail)) else {
            Issue.record("\(status) \(title) did not fail")
            return
        }
        #expect(reason.contains("HTTP \(status) to PUT member \(title): "))
        #expect(!reason.contains("jane.doe"))
    }

    @Test func invalidMergeFieldsNameTheFields() {
        let verdict = classify(
            .problem(
                400, "Invalid Resource", "Your merge fields were invalid.",
                errors: [("LTV", "Please enter a number"), ("FNAME", "Please enter a value")], instance: "x-1"))
        #expect(
            verdict
                == .outcome(
                    .failed(
                        reason: "Mailchimp answered HTTP 400 to PUT member Invalid Resource: Your merge fields were "
                            + "invalid. (LTV: Please enter a number; FNAME: Please enter a value) [request x-1]")))
    }

    @Test func tooManyRequestsAndOutagesRetry() {
        guard case .outcome(.retry(let after, let reason, let ambiguous)) = classify(MailchimpFault.tooManyRequests)
        else {
            Issue.record("429 did not retry")
            return
        }
        #expect(after == nil && !ambiguous)
        #expect(reason.contains("Too Many Requests: You have exceeded the limit of 10 simultaneous connections."))
        guard
            case .outcome(.retry(.seconds(7), let unavailable, false)) = classify(
                MailchimpFault.serviceUnavailable(retryAfter: "7"))
        else {
            Issue.record("503 did not retry after its Retry-After")
            return
        }
        #expect(unavailable.hasPrefix("Mailchimp answered HTTP 503 to PUT member Service Unavailable: "))
        guard case .outcome(.retry(_, let internalReason, true)) = classify(MailchimpFault.internalError) else {
            Issue.record("500 was not an ambiguous retry")
            return
        }
        #expect(internalReason.hasSuffix("(may have been applied)"))
        // The edge's bare 403 at high volume is the throttle, not a refusal.
        guard case .outcome(.retry(_, let edge, false)) = classify(MailchimpFault.edgeForbidden) else {
            Issue.record("a bare 403 did not retry")
            return
        }
        #expect(edge == "Mailchimp answered HTTP 403 to PUT member with an empty body")
        let busy = MailchimpTestResponse.problem(
            400, "Invalid Resource",
            "jane.doe@example.com has signed up to a lot of lists very recently; we're not "
                + "allowing more signups for now")
        guard case .outcome(.retry(_, _, false)) = classify(busy) else {
            Issue.record("too many recent signups did not retry")
            return
        }
        var gateway = MailchimpTestResponse(status: 502, body: Array("<html><h1>502 Bad Gateway</h1></html>".utf8))
        gateway.headers["Retry-After"] = "soon"
        guard case .outcome(.retry(nil, let page, true)) = classify(gateway) else {
            Issue.record("502 was not an ambiguous retry")
            return
        }
        #expect(page.contains("with a non-problem body: <html><h1>502 Bad Gateway</h1></html>"))
        #expect(page.contains("its Retry-After is not a usable delay and was ignored"))
    }

    @Test func successesSayWhatMailchimpReports() {
        let member = MailchimpTestResponse.json(200, ["id": "0cba", "status": "pending"])
        #expect(classify(member) == .accepted(note: "pending"))
        let archived = MailchimpTestResponse.json(200, ["status": "archived"])
        #expect(classify(archived) == .accepted(note: "archived (kept: send 'status' to restore the contact)"))
        let tags = MailchimpRequest(
            method: "POST", path: "/lists/a1/members/0cba/tags",
            body: ["tags": [["name": "a", "status": "active"], ["name": "b", "status": "inactive"]]])
        #expect(classify(MailchimpTestResponse(status: 204), request: tags) == .accepted(note: "tags +1 -1"))
        #expect(classify(MailchimpTestResponse(status: 204), request: delete) == .accepted(note: "archived"))
    }

    /// Only a repeated archive may read a 404 as done: the first attempt's 404 is an unknown
    /// member or audience.
    @Test func aRepeatedArchiveThatFindsNoMemberIsDone() {
        let missing = MailchimpTestResponse.problem(
            404, "Resource Not Found", "The requested resource could not be found.")
        guard case .outcome(.failed) = classify(missing, request: delete, attempt: 1) else {
            Issue.record("a first archive's 404 did not fail")
            return
        }
        #expect(
            classify(missing, request: delete, attempt: 2)
                == .accepted(note: "archived (not found on a repeat: an earlier attempt archived it)"))
        guard case .outcome(.failed) = classify(missing, request: put, attempt: 2) else {
            Issue.record("a PUT's 404 did not fail")
            return
        }
    }

    @Test func anEchoedKeyIsRedacted() {
        let verdict = classify(.problem(401, "API Key Invalid", "Key \(Self.key) is not valid"))
        guard case .outcome(.failed(let reason)) = verdict else {
            Issue.record("401 did not fail")
            return
        }
        #expect(!reason.contains(Self.key))
        #expect(reason.contains("<redacted>"))
    }
}
