import FoundationEssentials
import HeraldCore
import HeraldHTTPClient

/// Sends Marketing API calls through the action's `HTTPClient`, never more than the account's
/// connection limit at once.
struct MailchimpTransport: Sendable {
    /// How failure reasons name Mailchimp.
    static let peer = HTTPPeer(name: "Mailchimp", url: "the Mailchimp URL", effect: "applied")

    private let client: HTTPClient
    /// `Basic base64("herald:KEY")`; any user name works with a key (reference §1).
    private let authorization: String

    init(apiKey: String, timeout: Duration) {
        // The action's concurrency (5 unless configured, at most 10) bounds the jobs in flight;
        // this is the backstop, so that the action alone can never go over Mailchimp's limit.
        client = HTTPClient(
            HTTPClient.Configuration(timeout: timeout, maximumInFlight: MailchimpSettings.accountConnectionLimit))
        authorization = "Basic " + Data("herald:\(apiKey)".utf8).base64EncodedString()
    }

    /// The secret forms this transport puts on the wire, for the redactor.
    var secrets: [String] { [String(authorization.dropFirst("Basic ".count))] }

    /// Sends `method url` with `body` as JSON; the whole exchange is bounded by `timeout`, the
    /// answer by `HTTPAnswerLimit.apiAnswer`, and cancelling the calling task cancels the request.
    ///
    /// - Throws: `HTTPClientError` when no answer can be given (`.timedOut` when `timeout` passed).
    func send(_ method: String, _ url: URL, body: JSON?, timeout: Duration) async throws(HTTPClientError)
        -> MailchimpResponse
    {
        var headers = [(name: "Authorization", value: authorization), ("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let request = HTTPClientRequest(method, url, headers: headers, body: body?.serialized())
        let response = try await client.send(request, timeout: timeout)
        return MailchimpResponse(
            status: response.status, retryAfter: response.retryAfter, requestID: response.header("X-Request-Id"),
            location: response.location, body: response.body)
    }

    /// What a failure without an HTTP answer means for the job (`HTTPClientFailure`).
    static func classify(_ error: HTTPClientError) -> Outcome {
        HTTPClientFailure.classify(error, peer: peer)
    }

    /// A few words for a failure without an answer, for `herald doctor`.
    static func describe(_ error: HTTPClientError) -> String {
        HTTPClientFailure.describe(error)
    }
}
