import HeraldCore
import HeraldHTTPClient

/// Turns Mailchimp's answers into outcomes (reference/mailchimp-marketing.md §8–§10).
///
/// Every call Herald makes is idempotent, so repeating one is safe; still, a call that may have
/// taken effect is marked ambiguous, as the delivery contract asks. Mailchimp's problem `title`
/// and `detail` become the reason, through the redactor (addresses masked, the key never shown).
package enum MailchimpResponseClassifier {
    /// What one answer means for the job.
    enum Verdict: Equatable {
        /// The call did what it was for; `note` says what Mailchimp reports (`pending`, `archived`).
        case accepted(note: String)
        /// The goal already holds, and the job's remaining calls have nothing to act on.
        case finished(note: String)
        /// The job ends here (failed) or is tried again (retry).
        case outcome(Outcome)
    }

    enum Kind {
        /// Repeating the same request cannot succeed.
        case permanent
        /// Not applied; worth repeating.
        case temporary
        /// May have been applied.
        case ambiguous
    }

    /// Classifies the answer to `request`, made in attempt number `attempt`.
    static func classify(
        _ response: MailchimpResponse, to request: MailchimpRequest, attempt: Int, now: WallClock,
        redactor: RemoteTextRedactor
    ) -> Verdict {
        if (200..<300).contains(response.status) {
            return .accepted(note: note(for: request, response: response, redactor: redactor))
        }
        // An archive that an earlier attempt may have done already (it timed out, or the answer
        // was lost): Mailchimp no longer finds the member to archive, which is the state asked for.
        if request.method == "DELETE", response.status == 404, attempt > 1 {
            return .accepted(note: "archived (not found on a repeat: an earlier attempt archived it)")
        }
        // Unsubscribing an address that is not on the audience: it gets no mail from it, which is
        // what was asked; so a settings change that unticks a box never ticked is not an error.
        if request.method == "PATCH", request.body?["status"]?.string == "unsubscribed", response.status == 404 {
            return .finished(note: "not on the audience (nothing to unsubscribe)")
        }
        if (300..<400).contains(response.status) {
            return .outcome(
                .failed(
                    reason: MailchimpTransport.peer.redirectReason(
                        status: response.status, location: response.location, redactor: redactor,
                        fix: "check base_url (or the data center the key names)")))
        }
        let problem = MailchimpProblem(response.body)
        var what = "Mailchimp answered HTTP \(response.status) to \(request.label)"
        if let problem {
            what += " " + problem.summary(redactor)
        } else if response.body.isEmpty {
            what += " with an empty body"
        } else {
            what += " with a non-problem body: " + redactor.excerpt(response.body)
        }
        let id = response.requestID ?? problem?.instance ?? ""
        if !id.isEmpty { what += " [request \(redactor.clean(id, limit: 60))]" }
        let retryAfter = HTTPRetryAfter(response.retryAfter, now: now)
        if case .unusable = retryAfter { what += "; its Retry-After is not a usable delay and was ignored" }
        switch kind(status: response.status, problem: problem) {
        case .permanent: return .outcome(.failed(reason: what))
        case .temporary: return .outcome(.retry(after: retryAfter.wait, reason: what, ambiguous: false))
        case .ambiguous:
            return .outcome(.retry(after: retryAfter.wait, reason: what + " (may have been applied)", ambiguous: true))
        }
    }

    /// The status decides, with three exceptions the reference documents: a 403 without a
    /// problem body is the throttle at very high volume, not a refusal (§9); the "signed up to a
    /// lot of lists very recently" kind of `Invalid Resource` clears after a while (§3); and a 503
    /// that says the method is disabled for compliance will not (§8, `ComplianceRelated`).
    static func kind(status: Int, problem: MailchimpProblem?) -> Kind {
        switch status {
        case 429: return .temporary
        case 403: return problem == nil ? .temporary : .permanent
        case 400:
            let detail = problem?.detail.lowercased() ?? ""
            return detail.contains("signed up to a lot of lists") ? .temporary : .permanent
        case 408: return .temporary
        case 503:
            let text = ((problem?.title ?? "") + " " + (problem?.detail ?? "")).lowercased()
            return text.contains("compliance") || text.contains("has been disabled") ? .permanent : .temporary
        case 400..<500: return .permanent
        default: return .ambiguous
        }
    }

    /// `pending`, `unsubscribed`, `archived`, `tags +2 -1`: what a successful call changed.
    private static func note(
        for request: MailchimpRequest, response: MailchimpResponse, redactor: RemoteTextRedactor
    ) -> String {
        if request.path.hasSuffix("/tags") {
            let tags = request.body?["tags"]?.array ?? []
            let added = tags.filter { $0["status"]?.string == "active" }.count
            return "tags +\(added) -\(tags.count - added)"
        }
        if request.method == "DELETE" { return "archived" }
        let status = (try? JSONDocument(parsing: response.body).root)?["status"]?.string
        guard let status else { return "updated" }
        let clean = redactor.clean(status, limit: 20)
        // A PUT with only status_if_new leaves an archived contact archived (§3).
        return clean == "archived" ? "archived (kept: send 'status' to restore the contact)" : clean
    }
}
