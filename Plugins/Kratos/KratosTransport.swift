import FoundationEssentials
import HeraldCore
import HeraldHTTPClient

/// Sends JSON to Kratos' admin API through the action's `HTTPClient`.
struct KratosTransport: Sendable {
    /// How failure reasons name Kratos; "applied" because every patch Herald sends can be applied
    /// twice, so an ambiguous failure is harmless here.
    static let peer = HTTPPeer(name: "Kratos", url: "the Kratos admin URL", effect: "applied")

    private let client: HTTPClient

    init(timeout: Duration) {
        client = HTTPClient(HTTPClient.Configuration(timeout: timeout))
    }

    /// Sends `body` as `application/json` with `method`, and `token` as a Bearer token when there
    /// is one; the whole exchange is bounded by `timeout`, the answer by
    /// `HTTPAnswerLimit.apiAnswer`, and cancelling the calling task cancels the request.
    ///
    /// - Throws: `HTTPClientError` when no answer can be given (`.timedOut` when `timeout` passed).
    func send(
        _ method: String, _ url: URL, body: [UInt8], token: String?, timeout: Duration
    ) async throws(HTTPClientError) -> KratosResponse {
        var headers = [(name: "Content-Type", value: "application/json"), ("Accept", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let response = try await client.send(
            HTTPClientRequest(method, url, headers: headers, body: body), timeout: timeout)
        return KratosResponse(
            status: response.status, retryAfter: response.retryAfter, location: response.location, body: response.body)
    }

    /// What a failure without an HTTP answer means for the job (`HTTPClientFailure`).
    static func classify(_ error: HTTPClientError) -> Outcome {
        HTTPClientFailure.classify(error, peer: peer)
    }
}
