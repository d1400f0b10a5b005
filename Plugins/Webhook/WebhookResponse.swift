/// What a receiver answered, as much as the classifier needs.
struct WebhookResponse: Sendable {
    let status: Int
    let retryAfter: String?
    /// The `Location` of a redirect, which is reported and never followed.
    let location: String?
    /// At most `HTTPAnswerLimit.reasonExcerpt` of the body (the rest was not read).
    let body: [UInt8]
}
