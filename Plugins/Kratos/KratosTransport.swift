import Foundation
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
    /// is one; the whole exchange is bounded by `timeout`, and cancelling the calling task cancels
    /// the request.
    ///
    /// - Throws: `URLError` when no HTTP answer arrived (`.timedOut` when `timeout` passed).
    func send(
        _ method: String, _ url: URL, body: [UInt8], token: String?, timeout: Duration
    ) async throws -> KratosResponse {
        var headers = [(name: "Content-Type", value: "application/json"), ("Accept", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        let response = try await client.send(
            HTTPClientRequest(method, url, headers: headers, body: body), timeout: timeout)
        return KratosResponse(status: response.status, retryAfter: response.retryAfter, body: response.body)
    }

    /// What a failure without an HTTP answer means for the job (`HTTPClientFailure`).
    static func classify(_ error: any Error) -> Outcome {
        HTTPClientFailure.classify(error, peer: peer)
    }
}
