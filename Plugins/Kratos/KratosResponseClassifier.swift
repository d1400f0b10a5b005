import HeraldCore
import HeraldHTTPClient

/// Turns Kratos' answers to `PATCH /admin/identities/{id}` into outcomes.
///
/// Every patch Herald sends is idempotent (adds and replaces of object keys; a remove preceded by
/// an add of null), so repeating one that may have been applied is harmless: anything that may
/// have taken effect is a retry marked ambiguous only so that the log says so. Only answers that
/// cannot change on a repeat are failures; Kratos' own `message` and `reason` are kept in them.
package enum KratosResponseClassifier {
    /// The 400 that a database serialization failure gives (oryx/sqlcon `ErrConcurrentUpdate`):
    /// the transaction was rolled back, so the patch was not applied and can be sent again.
    static let concurrentUpdate = "Unable to serialize access due to a concurrent update in another session"

    /// Every text taken from the answer passes through `redactor`, which knows the action's token.
    package static func classify(
        _ response: KratosResponse, identity: String, now: WallClock, redactor: RemoteTextRedactor
    ) -> Outcome {
        let retryAfter = HTTPRetryAfter(response.retryAfter, now: now)
        let after = retryAfter.wait
        let error = KratosErrorBody(response.body)
        if (200..<300).contains(response.status) {
            return classifySuccess(response, identity: identity, redactor: redactor)
        }
        var what = "Kratos answered HTTP \(response.status)"
        if let error {
            what += ": " + error.summary(redactor)
        } else if response.body.isEmpty {
            what += " with an empty body"
        } else {
            what += " with a body that is not Kratos' error object: " + redactor.excerpt(response.body)
        }
        if case .unusable = retryAfter { what += "; its Retry-After is not a usable delay and was ignored" }
        switch response.status {
        case 400 where error?.message == concurrentUpdate:
            return .retry(after: after, reason: what + " (not applied)", ambiguous: false)
        case 404 where error != nil:
            // The id is personal data and the reason reaches the log: `herald dead show` names it.
            return .failed(reason: "the identity was not found (deleted?); \(what)")
        case 404:
            return .failed(
                reason: "\(what): not Kratos' identity API; is admin_url the admin listener (port 4434)?")
        case 300..<400:
            return .failed(
                reason: KratosTransport.peer.redirectReason(
                    status: response.status, location: response.location, redactor: redactor,
                    fix: "Kratos' public port redirects /admin to the admin URL: point admin_url there"))
        case 401, 403:
            return .failed(reason: "\(what); the token was refused")
        case 429, 503:
            return .retry(after: after, reason: what, ambiguous: false)
        case 400..<500:
            return .failed(reason: what)
        default:
            return .retry(after: after, reason: what + " (may have been applied)", ambiguous: true)
        }
    }

    /// A 2xx: Kratos answers 200 with the patched identity; anything else came from something
    /// that is not Kratos, and the patch may or may not have been applied.
    private static func classifySuccess(
        _ response: KratosResponse, identity: String, redactor: RemoteTextRedactor
    ) -> Outcome {
        let root = try? JSONDocument(parsing: response.body).root
        guard response.status == 200, let id = root?["id"]?.string else {
            let excerpt = response.body.isEmpty ? "an empty body" : "'\(redactor.excerpt(response.body))'"
            return .retry(
                after: nil,
                reason: "Kratos answered HTTP \(response.status) with \(excerpt) instead of the identity "
                    + "(may have been applied)", ambiguous: true)
        }
        guard id.lowercased() == identity.lowercased() else {
            return .failed(reason: "Kratos answered with another identity than the one patched")
        }
        return .delivered(detail: "identity patched")
    }
}

/// Kratos' `errorGeneric`: `{"error": {"code", "status", "reason", "message", …}}` (herodot).
/// For a JSON Patch failure the specific text is in `message`, for most others in `reason`.
struct KratosErrorBody {
    let message: String
    let reason: String?

    init?(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, let root = try? JSONDocument(parsing: bytes).root, root.kind == .object,
            let error = root["error"], error.kind == .object, let message = error["message"]?.string
        else { return nil }
        self.message = message
        reason = error["reason"]?.string.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `message (reason)`, cleaned for the log.
    func summary(_ redactor: RemoteTextRedactor) -> String {
        var text = redactor.clean(message, limit: 200)
        if let reason { text += " (\(redactor.clean(reason, limit: 200)))" }
        return text
    }
}
