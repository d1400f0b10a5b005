import Foundation
import HeraldCore
import HeraldHTTPClient

/// Sends webhook requests through the action's `HTTPClient`, with redirects refused (Standard
/// Webhooks: a sender must not follow them).
struct WebhookTransport: Sendable {
    /// How failure reasons name the receiver.
    static let peer = HTTPPeer(name: "the endpoint", url: "the webhook URL", effect: "processed")

    /// At most this much of an answer's body is kept, for the reason of a failure.
    static let maxResponseBytes = 64 * 1024

    private let client: HTTPClient

    init(timeout: Duration) {
        client = HTTPClient(
            HTTPClient.Configuration(
                timeout: timeout, followsRedirects: false, maximumResponseBytes: Self.maxResponseBytes))
    }

    /// Sends one request; the whole exchange is bounded by `timeout`, and cancelling the calling
    /// task cancels the request. A redirect comes back as the 3xx answer itself.
    ///
    /// - Throws: `URLError` when no HTTP answer arrived (`.timedOut` when `timeout` passed).
    func send(
        _ method: String, _ url: URL, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration
    ) async throws -> WebhookResponse {
        let response = try await client.send(
            HTTPClientRequest(method, url, headers: headers, body: body), timeout: timeout)
        return WebhookResponse(
            status: response.status, retryAfter: response.retryAfter, location: response.header("Location"),
            body: response.body)
    }

    /// What a failure without an HTTP answer means for the job (`HTTPClientFailure`).
    static func classify(_ error: any Error) -> Outcome {
        HTTPClientFailure.classify(error, peer: peer)
    }
}
