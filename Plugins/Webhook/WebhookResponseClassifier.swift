import HeraldCore
import HeraldHTTPClient

/// Turns a receiver's answer into an outcome, as Standard Webhooks advises senders.
///
/// A receiver is any service, so what its answers mean is the spec's: 2xx is delivered and
/// nothing else is. Whatever text comes back (a body, a `Location`) passes through the redactor,
/// which knows the action's secrets, and is cut short.
enum WebhookResponseClassifier {
    static func classify(_ response: WebhookResponse, now: WallClock, redactor: RemoteTextRedactor) -> Outcome {
        let status = response.status
        if (200..<300).contains(status) {
            return .delivered(detail: "HTTP \(status)")
        }
        let retryAfter = HTTPRetryAfter(response.retryAfter, now: now)
        var what = "the endpoint answered HTTP \(status)"
        if !response.body.isEmpty { what += ": " + redactor.excerpt(response.body) }
        if case .unusable = retryAfter { what += "; its Retry-After is not a usable delay and was ignored" }
        switch status {
        case 300..<400:
            return .failed(
                reason: WebhookTransport.peer.redirectReason(
                    status: status, location: response.location, redactor: redactor, fix: "update the action's url"))
        case 410:
            return .failed(reason: "\(what) (Gone: the receiver wants no more webhooks at this URL)")
        case 408, 429, 503:
            // Refused before processing: the receiver asks to be tried again later.
            return .retry(after: retryAfter.wait, reason: what, ambiguous: false)
        case 400..<500:
            return .failed(reason: what)
        default:
            // 500, 502, 504 and the rest: a gateway timed out or the receiver failed part way; it
            // may have processed the event, so the retry may deliver it twice (webhook-id lets the
            // receiver tell).
            return .retry(after: retryAfter.wait, reason: what + " (may have been processed)", ambiguous: true)
        }
    }
}
