/// A scripted misbehaviour of the Mailchimp test server, for the next requests.
///
/// ```swift
/// server.inject(.respond(MailchimpFault.tooManyRequests))          // refused, not applied
/// server.inject(.applyThenRespond(MailchimpFault.internalError))   // applied, then a 500
/// server.inject(.applyThenClose)                                  // applied, then hang up
/// ```
package enum MailchimpFault: Sendable, Equatable {
    /// Answer with this response; the request is not applied.
    case respond(MailchimpTestResponse)
    /// Apply the request, then answer with this response instead of the real one (a failure that
    /// may have happened: the client cannot tell the change was made).
    case applyThenRespond(MailchimpTestResponse)
    /// Apply the request, then close the connection without answering.
    case applyThenClose
    /// Handle the request normally but answer after `Duration`.
    case delay(Duration)

    /// 429 as Mailchimp sends it for its concurrency limit: no `Retry-After` (reference §9).
    package static var tooManyRequests: MailchimpTestResponse {
        .problem(429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous connections.")
    }

    /// 503 from an overloaded edge, with a `Retry-After` (which Mailchimp itself does not send).
    package static func serviceUnavailable(retryAfter: String?) -> MailchimpTestResponse {
        var response = MailchimpTestResponse.problem(
            503, "Service Unavailable", "The service is temporarily unavailable. Please try again later.")
        if let retryAfter { response.headers["Retry-After"] = retryAfter }
        return response
    }

    /// `500 Internal Server Error`.
    package static var internalError: MailchimpTestResponse {
        .problem(500, "Internal Server Error", "An unexpected internal error has occurred. Please try again later.")
    }

    /// The bare 403 without a JSON body that Mailchimp's edge answers at very high volume.
    package static var edgeForbidden: MailchimpTestResponse {
        MailchimpTestResponse(status: 403)
    }
}
