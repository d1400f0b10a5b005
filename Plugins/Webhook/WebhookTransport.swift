import FoundationEssentials
import HeraldCore
import HeraldHTTPClient

/// Sends webhook requests through the action's `HTTPClient`. A redirect comes back as the 3xx
/// answer itself (Standard Webhooks: a sender must not follow them), and only the first
/// `HTTPAnswerLimit.reasonExcerpt` of an answer is read: its status decides, its body is only
/// quoted in a reason.
struct WebhookTransport: Sendable {
    /// How failure reasons name the receiver.
    static let peer = HTTPPeer(name: "the endpoint", url: "the webhook URL", effect: "processed")

    private let client: HTTPClient

    init(timeout: Duration) {
        client = HTTPClient(HTTPClient.Configuration(timeout: timeout, answerLimit: .reasonExcerpt))
    }

    /// Sends one request; the whole exchange is bounded by `timeout`, and cancelling the calling
    /// task cancels the request.
    ///
    /// - Throws: `HTTPClientError` when no answer came (`.timedOut` when `timeout` passed).
    func send(
        _ method: String, _ url: URL, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration
    ) async throws(HTTPClientError) -> WebhookResponse {
        let response = try await client.send(
            HTTPClientRequest(method, url, headers: headers, body: body), timeout: timeout)
        return WebhookResponse(
            status: response.status, retryAfter: response.retryAfter, location: response.location,
            body: response.body)
    }

    /// What a failure without an HTTP answer means for the job (`HTTPClientFailure`).
    static func classify(_ error: HTTPClientError) -> Outcome {
        HTTPClientFailure.classify(error, peer: peer)
    }
}
