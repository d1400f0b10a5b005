import HeraldCore
import HeraldHTTPClient

/// Turns Mandrill's answers into outcomes (design §6.5, reference/mandrill-api.md §A.4).
///
/// Mandrill has no idempotency key, so anything that may have sent the message is a retry marked
/// ambiguous, and only answers that cannot change on a repeat are failures. An error body's `name`
/// decides first, because Mandrill long answered 500 for client errors; the HTTP status decides
/// when the body is not Mandrill's error object. A redirect is never followed: it fails, naming
/// its `Location` (masked), since the base URL needs fixing.
package enum MandrillResponseClassifier {
    ///
    /// Every text taken from the answer passes through `redactor`, which knows the action's key.
    package static func classify(
        _ response: MandrillResponse, now: WallClock, redactor: RemoteTextRedactor
    ) -> Outcome {
        let retryAfter = HTTPRetryAfter(response.retryAfter, now: now)
        let after = retryAfter.wait
        if response.status == 200 {
            return classifyResults(response, after: after, redactor: redactor)
        }
        if (300..<400).contains(response.status) {
            return .failed(
                reason: MandrillTransport.peer.redirectReason(
                    status: response.status, location: response.location, redactor: redactor, fix: "check base_url"))
        }
        let error = ErrorBody(response.body)
        var what: String
        if let error {
            what =
                "Mandrill answered HTTP \(response.status) \(redactor.clean(error.name, limit: 60)): "
                + redactor.clean(error.message, limit: 200)
        } else if response.body.isEmpty {
            what = "Mandrill answered HTTP \(response.status) with an empty body"
        } else {
            what =
                "Mandrill answered HTTP \(response.status) with a non-JSON body: " + redactor.excerpt(response.body)
        }
        if case .unusable = retryAfter { what += "; its Retry-After is not a usable delay and was ignored" }
        switch error.flatMap({ kind(ofName: $0.name) }) ?? kind(ofStatus: response.status) {
        case .permanent: return .failed(reason: what)
        case .temporary: return .retry(after: after, reason: what, ambiguous: false)
        case .ambiguous: return .retry(after: after, reason: what + " (may have been sent)", ambiguous: true)
        }
    }

    /// True when Mandrill says the template does not exist (`Unknown_Template`, whatever the
    /// status): the next name of a template list is tried then.
    static func isUnknownTemplate(_ response: MandrillResponse) -> Bool {
        response.status != 200 && ErrorBody(response.body)?.name == "Unknown_Template"
    }

    enum Kind {
        /// Repeating the same request cannot succeed.
        case permanent
        /// Not sent; worth repeating.
        case temporary
        /// May have been sent; repeating may send twice.
        case ambiguous
    }

    /// What an error `name` means; nil for names Herald does not know (the status decides).
    static func kind(ofName name: String) -> Kind? {
        switch name {
        case "Invalid_Key", "ValidationError", "PaymentRequired": return .permanent
        case "GeneralError": return .ambiguous
        case "ServiceUnavailable", "RequestLimitExceeded": return .temporary
        default:
            if name.hasPrefix("Unknown_") || name.hasPrefix("Invalid_") { return .permanent }
            return nil
        }
    }

    static func kind(ofStatus status: Int) -> Kind {
        switch status {
        case 400, 401, 402, 403, 404, 422: return .permanent
        case 429, 503: return .temporary
        default: return .ambiguous
        }
    }

    /// A 200: every recipient accepted → delivered; any rejected or invalid → failed (for those;
    /// the others are named as accepted); anything but the documented array → ambiguous retry.
    private static func classifyResults(
        _ response: MandrillResponse, after: Duration?, redactor: RemoteTextRedactor
    ) -> Outcome {
        guard let results = RecipientResult.list(response.body) else {
            let excerpt = response.body.isEmpty ? "an empty body" : "'\(redactor.excerpt(response.body))'"
            return .retry(
                after: after,
                reason: "Mandrill answered HTTP 200 with \(excerpt) instead of the recipient list (may have been sent)",
                ambiguous: true)
        }
        let accepted = results.filter(\.isAccepted)
        let refused = results.filter { !$0.isAccepted }
        if refused.isEmpty {
            return .delivered(detail: accepted.map { $0.note(redactor) }.joined(separator: ", "))
        }
        var reason = "Mandrill refused " + refused.map { $0.note(redactor) }.joined(separator: ", ")
        if !accepted.isEmpty { reason += "; accepted " + accepted.map { $0.note(redactor) }.joined(separator: ", ") }
        return .failed(reason: reason)
    }
}

/// Mandrill's error object `{"status": "error", "code": …, "name": …, "message": …}`.
struct ErrorBody {
    let name: String
    let message: String

    init?(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, let root = try? JSONDocument(parsing: bytes).root, root.kind == .object,
            let name = root["name"]?.string, !name.isEmpty
        else { return nil }
        self.name = name
        message = root["message"]?.string ?? ""
    }
}
