/// An HTTP answer from Mailchimp, as the transport got it.
package struct MailchimpResponse: Sendable {
    let status: Int
    let retryAfter: String?
    /// `X-Request-Id`, which Mailchimp also puts in a problem's `instance`.
    let requestID: String?
    /// The `Location` of a redirect, which is reported and never followed.
    let location: String?
    let body: [UInt8]

    package init(
        status: Int, retryAfter: String? = nil, requestID: String? = nil, location: String? = nil, body: [UInt8] = []
    ) {
        self.status = status
        self.retryAfter = retryAfter
        self.requestID = requestID
        self.location = location
        self.body = body
    }
}
